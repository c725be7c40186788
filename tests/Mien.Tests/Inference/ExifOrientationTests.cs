using System.Buffers.Binary;
using Mien.Data;
using Mien.Inference;
using OpenCvSharp;

namespace Mien.Tests.Inference;

/// <summary>Phone photos store their pixels sideways and say so in EXIF: the decoder must turn them upright.</summary>
public class ExifOrientationTests
{
    /// <summary>
    /// The photo's pixels turned a quarter anticlockwise, as a phone held upright stores them, in a JPEG whose EXIF
    /// Orientation 6 says "turn 90° clockwise to display".
    /// </summary>
    internal static byte[] SidewaysJpeg(Mat upright)
    {
        using var stored = new Mat();
        Cv2.Rotate(upright, stored, RotateFlags.Rotate90Counterclockwise);
        var jpeg = stored.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
        // APP1 "Exif\0\0" + a big-endian TIFF block with one IFD entry: Orientation (0x0112), SHORT, 1 value, 6.
        var app1 = new byte[2 + 2 + 6 + 26];
        app1[0] = 0xFF; app1[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(app1.AsSpan(2), (ushort)(app1.Length - 2));
        "Exif\0\0"u8.CopyTo(app1.AsSpan(4));
        var tiff = app1.AsSpan(10);
        "MM\0*"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[4..], 8);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[8..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[10..], 0x0112);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[12..], 3);
        BinaryPrimitives.WriteUInt32BigEndian(tiff[14..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(tiff[18..], 6);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    [Fact]
    public void A_sideways_phone_photo_with_exif_orientation_6_gives_the_upright_result()
    {
        string photo = TestData.Shared("photos/astronaut.png");
        using var upright = Cv2.ImRead(photo);
        using var tmp = TestData.NewTempDir();
        File.WriteAllBytes(tmp["phone.jpg"], SidewaysJpeg(upright));
        // A plain (upright) JPEG of the same quality, so both go through the same compression.
        Cv2.ImWrite(tmp["upright.jpg"], upright, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));

        using (var decoded = ImageDecoder.ReadColor(tmp["phone.jpg"]))
        {
            Assert.Equal((upright.Width, upright.Height), (decoded.Width, decoded.Height));
            using var diff = new Mat();
            Cv2.Absdiff(decoded, upright, diff);
            Assert.True(Cv2.Mean(diff).Val0 < 4, $"the decoded photo differs from the upright one by {Cv2.Mean(diff).Val0:F1} on average");
        }

        using var recognizer = EmotionRecognizer.LoadDefault();
        var results = recognizer.PredictMany([tmp["upright.jpg"], tmp["phone.jpg"]]).ToList();
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(results[0].Faces.Count, results[1].Faces.Count);
        Assert.Equal("happy", results[0].Faces[0].Emotion);
        Assert.Equal(results[0].Faces[0].Emotion, results[1].Faces[0].Emotion);
    }
}
