using System.IO.Compression;
using Mien.Data;
using Mien.Evaluation;
using Mien.Faces;
using Mien.Inference;
using Mien.Models;
using OpenCvSharp;

namespace Mien.Tests.Inference;

/// <summary>A face gives the same tensor, and the same probabilities, whether it is read as training/evaluation data or predicted.</summary>
public class PreprocessingParityTests
{
    [Fact]
    public void A_dataset_face_and_the_same_file_predicted_get_the_same_pixels_and_probabilities()
    {
        var data = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 30 });
        using var recognizer = EmotionRecognizer.LoadDefault(new RecognizerOptions { DetectFaces = false, Precision = InferencePrecision.Float32 });
        using var zip = ZipFile.OpenRead(TestData.CkPlusZip);
        for (int i = 0; i < data.Count; i++)
        {
            using var s = zip.GetEntry(data.Sources[i])!.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            using var image = ImageDecoder.DecodeColor(ms.ToArray());
            var box = recognizer.DetectFaces(image);
            Assert.Equal(data.Image(i).ToArray(), recognizer.Crop(image, box));
            var predicted = recognizer.PredictWholeImage(image).Faces[0].Probabilities;
            var evaluated = Evaluator.PredictProbabilities(recognizer.Model, data, [i])[0];
            for (int k = 0; k < recognizer.ClassNames.Count; k++) Assert.Equal(evaluated[k], predicted[recognizer.ClassNames[k]], 5);
        }
    }

    [Fact]
    public void Larger_face_images_are_resized_the_same_way_for_training_and_for_prediction()
    {
        using var tmp = TestData.NewTempDir();
        var ck = DatasetLoader.Load(TestData.CkPlusZip, new DatasetLoadOptions { Limit = 12 });
        Directory.CreateDirectory(tmp["set/happy"]);
        var files = new List<string>();
        for (int i = 0; i < ck.Count; i++)
        {
            using var small = Mat.FromPixelData(48, 48, MatType.CV_8UC1, ck.Image(i).ToArray());
            using var big = small.Resize(new Size(143, 181), 0, 0, InterpolationFlags.Cubic);
            files.Add(tmp[$"set/happy/S{100 + i:D3}_001_00000001.png"]);
            Cv2.ImWrite(files[^1], big);
        }
        var data = DatasetLoader.Load(tmp["set"]);
        using var recognizer = EmotionRecognizer.LoadDefault(new RecognizerOptions { DetectFaces = false });
        foreach (var f in files)
        {
            int i = Array.FindIndex(data.Sources, s => f.EndsWith(s.Replace('/', Path.DirectorySeparatorChar)));
            Assert.True(i >= 0, f);
            using var image = ImageDecoder.ReadColor(f);
            Assert.Equal(data.Image(i).ToArray(), recognizer.Crop(image, recognizer.DetectFaces(image)));
            Assert.Equal(data.Image(i).ToArray(), FacePreprocessor.Whole(image, 48));
        }
    }
}
