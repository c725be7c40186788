using Mien.Data;
using Mien.Models;

namespace Mien.Tests.Training;

/// <summary>A few real CK+ faces and a tiny network, for tests of the training loop that must run in seconds.</summary>
internal static class SmallTraining
{
    public static FaceDataset Ck { get; } = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 240 });

    public static ModelSpec Tiny { get; } = ModelSpec.FromJson("""
        { "name": "test-tiny", "input_size": 48, "layers": [
          { "type": "conv2d", "filters": 8, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "global_avg_pool" } ] }
        """);
}
