namespace Mien.Inference;

/// <summary>How the face of a <see cref="FacePrediction"/> was found. Outputs name it with <see cref="FaceSourceNames.Name"/>.</summary>
public enum FaceSource
{
    /// <summary>The face detector found it in the image as given.</summary>
    Detected,

    /// <summary>
    /// Found only on a copy of the image padded on every side: in a tight face crop the face fills the frame, and the
    /// detector misses a face whose surroundings (hair, chin, background) are cut off. The box is clipped to the image.
    /// </summary>
    Padded,

    /// <summary>
    /// The whole image was classified as one face: detection was off, or it found nothing even padded in an image
    /// shaped like a face crop (<see cref="EmotionRecognizer.LooksLikeFaceCrop"/>).
    /// </summary>
    WholeImage,

    /// <summary>
    /// Video: the detector was not run on this frame; the box is where the face's track's motion model puts it
    /// (<c>TrackingOptions.DetectEvery</c>).
    /// </summary>
    Tracked,
}
