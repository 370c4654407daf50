using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Monitoring.Web.Logs;

public static class MonitoringLoggingExtensions
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Serilog as the host's only logging provider: a readable console, rolling compact-JSON files in
    /// <c>{Storage:DataDirectory}/logs</c> and the in-memory <see cref="LogRingBuffer"/>; plus the log search and archiver.</summary>
    /// <remarks>Each host builds its own logger and disposes it with its services; the static <c>Log.Logger</c> is
    /// left alone, so many hosts in one process (tests) neither share nor close each other's files.
    /// Minimum levels: <c>Serilog:MinimumLevel</c> when present, otherwise <c>Logging:LogLevel</c>, otherwise
    /// Information with Microsoft.AspNetCore and Microsoft.EntityFrameworkCore at Warning.</remarks>
    public static WebApplicationBuilder AddMonitoringLogging(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LoggingOptions>().BindConfiguration(LoggingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LogRetentionOptions>().BindConfiguration(LogRetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => LogFolder.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new LogRingBuffer(sp.GetRequiredService<IOptions<LoggingOptions>>().Value.BufferCapacity));
        services.AddSingleton<LogSearch>();
        services.AddSingleton<LogArchiver>();

        // Picked up by ReadFrom.Services below; a later sink (e.g. a warning counter) registers beside them.
        services.AddSingleton<ILogEventEnricher, LogSequenceEnricher>();
        services.AddSingleton<ILogEventSink, LogRingBufferSink>();

        services.AddSerilog((sp, logger) => Configure(logger, sp), preserveStaticLogger: true);
        return builder;
    }

    private static void Configure(LoggerConfiguration logger, IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var options = services.GetRequiredService<IOptions<LoggingOptions>>().Value;
        var folder = services.GetRequiredService<LogFolder>();

        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning);
        if (!configuration.GetSection("Serilog:MinimumLevel").Exists())
        {
            ApplyMicrosoftLevels(logger, configuration.GetSection("Logging:LogLevel"));
        }

        logger.ReadFrom.Configuration(configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: CultureInfo.InvariantCulture)
            .WriteTo.File(
                new RenderedCompactJsonFormatter(),
                folder.RollingFilePath,
                fileSizeLimitBytes: options.FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: options.RetainedFileCount,
                rollingInterval: RollingInterval.Day,
                // Two hosts may share a data folder (a second process on the same database); shared appends stay whole lines.
                shared: true);
    }

    /// <summary>Keeps the <c>Logging:LogLevel</c> settings (appsettings, <c>Logging__LogLevel__Default</c>) meaningful under Serilog.</summary>
    private static void ApplyMicrosoftLevels(LoggerConfiguration logger, IConfigurationSection levels)
    {
        foreach (var setting in levels.GetChildren())
        {
            if (LogLevels.FromMicrosoft(setting.Value) is not { } level)
            {
                continue;
            }

            if (setting.Key == "Default")
            {
                logger.MinimumLevel.Is(level);
            }
            else
            {
                logger.MinimumLevel.Override(setting.Key, level);
            }
        }
    }
}
