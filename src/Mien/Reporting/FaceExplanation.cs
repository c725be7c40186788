using Mien.Faces;

namespace Mien.Reporting;

/// <summary>One explained face of an image: where it is, its Grad-CAM map, and the overlay PNG written for it.</summary>
public sealed record FaceExplanation(FaceBox Box, GradCamResult Cam, string File);
