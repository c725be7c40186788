namespace Mien.IO;

/// <summary>Reading a stream whole without trusting its announced length.</summary>
internal static class BoundedRead
{
    /// <summary>Reads a stream to its end, throwing <see cref="InvalidDataException"/> once it passes <paramref name="limit"/> bytes.</summary>
    public static byte[] ReadAtMost(Stream s, long expected, long limit, string name)
    {
        using var copy = new MemoryStream(expected > 0 && expected <= limit && expected < int.MaxValue ? (int)expected : 0);
        var buffer = new byte[81920];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            if (copy.Length + n > limit) throw new InvalidDataException($"'{name}' is over the {limit:N0}-byte limit");
            copy.Write(buffer, 0, n);
        }
        return copy.ToArray();
    }
}
