using System.IO.Compression;

namespace Mien.Data;

/// <summary>
/// A .zip archive read in place (no unzip step). Entries that would escape the root (<c>../</c>, absolute
/// paths) and entries that are enormous or suspiciously compressed (zip bombs) are refused.
/// </summary>
internal sealed class ZipFileTree : IFileTree
{
    /// <summary>Largest single entry accepted, uncompressed.</summary>
    public const long MaxEntryBytes = 256L << 20;

    /// <summary>Largest compression ratio accepted for entries over 1 MiB.</summary>
    public const double MaxCompressionRatio = 200;

    private readonly ZipArchive _archive;
    private readonly object _gate = new(); // ZipArchive is not safe for concurrent reads

    public ZipFileTree(string zipPath)
    {
        if (!File.Exists(zipPath)) throw new MienDataException($"Archive '{zipPath}' does not exist.");
        Origin = zipPath;
        try { _archive = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new MienDataException($"'{zipPath}' is not a readable .zip archive: {e.Message}", e); }

        var files = new List<FileEntry>();
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in _archive.Entries)
        {
            string name = entry.FullName.Replace('\\', '/');
            if (name.StartsWith('/') || name.Split('/').Any(p => p == "..") || (name.Length > 1 && name[1] == ':'))
                throw new MienDataException($"Archive '{zipPath}' has an entry that escapes its root: '{entry.FullName}'. Refusing the archive.");
            if (entry.Length > MaxEntryBytes)
                throw new MienDataException($"Archive '{zipPath}': entry '{name}' is {entry.Length:N0} bytes uncompressed (limit {MaxEntryBytes:N0}). Refusing the archive.");
            if (entry.Length > (1 << 20) && entry.CompressedLength > 0 && (double)entry.Length / entry.CompressedLength > MaxCompressionRatio)
                throw new MienDataException($"Archive '{zipPath}': entry '{name}' expands {entry.Length / entry.CompressedLength}x (a zip bomb?). Refusing the archive.");
            if (name.StartsWith("__MACOSX/", StringComparison.Ordinal)) continue;

            string[] parts = name.TrimEnd('/').Split('/');
            for (int i = 1; i < parts.Length; i++) dirs.Add(string.Join('/', parts[..i]));
            if (name.EndsWith('/')) { dirs.Add(name.TrimEnd('/')); continue; }
            if (parts[^1].StartsWith('.')) continue;
            var e = entry;
            files.Add(new FileEntry(name, entry.Length, () => Open(e)));
        }
        Files = files.OrderBy(f => f.RelativePath, StringComparer.Ordinal).ToList();
        Directories = dirs.ToList();
    }

    public string Origin { get; }
    public IReadOnlyList<FileEntry> Files { get; }
    public IReadOnlyList<string> Directories { get; }

    // Small entries are copied out under the lock so callers may read them from any thread;
    // large ones (a CSV) are streamed and must be read by one caller at a time.
    private Stream Open(ZipArchiveEntry entry)
    {
        if (entry.Length > (16 << 20)) return entry.Open();
        lock (_gate)
        {
            using var s = entry.Open();
            var buffer = new byte[entry.Length];
            s.ReadExactly(buffer);
            return new MemoryStream(buffer, 0, buffer.Length, writable: false, publiclyVisible: true);
        }
    }

    public void Dispose() => _archive.Dispose();
}
