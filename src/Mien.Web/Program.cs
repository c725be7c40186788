using Mien.Web;

Mien.Runtime.NativeRuntime.Tune(); // the product's allocator and OpenMP settings, before any network (see Mien.Runtime.NativeRuntime)
WebApplication app;
try { app = MienService.Build(args); }
catch (Exception e) when (e is Mien.IO.MienException or FileNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
{
    // One line, no stack trace: a bad model path or setting is the user's to fix.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
await app.RunAsync();
return 0;
