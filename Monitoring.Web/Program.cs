using Monitoring.Core;
using Monitoring.Gpu;
using Monitoring.Web;
using Monitoring.Web.Jobs;
using Monitoring.Web.Logs;

var builder = WebApplication.CreateBuilder(args);
builder.AddMonitoringLogging();
builder.AddMonitoringCore();
builder.AddMonitoringGpu();
builder.AddMonitoringScheduling();
builder.AddMonitoringWeb();
builder.AddPeriodicJobs();

var app = builder.Build();
await app.PrepareMonitoringAsync();
app.MapMonitoring();
app.Run();

/// <summary>Visible to WebApplicationFactory in tests and benchmarks.</summary>
public partial class Program;
