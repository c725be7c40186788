using Mien.Inference;

namespace Mien.Web;

// The JSON answers of /v1 (snake_case, as MienJson and PredictionRecords): the prediction schema plus timings and the model.

/// <summary>Milliseconds spent on a request: reading and decoding the image, the networks (detector and classifier), all.</summary>
internal sealed record Timings(double DecodeMs, double InferenceMs, double TotalMs);

/// <summary>Which model answered.</summary>
internal sealed record ModelRef(string Name, string Version, DateTime CreatedUtc);

/// <summary><c>POST /v1/predict</c>: an <see cref="ImageRecord"/> without error, plus timings and the model.</summary>
internal sealed record PredictResponse(string File, int Width, int Height, IReadOnlyList<FaceRecord> Faces, Timings Timings, ModelRef Model);

/// <summary><c>POST /v1/predict/batch</c>: one record per image, in upload order; an unreadable image has its error and no faces.</summary>
internal sealed record BatchResponse(IReadOnlyList<ImageRecord> Images, Timings Timings, ModelRef Model);

/// <summary>A face of <c>POST /v1/explain</c>: its prediction and the Grad-CAM map of the explained class over the face crop.</summary>
internal sealed record ExplainedFace(BoxRecord Box, string Found, string Emotion, float Confidence, IReadOnlyDictionary<string, float> Probabilities,
    string ExplainedClass, float ExplainedProbability, string Layer, int HeatmapSize, float[] Heatmap);

/// <summary><c>POST /v1/explain?format=json</c>.</summary>
internal sealed record ExplainResponse(string File, int Width, int Height, IReadOnlyList<ExplainedFace> Faces, Timings Timings, ModelRef Model);

/// <summary><c>GET /v1/model</c>: the served model and the service's defaults and limits (no file paths).</summary>
internal sealed record ModelInfo(string Name, string Version, DateTime CreatedUtc, IReadOnlyList<string> Classes, int InputSize, string? Precision,
    string? TrainedOn, IReadOnlyDictionary<string, double> Metrics, string Detector, RequestDefaults Defaults, ServiceLimits Limits);

/// <summary>What a request gets when it sets no query option.</summary>
internal sealed record RequestDefaults(bool Detect, int MinFace, bool Align, bool Tta);

/// <summary>The service's limits, so that clients can check before sending.</summary>
internal sealed record ServiceLimits(long MaxBodyBytes, long MaxPixels, int MaxBatchImages, double RequestTimeoutSeconds);

/// <summary>A frame answered on <c>/v1/track</c>: its faces by track (see <see cref="TrackSocket"/>).</summary>
internal sealed record TrackedFrameRecord(int Frame, double Time, bool Cut, bool Detected, IReadOnlyList<TrackedFaceRecord> Faces);

/// <summary>A face on <c>/v1/track</c>: its track, box, how the box was found, the smoothed emotion, and raw and smoothed probabilities.</summary>
internal sealed record TrackedFaceRecord(int Track, BoxRecord Box, string Found, string Emotion, float Confidence, string RawEmotion, float RawConfidence,
    IReadOnlyDictionary<string, float> Raw, IReadOnlyDictionary<string, float> Smoothed);

/// <summary>A frame <c>/v1/track</c> could not use; the connection stays open.</summary>
internal sealed record TrackError(string Error, int Status);
