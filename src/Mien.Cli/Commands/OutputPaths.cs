using Mien.IO;

namespace Mien.Cli.Commands;

/// <summary>
/// Output locations checked before any work: a folder (or a file's folder) that cannot be created fails at once,
/// naming the option and the path, instead of after the model has loaded and rows have been printed.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Creates the folder given to <paramref name="option"/>; null stays null.</summary>
    public static string? Folder(string? path, string option)
    {
        if (path is null) return null;
        if (File.Exists(path)) throw new MienException($"{option} '{path}' is a file; it takes a folder.");
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot create the {option} folder '{path}': {e.Message}", e); }
        return path;
    }

    /// <summary>Creates the folder of the file given to <paramref name="option"/>; null stays null.</summary>
    public static string? FileFolder(string? path, string option)
    {
        if (path is null) return null;
        if (Directory.Exists(path)) throw new MienException($"{option} '{path}' is a folder; it takes a file name.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot create the folder of {option} '{path}': {e.Message}", e); }
        return path;
    }
}
