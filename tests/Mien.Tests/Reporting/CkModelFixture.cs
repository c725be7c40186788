using System.Diagnostics;
using Mien.Data;
using Mien.Models;
using Mien.Splits;
using Mien.Training;

namespace Mien.Tests.Reporting;

/// <summary>
/// One small CNN trained on CK+48 for the Grad-CAM tests (trained once per test class): subject-grouped 75/25
/// hold-out, so the validation faces belong to people the network never saw.
/// </summary>
public sealed class CkModelFixture : IDisposable
{
    private readonly TempDir _dir = TestData.NewTempDir();

    // conv16-conv32-conv64 (each + batch norm + ReLU + 2x2 max-pool), global average pooling: the last
    // feature map before pooling is 12x12, fine enough to tell the mouth from the forehead.
    private static readonly ModelSpec Small = ModelSpec.FromJson("""
        { "name": "test-gradcam", "input_size": 48, "layers": [
          { "type": "conv2d", "filters": 16, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 32, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "conv2d", "filters": 64, "batchnorm": true, "activation": "relu" }, { "type": "maxpool" },
          { "type": "global_avg_pool" } ] }
        """);

    public CkModelFixture()
    {
        Ck = DatasetLoader.Load(TestData.CkPlusZip);
        Split = Splitter.HoldOut(Ck, 0.25, seed: 11);
        var sw = Stopwatch.StartNew();
        var options = new TrainingOptions { Epochs = 8, BatchSize = 32, LearningRate = 3e-3, Seed = 11, WarmupEpochs = 0 };
        Model = new Trainer(options).Fit(Ck, Split, Small).Model;
        TrainingTime = sw.Elapsed;
        ModelPath = _dir["gradcam.mien"];
        Model.Save(ModelPath);
    }

    public FaceDataset Ck { get; }
    public DataSplit Split { get; }
    public EmotionModel Model { get; }
    public string ModelPath { get; }
    public TimeSpan TrainingTime { get; }
    public string TempPath(string name) => _dir[name];

    public void Dispose()
    {
        Model.Dispose();
        _dir.Dispose();
    }
}
