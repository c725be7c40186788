namespace Mien.Cli.Commands;

/// <summary>Turns expected failures into one clear line on stderr and a non-zero exit code.</summary>
internal static class CliErrors
{
    public const int Failed = 1;
    public const int PartlyFailed = 2;

    public static async Task<int> Run(Func<CancellationToken, Task<int>> action, CancellationToken ct)
    {
        try { return await action(ct); }
        catch (Exception e) when (e is Mien.IO.MienException or ArgumentException
                                      or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException
                                      or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return 130;
        }
    }

    public static Task<int> Run(Func<CancellationToken, int> action, CancellationToken ct) => Run(c => Task.FromResult(action(c)), ct);
}
