namespace Mien.Data;

/// <summary>A read-only tree of files: a folder on disk or a .zip archive, read the same way.</summary>
public interface IFileTree : IDisposable
{
    /// <summary>What the tree was opened from (for messages).</summary>
    string Origin { get; }

    /// <summary>Every file, in a deterministic (ordinal path) order.</summary>
    IReadOnlyList<FileEntry> Files { get; }

    /// <summary>Every directory (relative, '/'-separated, no trailing slash), including empty ones.</summary>
    IReadOnlyList<string> Directories { get; }

    /// <summary>The one file the user named inside the tree (a labels CSV given by path), or null for the whole tree.</summary>
    string? Focus => null;
}
