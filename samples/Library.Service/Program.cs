var builder = WebApplication.CreateBuilder(args);
builder.AddMicroserviceKit();

var app = builder.Build();
app.UseMicroserviceKit();
app.MapKitEndpoints();

app.Run();
