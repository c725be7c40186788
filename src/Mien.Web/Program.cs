using Mien.Web;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMienRecognition(builder.Configuration);
var app = builder.Build();
app.MapMienEndpoints();
app.Run();
