namespace Mien.Data;

/// <summary>A file inside a folder or an archive: its path relative to the root ('/'-separated) and its content.</summary>
public sealed record FileEntry(string RelativePath, long Length, Func<Stream> Open)
{
    /// <summary>The whole file's content.</summary>
    public byte[] ReadAllBytes()
    {
        using var s = Open();
        if (s is MemoryStream ms && ms.TryGetBuffer(out var seg) && seg.Offset == 0 && seg.Count == seg.Array!.Length) return seg.Array;
        using var copy = new MemoryStream(Length > 0 && Length < int.MaxValue ? (int)Length : 0);
        s.CopyTo(copy);
        return copy.ToArray();
    }
}
