using OpenCvSharp;

namespace Mien.Tests.Faces;

/// <summary>Real photos from ../shared/data/photos next to the repository; missing data fails, never skips.</summary>
internal static class TestPhotos
{
    public static string PathOf(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mien.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, $"Could not find the repository root (a folder with Mien.sln) above {AppContext.BaseDirectory}.");
        var path = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data", "photos", name));
        Assert.True(File.Exists(path), $"Test photo missing: {path}. The shared data folder must sit beside the repository.");
        return path;
    }

    public static Mat Load(string name, ImreadModes mode = ImreadModes.Color)
    {
        var path = PathOf(name);
        var image = Cv2.ImRead(path, mode);
        Assert.False(image.Empty(), $"OpenCV could not decode {path}.");
        return image;
    }
}
