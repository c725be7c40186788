using System.Runtime.InteropServices;
using System.Text;

namespace Mien.IO;

/// <summary>
/// Tells regular files from named pipes, devices and sockets before they are opened: opening a FIFO blocks until
/// some writer comes, and /dev/zero never ends, so either would hang a command that was handed one by mistake.
/// </summary>
internal static class RegularFile
{
    private static bool _noStatx;

    /// <summary>What the path is when it is not a regular file ("a named pipe (FIFO)", "a folder"...); null for a regular file, a missing path, or where the file type cannot be read.</summary>
    public static string? NotRegular(string path)
    {
        if (Directory.Exists(path)) return "a folder";
        if (!OperatingSystem.IsLinux() || _noStatx) return null;
        var buffer = new byte[256]; // struct statx
        var name = Encoding.UTF8.GetBytes(path + "\0");
        try
        {
            if (statx(AtFdCwd, name, 0, StatxType, buffer) != 0) return null; // missing or unreachable: the caller's open reports it
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _noStatx = true; // libc without statx (old glibc, musl < 1.2.5): such files then fail at open or read, by length
            return null;
        }
        int mode = BitConverter.ToUInt16(buffer, 28) & 0xF000; // stx_mode's file-type bits
        return mode switch
        {
            0x8000 => null,
            0x4000 => "a folder",
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "a special file",
        };
    }

    /// <summary>Opens a regular file for reading; anything else throws <see cref="IOException"/> naming what it is, without opening it.</summary>
    public static FileStream OpenRead(string path)
    {
        if (NotRegular(path) is { } kind) throw new IOException($"'{path}' is {kind}, not a regular file.");
        try { return File.OpenRead(path); }
        catch (UnauthorizedAccessException e) { throw new IOException($"'{path}' cannot be read: permission denied.", e); }
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 1;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int statx(int dirfd, byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
