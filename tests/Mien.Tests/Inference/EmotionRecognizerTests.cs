using Mien.Inference;
using Mien.Models;
using OpenCvSharp;

namespace Mien.Tests.Inference;

/// <summary>End-to-end checks of the bundled default model on real photos.</summary>
public class EmotionRecognizerTests
{
    private static readonly Lazy<EmotionRecognizer> Recognizer = new(() =>
    {
        Assert.True(DefaultModel.IsAvailable, "The bundled model models/mien-default.mien is missing from this build.");
        return EmotionRecognizer.LoadDefault();
    });

    [Fact]
    public void Bundled_model_is_self_describing()
    {
        var meta = Recognizer.Value.Model.Metadata;
        Assert.Equal(["anger", "disgust", "fear", "happy", "sadness", "surprise", "neutral"], meta.ClassNames);
        Assert.Equal(48, meta.InputSize);
        Assert.InRange(meta.Mean, 0.3f, 0.7f);
        Assert.InRange(meta.Std, 0.1f, 0.4f);
        Assert.Contains("ferplus", meta.TrainedOn);
        Assert.True(meta.Metrics["validation_accuracy"] >= 0.66, $"bundled model PublicTest accuracy {meta.Metrics["validation_accuracy"]:P2}");
    }

    [Fact]
    public void Astronaut_has_exactly_one_happy_face()
    {
        var result = Recognizer.Value.Predict(TestData.Shared("photos/astronaut.png"));
        Assert.True(result.Succeeded, result.Error);
        var face = Assert.Single(result.Faces);
        Assert.Equal("happy", face.Emotion);
        Assert.Equal(1.0, face.Probabilities.Values.Sum(), 3);
    }

    [Theory]
    [InlineData("coffee.png")] [InlineData("chelsea.png")]
    public void No_human_face_gives_no_prediction(string photo)
    {
        var result = Recognizer.Value.Predict(TestData.Shared("photos/" + photo));
        Assert.True(result.Succeeded);
        Assert.Empty(result.Faces);
    }

    [Fact]
    public void Bad_files_give_an_error_result_not_an_exception()
    {
        using var tmp = TestData.NewTempDir();
        File.WriteAllBytes(tmp["zero.jpg"], []);
        File.WriteAllText(tmp["text.png"], "hello");
        foreach (var (path, expected) in new[] { (TestData.Shared("photos/truncated.jpg"), "truncated"), (tmp["zero.jpg"], "empty"), (tmp["text.png"], "not a decodable image"), (tmp["missing.png"], "does not exist") })
        {
            var r = Recognizer.Value.Predict(path);
            Assert.False(r.Succeeded);
            Assert.Contains(expected, r.Error);
        }
    }

    [Fact]
    public void Huge_image_is_refused()
    {
        using var tmp = TestData.NewTempDir();
        var before = Mien.Data.ImageLimits.MaxPixels;
        try
        {
            Mien.Data.ImageLimits.MaxPixels = 100_000; // pretend 512x512 is too big rather than writing a gigapixel file
            var r = Recognizer.Value.Predict(TestData.Shared("photos/astronaut.png"));
            Assert.False(r.Succeeded);
            Assert.Contains("pixel limit", r.Error);
        }
        finally { Mien.Data.ImageLimits.MaxPixels = before; }
    }

    [Fact]
    public void Concurrent_use_gives_the_same_results_as_sequential()
    {
        string[] photos = ["astronaut.png", "messi5.jpg", "coffee.png", "astronaut.png", "messi5.jpg", "chelsea.png", "astronaut.png", "messi5.jpg"];
        var paths = photos.Select(p => TestData.Shared("photos/" + p)).ToArray();
        var sequential = paths.Select(p => Recognizer.Value.Predict(p)).ToArray();
        var concurrent = new ImagePrediction[paths.Length];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => concurrent[i] = Recognizer.Value.Predict(paths[i]));
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.Equal(sequential[i].Faces.Select(f => f.Box), concurrent[i].Faces.Select(f => f.Box));
            for (int k = 0; k < sequential[i].Faces.Count; k++)
                foreach (var (emotion, p) in sequential[i].Faces[k].Probabilities)
                    Assert.Equal(p, concurrent[i].Faces[k].Probabilities[emotion], 5);
        }
    }

    [Fact]
    public void Batched_prediction_of_many_files_equals_one_by_one()
    {
        string[] paths = [.. new[] { "astronaut.png", "truncated.jpg", "messi5.jpg", "coffee.png" }.Select(p => TestData.Shared("photos/" + p))];
        var one = paths.Select(p => Recognizer.Value.Predict(p)).ToArray();
        var many = Recognizer.Value.PredictMany(paths, batchSize: 2).ToArray();
        Assert.Equal(paths, many.Select(m => m.Source));
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.Equal(one[i].Error, many[i].Error);
            Assert.Equal(one[i].Faces.Select(f => (f.Box, f.Emotion)), many[i].Faces.Select(f => (f.Box, f.Emotion)));
            for (int k = 0; k < one[i].Faces.Count; k++)
                Assert.Equal(one[i].Faces[k].Confidence, many[i].Faces[k].Confidence, 4);
        }
    }

    [Fact]
    public void No_detect_mode_classifies_the_whole_image_as_one_face()
    {
        using var r = new EmotionRecognizer(DefaultModel.Load(), new RecognizerOptions { DetectFaces = false });
        using var img = new Mat(48, 48, MatType.CV_8UC1, new Scalar(128));
        var result = r.Predict(img);
        var face = Assert.Single(result.Faces);
        Assert.Equal(48, face.Box.Width);
    }
}
