namespace Mien.Cli.Commands;

/// <summary>
/// Live throughput of <c>mien video</c> on stderr: frames/s and the real-time factor, with a bar when the frame count
/// is known (files). Only on a terminal, and only when the rows themselves go elsewhere (a file or pipe): otherwise
/// the redrawn line would tear through the table.
/// </summary>
internal sealed class VideoProgress(int totalFrames)
{
    private readonly bool _live = !Console.IsErrorRedirected && Console.IsOutputRedirected;
    private TimeSpan _drawn = TimeSpan.MinValue;
    private bool _any;

    public void Update(int frames, TimeSpan elapsed, double sourceFps)
    {
        if (!_live || elapsed - _drawn < TimeSpan.FromMilliseconds(250)) return;
        _drawn = elapsed;
        _any = true;
        double fps = frames / Math.Max(elapsed.TotalSeconds, 1e-9);
        string rtf = sourceFps > 0 ? $"  {fps / sourceFps:F2}x real time" : "";
        string bar = "";
        if (totalFrames > 0)
        {
            int width = 24, filled = (int)Math.Round(width * Math.Min(1.0, (double)frames / totalFrames));
            bar = $"[{new string('#', filled)}{new string('.', width - filled)}] {frames}/{totalFrames}";
        }
        else bar = $"{frames} frames";
        Console.Error.Write($"\r{bar}  {fps,6:F1} frames/s{rtf}   ");
    }

    public void Finish()
    {
        if (_any) Console.Error.Write('\r' + new string(' ', 80) + '\r');
    }
}
