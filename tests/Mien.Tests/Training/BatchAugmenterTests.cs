using Mien.Training;
using TorchSharp;

namespace Mien.Tests.Training;

[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public class BatchAugmenterTests
{
    [Fact]
    public void Disabled_augmentation_is_the_identity_and_enabled_changes_images_but_not_shape()
    {
        using var x = torch.randn(8, 1, 48, 48);
        var off = new BatchAugmenter(AugmentationOptions.None, 0.25f, new torch.Generator(1));
        Assert.Same(x, off.Apply(x));
        var on = new BatchAugmenter(new AugmentationOptions(), 0.25f, new torch.Generator(1));
        using var y = on.Apply(x);
        Assert.Equal(x.shape, y.shape);
        Assert.False(y.allclose(x, 1e-3, 1e-3));
    }

    [Fact]
    public void Flip_only_mirrors_the_image()
    {
        using var x = torch.arange(16f).reshape(1, 1, 4, 4).repeat(64, 1, 1, 1);
        var flipOnly = new AugmentationOptions { MaxShift = 0, MaxScale = 0, MaxRotationDegrees = 0, Brightness = 0, Contrast = 0 };
        using var y = new BatchAugmenter(flipOnly, 1f, new torch.Generator(3)).Apply(x);
        int flipped = 0;
        for (int i = 0; i < 64; i++)
        {
            bool same = y[i].allclose(x[i], 1e-4, 1e-4), mirrored = y[i].allclose(x[i].flip(2), 1e-4, 1e-4);
            Assert.True(same || mirrored, $"image {i} is neither kept nor mirrored");
            if (mirrored) flipped++;
        }
        Assert.InRange(flipped, 16, 48);
    }
}
