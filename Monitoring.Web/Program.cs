using Monitoring.Web;

var builder = WebApplication.CreateBuilder(MonitoringComposition.HostOptions(args));
builder.AddMonitoring();

var app = builder.Build();
await app.UseMonitoringAsync();
app.Run();

/// <summary>Visible to WebApplicationFactory in tests and benchmarks.</summary>
public partial class Program;
