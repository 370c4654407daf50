using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core;
using Monitoring.Core.Audit;
using Monitoring.Core.Jobs;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;
using Monitoring.Core.Workers;
using Monitoring.Web.Jobs;
using Monitoring.Web.Security.Accounts;
using Quartz;

namespace Monitoring.Web.Settings;

public enum SettingKind
{
    WholeNumber,
    Number,
    Boolean,
}

/// <param name="Job">The periodic job whose trigger this interval drives, if any.</param>
public sealed record SettingDefinition(string Key, SettingKind Kind, double Min, double Max, string Description, string? Job = null);

public sealed record SettingView(string Key, string Value, bool Overridden, SettingKind Kind, double Min, double Max, string Description);

/// <summary>Configuration an Admin may change while the process runs (SPEC §4 table and retention, demo, task
/// defaults). A change is validated as a whole — every bad key is reported and nothing is applied — then
/// persisted over appsettings.json, applied at once (options reload, pool resize, Quartz triggers
/// rescheduled) and audited with before and after.</summary>
public sealed class LiveSettings(
    IConfiguration configuration,
    IDbContextFactory<AccountStore> store,
    WorkerPool pool,
    ISchedulerFactory quartz,
    PeriodicJobMonitor jobs,
    AuditWriter audit,
    InstanceRole role,
    TimeProvider clock,
    IEnumerable<ISettingRules> rules,
    ILogger<LiveSettings> logger)
{
    private static readonly SemaphoreSlim Writer = new(1, 1);

    public static readonly IReadOnlyList<SettingDefinition> Catalogue =
    [
        new("Workers:Count", SettingKind.WholeNumber, 1, WorkerOptions.MaxCount, "Worker pool size (max concurrency); down drains busy workers"),
        new("Scheduler:IntervalSeconds", SettingKind.WholeNumber, 1, 3600, "Scheduler safety tick", SchedulerTickJob.JobName),
        new("Scheduler:MaxBatchSize", SettingKind.WholeNumber, 1, 256, "Most tasks placed on one GPU per round"),
        new("Scheduler:MinBatchSize", SettingKind.WholeNumber, 1, 256, "Fewest tasks worth starting on a GPU in a round"),
        new("Scheduler:BatchTimeoutSeconds", SettingKind.WholeNumber, 0, 3600, "Longest wait to fill MinBatchSize"),
        new("Scheduler:GpuSafetyMarginBytes", SettingKind.WholeNumber, 0, 1L << 40, "Free GPU memory a placement must leave (bytes)"),
        new("Scheduler:GpuSafetyMarginPercent", SettingKind.Number, 0, 90, "…or this share of the GPU's total, whichever is larger"),
        new("Probes:GpuIntervalSeconds", SettingKind.WholeNumber, 1, 3600, "GPU probe interval", GpuProbeJob.JobName),
        new("Probes:SystemIntervalSeconds", SettingKind.WholeNumber, 1, 3600, "System probe interval", SystemProbeJob.JobName),
        new("Probes:PerformanceIntervalSeconds", SettingKind.WholeNumber, 5, 3600, "Performance snapshot interval", PerformanceSnapshotJob.JobName),
        new("Retention:CompletedDays", SettingKind.WholeNumber, 1, 36500, "Days completed and cancelled tasks are kept"),
        new("Retention:FailedDays", SettingKind.WholeNumber, 1, 36500, "Days dead tasks are kept"),
        new("Retention:LogDays", SettingKind.WholeNumber, 1, 36500, "Days before log files are archived"),
        new("Tasks:DefaultMaxAttempts", SettingKind.WholeNumber, 1, 100, "Attempts for a task that does not say"),
        new("Tasks:DefaultTimeoutSeconds", SettingKind.WholeNumber, 1, 604800, "Timeout for a task that does not say"),
        new("Tasks:RetryBaseDelaySeconds", SettingKind.WholeNumber, 0, 3600, "Backoff before the second attempt (doubles)"),
        new("Tasks:RetryMaxDelaySeconds", SettingKind.WholeNumber, 0, 86400, "Longest backoff"),
        new("Demo:Enabled", SettingKind.Boolean, 0, 1, "Demo producer on"),
        new("Demo:TasksPerMinute", SettingKind.WholeNumber, 1, 6000, "Demo tasks per minute"),
        new("Demo:FailureRate", SettingKind.Number, 0, 1, "Share of demo tasks that fail"),
    ];

    public IReadOnlyList<SettingView> Current()
    {
        var provider = Provider;
        return Catalogue.Select(d => new SettingView(d.Key, configuration[d.Key] ?? "", provider.TryGet(d.Key, out _), d.Kind, d.Min, d.Max, d.Description)).ToList();
    }

    /// <summary>Every problem with a proposed change, keyed by setting; empty when it can be applied.</summary>
    public Dictionary<string, string[]> Validate(IReadOnlyDictionary<string, string?> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var errors = new Dictionary<string, string[]>();
        foreach (var (key, value) in changes)
        {
            var definition = Catalogue.FirstOrDefault(d => string.Equals(d.Key, key, StringComparison.OrdinalIgnoreCase));
            if (definition is null)
            {
                errors[key] = [$"{key} cannot be changed at run time (or does not exist); editable: {string.Join(", ", Catalogue.Select(d => d.Key))}."];
            }
            else if (Normalize(definition, value) is null)
            {
                errors[key] = [definition.Kind == SettingKind.Boolean
                    ? $"{definition.Key} must be true or false."
                    : $"{definition.Key} must be a {(definition.Kind == SettingKind.WholeNumber ? "whole number" : "number")} from {definition.Min.ToString(CultureInfo.InvariantCulture)} to {definition.Max.ToString(CultureInfo.InvariantCulture)}."];
            }
        }

        if (errors.Count == 0)
        {
            // The same cross-field rules start-up runs, on the configuration as it would be after the change.
            // Disposed: a chained configuration holds a registration on the live one's reload token until then.
            using var proposed = (ConfigurationRoot)new ConfigurationBuilder()
                .AddConfiguration(configuration, shouldDisposeConfiguration: false)
                .AddInMemoryCollection(changes.Select(c =>
                {
                    var definition = Catalogue.First(d => string.Equals(d.Key, c.Key, StringComparison.OrdinalIgnoreCase));
                    return KeyValuePair.Create(definition.Key, Normalize(definition, c.Value));
                }))
                .Build();
            foreach (var group in rules.SelectMany(r => r.Check(proposed)).GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors[group.Key] = group.Select(p => p.Message).ToArray();
            }
        }

        return errors;
    }

    /// <summary>Validates, persists and applies a change. Returns the problems instead when there are any.</summary>
    public Task<Dictionary<string, string[]>> ApplyAsync(Actor actor, IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken = default) =>
        ApplyAsync(actor, changes, "config.change", cancellationToken);

    /// <summary>Resizes the worker pool as a run-time setting, so the size survives a restart like any other
    /// change of <c>Workers:Count</c>; audited as <c>pool.resize</c>.</summary>
    public Task<Dictionary<string, string[]>> ResizePoolAsync(Actor actor, int size, CancellationToken cancellationToken = default) =>
        ApplyAsync(actor, new Dictionary<string, string?> { ["Workers:Count"] = size.ToString(CultureInfo.InvariantCulture) }, "pool.resize", cancellationToken);

    private async Task<Dictionary<string, string[]>> ApplyAsync(
        Actor actor, IReadOnlyDictionary<string, string?> changes, string auditAction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        await Writer.WaitAsync(cancellationToken);
        try
        {
            var errors = Validate(changes);
            if (errors.Count > 0 || changes.Count == 0)
            {
                return errors;
            }

            var normalized = changes.ToDictionary(
                c => Catalogue.First(d => string.Equals(d.Key, c.Key, StringComparison.OrdinalIgnoreCase)).Key,
                c => Normalize(Catalogue.First(d => string.Equals(d.Key, c.Key, StringComparison.OrdinalIgnoreCase)), c.Value)!);
            var before = normalized.Keys.ToDictionary(k => k, k => configuration[k]);
            Dictionary<string, string> all;
            await using (var db = await store.CreateDbContextAsync(cancellationToken))
            {
                var now = clock.GetUtcNow();
                foreach (var (key, value) in normalized)
                {
                    var row = await db.SettingOverrides.FirstOrDefaultAsync(o => o.Key == key, cancellationToken);
                    if (row is null)
                    {
                        db.SettingOverrides.Add(new SettingOverride { Key = key, Value = value, ChangedAt = now, ChangedBy = actor.Name });
                    }
                    else
                    {
                        row.Value = value;
                        row.ChangedAt = now;
                        row.ChangedBy = actor.Name;
                    }
                }

                await db.SaveChangesAsync(cancellationToken);
                all = await db.SettingOverrides.AsNoTracking().ToDictionaryAsync(o => o.Key, o => o.Value, cancellationToken);
            }

            Provider.Apply(all);
            await ApplySideEffectsAsync(normalized, cancellationToken);
            await audit.RecordAsync(actor, auditAction, "configuration", before, normalized, cancellationToken);
            logger.LogInformation("Configuration changed by {Actor}: {Changes}", actor.Name, string.Join(", ", normalized.Select(c => $"{c.Key}={c.Value}")));
            return errors;
        }
        finally
        {
            Writer.Release();
        }
    }

    private OverridesConfigurationProvider Provider =>
        ((IConfigurationRoot)configuration).Providers.OfType<OverridesConfigurationProvider>().Single();

    private async Task ApplySideEffectsAsync(Dictionary<string, string> changes, CancellationToken cancellationToken)
    {
        if (changes.TryGetValue("Workers:Count", out var count))
        {
            pool.Resize(int.Parse(count, CultureInfo.InvariantCulture));
        }

        var scheduler = await quartz.GetScheduler(cancellationToken);
        foreach (var (key, value) in changes)
        {
            if (Catalogue.First(d => d.Key == key).Job is not { } job)
            {
                continue;
            }

            var interval = TimeSpan.FromSeconds(int.Parse(value, CultureInfo.InvariantCulture));
            var trigger = TriggerBuilder.Create(clock)
                .WithIdentity(job)
                .ForJob(job)
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(interval).RepeatForever())
                .StartNow()
                .Build();
            await scheduler.RescheduleJob(new TriggerKey(job), trigger, cancellationToken);
            jobs.Register(job, interval);
        }
    }

    private static string? Normalize(SettingDefinition definition, string? value)
    {
        if (value is null)
        {
            return null;
        }

        switch (definition.Kind)
        {
            case SettingKind.Boolean:
                return bool.TryParse(value, out var flag) ? (flag ? "true" : "false") : null;
            case SettingKind.WholeNumber:
                return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && whole >= definition.Min && whole <= definition.Max
                    ? whole.ToString(CultureInfo.InvariantCulture) : null;
            default:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= definition.Min && number <= definition.Max
                    ? number.ToString(CultureInfo.InvariantCulture) : null;
        }
    }
}
