using Mien.Web;

Mien.Runtime.NativeAllocator.Tune(); // the product's allocator settings (see Mien.Runtime.NativeAllocator)
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
