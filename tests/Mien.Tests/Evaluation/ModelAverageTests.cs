using Mien.Evaluation;
using Mien.Models;

namespace Mien.Tests.Evaluation;

[Trait("Tier", "Fast")] // random networks and random pixels: the arithmetic of averaging, not accuracy
public class ModelAverageTests
{
    private static readonly string[] Seven = ["anger", "disgust", "fear", "happy", "sadness", "surprise", "neutral"];

    private static EmotionModel Random(string preset, IReadOnlyList<string> classes, int seed, int inputSize = 48)
    {
        TorchSharp.torch.manual_seed(seed);
        var spec = ModelZoo.GetSpec(preset) with { InputSize = inputSize };
        var model = EmotionModel.Create(spec, classes, 0.5f, 0.25f);
        model.Network.eval();
        return model;
    }

    private static byte[] Faces(int count, int side = 48)
    {
        var pixels = new byte[count * side * side];
        new Random(11).NextBytes(pixels);
        return pixels;
    }

    [Fact]
    public void The_mean_is_taken_class_by_name_and_an_extra_class_is_dropped_and_renormalised()
    {
        // The second model knows contempt too and lists its classes in another order.
        string[] eight = ["neutral", "contempt", "surprise", "sadness", "happy", "fear", "disgust", "anger"];
        using var a = Random("vgg-tiny", Seven, 1);
        using var b = Random("mini-xception", eight, 2);
        var faces = Faces(5);
        var pa = a.PredictProbabilities(faces, 5);
        var pb = b.PredictProbabilities(faces, 5);
        var mean = new ModelAverage([a, b]).PredictProbabilities(faces, 5, flipAverage: false);
        for (int i = 0; i < 5; i++)
        {
            float keptB = 1 - pb[i][1];
            for (int c = 0; c < Seven.Length; c++)
            {
                int j = Array.IndexOf(eight, Seven[c]);
                Assert.Equal((pa[i][c] + pb[i][j] / keptB) / 2, mean[i][c], 1e-5f);
            }
            Assert.Equal(1f, mean[i].Sum(), 1e-4f);
        }
        // Not vacuous: the two networks disagree, so the mean is neither of them.
        Assert.Contains(Enumerable.Range(0, 5), i => Math.Abs(mean[i][0] - pa[i][0]) > 1e-4);
    }

    [Fact]
    public void A_model_averaged_with_its_copy_is_itself_and_flip_averaging_passes_through()
    {
        using var a = Random("vgg-tiny", Seven, 3);
        using var copy = a.WithMetadata(a.Metadata);
        var faces = Faces(4);
        var single = a.PredictProbabilities(faces, 4, flipAverage: true);
        var mean = new ModelAverage([a, copy]).PredictProbabilities(faces, 4, flipAverage: true);
        for (int i = 0; i < 4; i++) for (int c = 0; c < Seven.Length; c++) Assert.Equal(single[i][c], mean[i][c], 1e-5f);
    }

    [Fact]
    public void Ensembles_that_cannot_be_averaged_are_refused_with_the_reason()
    {
        using var a = Random("vgg-tiny", Seven, 4);
        using var six = Random("vgg-tiny", Seven[..6], 5);
        Assert.Contains("at least two", Assert.Throws<ArgumentException>(() => new ModelAverage([a])).Message);
        Assert.Contains("no class 'neutral'", Assert.Throws<ArgumentException>(() => new ModelAverage([a, six])).Message);
    }

    [Fact]
    public void A_member_of_another_input_size_reads_the_faces_resized_as_the_preprocessing_resizes_them()
    {
        using var a = Random("vgg-tiny", Seven, 7);
        using var big = Random("vgg-tiny", Seven, 8, inputSize: 64);
        var faces = Faces(3);
        // What the 64-px member would have been given by the one preprocessing path: each 48-px face enlarged to 64.
        var enlarged = new byte[3 * 64 * 64];
        for (int i = 0; i < 3; i++)
        {
            using var face = OpenCvSharp.Mat.FromPixelData(48, 48, OpenCvSharp.MatType.CV_8UC1, faces[(i * 48 * 48)..((i + 1) * 48 * 48)]);
            Mien.Faces.FacePreprocessor.Whole(face, 64).CopyTo(enlarged, i * 64 * 64);
        }
        var pa = a.PredictProbabilities(faces, 3);
        var pb = big.PredictProbabilities(enlarged, 3);
        var mean = new ModelAverage([a, big]).PredictProbabilities(faces, 3, flipAverage: false);
        for (int i = 0; i < 3; i++) for (int c = 0; c < Seven.Length; c++) Assert.Equal((pa[i][c] + pb[i][c]) / 2, mean[i][c], 1e-5f);
        Assert.Contains(Enumerable.Range(0, 3), i => Math.Abs(mean[i][0] - pa[i][0]) > 1e-4); // the members differ
    }
}
