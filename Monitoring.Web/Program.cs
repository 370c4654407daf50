using Monitoring.Core;
using Monitoring.Web;

var builder = WebApplication.CreateBuilder(args);
builder.AddMonitoringCore();
builder.AddMonitoringWeb();

var app = builder.Build();
await app.PrepareMonitoringAsync();
app.MapMonitoring();
app.Run();

/// <summary>Visible to WebApplicationFactory in tests and benchmarks.</summary>
public partial class Program;
