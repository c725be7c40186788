namespace Mien.Faces;

/// <summary>How a detected face is framed when it is cut out (FaceCropper in Mien, the same steps in Mien.Onnx).</summary>
public sealed record FaceCropOptions
{
    /// <summary>
    /// Fraction of the box side added on each side. FER2013's 48x48 faces are framed almost exactly like OpenCV's
    /// Haar frontal-face box: detecting haarcascade_frontalface_default on ~900 FER2013 test images (upscaled 4x,
    /// border-replicated) gave a box covering a median 97% of the frame, and re-cropping with margins 0, 0.02,
    /// 0.05, 0.10, 0.15 reproduced the original pixels with mean absolute errors 24.9, 24.7, 26.6, 31.3, 35.5
    /// (haar-alt2: 24.8, 24.0, 25.4, 30.1, 34.6). So the Haar box plus a little (0.02) matches what a model trained
    /// on FER2013 saw; CK+48 frames match the Haar box too. The LBP cascade's box is smaller and lower
    /// (median 66% of a FER frame), so with "lbp" use a margin of about 0.25.
    /// </summary>
    public double Margin { get; init; } = 0.02;

    /// <summary>Side of the square output in pixels (FER2013 and CK+48 use 48).</summary>
    public int OutputSize { get; init; } = 48;
}
