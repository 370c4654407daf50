using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core;

public static class MonitoringCoreExtensions
{
    /// <summary>Registers storage, the task queue and its read models.</summary>
    public static IHostApplicationBuilder AddMonitoringCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TaskOptions>().BindConfiguration(TaskOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddDbContextFactory<MonitoringDbContext>((sp, options) =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            options.UseSqlite(DatabaseInitializer.ConnectionString(storage))
                .AddInterceptors(new SqlitePragmas(storage.Synchronous, storage.BusyTimeoutMilliseconds));
        });

        services.AddSingleton<TaskQueue>();
        services.AddSingleton<TaskReader>();
        services.AddSingleton<TaskStatistics>();
        return builder;
    }
}
