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

    /// <summary>
    /// An image's content, refused unread (<see cref="InvalidDataException"/>) when it is over
    /// <see cref="ImageLimits.MaxDatasetImageBytes"/>, and read no further than that if the file grows meanwhile.
    /// </summary>
    internal byte[] ReadImageBytes()
    {
        long limit = ImageLimits.MaxDatasetImageBytes;
        if (Length > limit) throw new InvalidDataException($"{Length:N0} bytes, over the {limit:N0}-byte limit for a dataset image; not read");
        using var s = Open();
        if (s is MemoryStream ms && ms.TryGetBuffer(out var seg) && seg.Offset == 0 && seg.Count == seg.Array!.Length) return seg.Array;
        return IO.BoundedRead.ReadAtMost(s, Length, limit, RelativePath);
    }
}
