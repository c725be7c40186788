using Mien.Faces;

namespace Mien.Inference;

// How faces are found and read, whatever engine classifies them: compiled into Mien and (linked) into Mien.Onnx, like
// EmotionRecognizer.Faces.cs. The engine's own settings are in the other part of the record.
public sealed partial record RecognizerOptions
{
    /// <summary>Face detector settings (default: the tiny CNN, then the haar-alt cascade when it finds no face).</summary>
    public FaceDetectorOptions Detector { get; init; } = new();

    /// <summary>False: treat every image as one already-cropped face (like the training data).</summary>
    public bool DetectFaces { get; init; } = true;

    /// <summary>
    /// When the detector finds no face: retry on a copy padded on every side (tight face crops leave it no room), then,
    /// if the image is shaped like a face crop (<see cref="EmotionRecognizer.LooksLikeFaceCrop"/>), classify the whole
    /// image. <see cref="FacePrediction.FaceSource"/> says which happened. A faceless image costs a second detection.
    /// False: such images have no face.
    /// </summary>
    public bool FallbackWhenNoFace { get; init; } = true;

    /// <summary>Crop margin around a detected box; null = the margin stored with the model.</summary>
    public double? CropMargin { get; init; }

    /// <summary>
    /// Level the eyes of tilted faces before classifying (OpenCV eye cascade; a face whose eyes are not found is
    /// cropped as is). Off by default: the bundled model was trained on FER2013's unaligned crops.
    /// </summary>
    public bool AlignEyes { get; init; }

    /// <summary>Average each prediction with that of the mirrored face (slower, slightly more accurate).</summary>
    public bool FlipAverage { get; init; }
}
