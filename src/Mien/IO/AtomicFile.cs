namespace Mien.IO;

/// <summary>
/// Whole-file writes that are never seen half done: the content goes to a temporary file beside the target, is
/// flushed to disk, and replaces the target by a rename. A kill at any moment leaves the old file or the new one, and
/// concurrent writers of one target each leave a whole file (the last rename wins).
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes UTF-8 text atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        using var w = new StreamWriter(s, leaveOpen: true);
        w.Write(text);
    });

    /// <summary>Writes bytes atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// The temporary file a write of <paramref name="path"/> goes through: <c>name.&lt;guid&gt;.tmp</c> beside it. Every
    /// writer of run files names its temporaries so, and <see cref="IsTemporary"/> recognises what a kill left behind.
    /// </summary>
    internal static string TemporaryFor(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    /// <summary>True for a file name made by <see cref="TemporaryFor"/> (also with a leading dot, as model files hide theirs).</summary>
    internal static bool IsTemporary(string fileName) => TemporaryName().IsMatch(fileName);

    [System.Text.RegularExpressions.GeneratedRegex(@"^.+\.[0-9a-f]{32}\.tmp$")]
    private static partial System.Text.RegularExpressions.Regex TemporaryName();

    /// <summary>Runs <paramref name="write"/> on a temporary file, fsyncs it, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        // A name of its own per write: two processes writing the same target must not share (and tear) one temporary file.
        string tmp = TemporaryFor(path);
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
