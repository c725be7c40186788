using Mien.Web;

Mien.Runtime.NativeAllocator.Tune(); // the product's allocator settings (see Mien.Runtime.NativeAllocator)
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMienRecognition(builder.Configuration);
var app = builder.Build();
app.MapMienEndpoints();
app.Run();
