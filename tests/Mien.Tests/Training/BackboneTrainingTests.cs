using Mien.Data;
using Mien.Models;
using Mien.Splits;
using Mien.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Mien.Tests.Training;

/// <summary>A TorchVision backbone through the real training loop: small, one epoch, on real CK+ faces.</summary>
public class BackboneTrainingTests
{
    [Fact]
    public void Resnet18_trains_an_epoch_from_pretrained_weights_and_its_saved_model_predicts_the_same()
    {
        using var tmp = TestData.NewTempDir();
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 200 });
        var split = Splitter.HoldOut(data, 0.25, seed: 3);
        var spec = ModelZoo.GetSpec("resnet18");
        Assert.False(MemoryLayout.CanTrainChannelsLast(ModelZoo.CreateModel("resnet18", 7))); // the trainer takes the NCHW path here
        // "Pretrained" weights: a torchvision resnet18 written as PyTorch does (its random init stands in for ImageNet's).
        using (var tv = torchvision.models.resnet18()) tv.save_py(tmp["resnet18.pth"]);
        // One thread: LibTorch's spinning workers slow down 10-50x when the cores are shared (the test host runs other tests).
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, Seed = 1, Threads = 1, PretrainedWeights = tmp["resnet18.pth"] };
        var messages = new List<string>();
        var result = new Trainer(options).AddCallback(new Recorder(messages)).Fit(data, split, spec);

        Assert.True(double.IsFinite(result.History[0].TrainLoss) && result.History[0].TrainLoss > 0, $"train loss {result.History[0].TrainLoss}");
        Assert.Contains(messages, m => m.Contains("Pretrained resnet18 weights") && m.Contains("120 tensors"));
        var meta = result.Model.Metadata;
        Assert.Equal((0.449f, 0.226f), (meta.Mean, meta.Std)); // ImageNet's grey statistics, not the data's
        Assert.Equal("resnet18.pth", meta.Training["weights"]);

        result.Model.Network.eval();
        var faces = split.Validation.Take(8).SelectMany(i => data.Image(i).ToArray()).ToArray();
        var live = result.Model.PredictProbabilities(faces, 8);
        result.Model.Save(tmp["resnet18.mien"]);
        using var loaded = EmotionModel.Load(tmp["resnet18.mien"], InferencePrecision.Float32); // compiled; fp32 so it matches the live network to 1e-4
        var again = loaded.PredictProbabilities(faces, 8);
        for (int i = 0; i < 8; i++) for (int k = 0; k < data.ClassNames.Count; k++) Assert.Equal(live[i][k], again[i][k], 1e-4f);
        Assert.Equal("resnet18", loaded.Metadata.Spec.Layers[0].Name);
    }

    private sealed class Recorder(List<string> messages) : ITrainingCallback
    {
        public void OnMessage(string message) => messages.Add(message);
    }
}
