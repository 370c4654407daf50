var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.Run();

/// <summary>Visible to WebApplicationFactory in tests and benchmarks.</summary>
public partial class Program;
