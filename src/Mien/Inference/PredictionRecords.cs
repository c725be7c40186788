using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mien.Inference;

/// <summary>
/// The one JSON schema of a prediction, shared by <c>mien predict</c> and <c>mien video</c> (jsonl) and the HTTP service:
/// snake_case names; per face its box, how it was found (<c>detected</c>, <c>padded</c>, <c>whole-image</c>), the top
/// emotion, its confidence and every class's probability.
/// </summary>
public static class PredictionRecords
{
    /// <summary>Compact (one line per record, for jsonl), snake_case, readable non-ASCII and quotes.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON record of a face.</summary>
    public static FaceRecord Of(FacePrediction f) =>
        new(new BoxRecord(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height), f.FaceSource.Name(), f.Emotion, f.Confidence, f.Probabilities);

    /// <summary>The JSON record of an image's prediction.</summary>
    public static ImageRecord Of(ImagePrediction p) => new(p.Source, p.Width, p.Height, p.Error, p.Faces.Select(Of).ToList());

    /// <summary>The JSON record of a video frame's prediction.</summary>
    public static FrameRecord Of(FramePrediction p) => new(p.Frame, Math.Round(p.TimeSeconds, 3), p.Faces.Select(Of).ToList());

    /// <summary>One line of JSON in the prediction schema.</summary>
    public static string ToJson<T>(T record) => JsonSerializer.Serialize(record, Options);
}
