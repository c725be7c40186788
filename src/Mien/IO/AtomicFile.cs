namespace Mien.IO;

/// <summary>
/// Whole-file writes that are never seen half done: the content goes to a temporary file beside the target, is
/// flushed to disk, and replaces the target by a rename. A kill at any moment leaves the old file or the new one, and
/// concurrent writers of one target each leave a whole file (the last rename wins).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true);
        w.Write(text);
    });

    /// <summary>Writes bytes atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>Runs <paramref name="write"/> on a temporary file, fsyncs it, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        // A name of its own per write: two processes writing the same target must not share (and tear) one temporary file.
        string tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var s = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(s);
                s.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
