using Monitoring.Core.Jobs;
using Quartz;

namespace Monitoring.Web.Jobs;

/// <summary>A Quartz job that reports every run to the <see cref="PeriodicJobMonitor"/>: start, duration, outcome.</summary>
public abstract class MonitoredJob(PeriodicJobMonitor monitor, ILogger logger) : IJob
{
    protected abstract string Name { get; }

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        monitor.Started(Name);
        Exception? error = null;
        try
        {
            await RunAsync(cancellationToken);
        }
#pragma warning disable CA1031 // The failure is recorded (health shows it) and logged; the next run tries again.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            error = ex;
            logger.LogError(ex, "Periodic job {Job} failed", Name);
        }
        finally
        {
            monitor.Finished(Name, error);
        }
    }

    protected abstract Task RunAsync(CancellationToken cancellationToken);
}
