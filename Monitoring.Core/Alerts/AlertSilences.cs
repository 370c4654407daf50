using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Core.Audit;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Alerts;

/// <summary>What an operator asks for when silencing: matchers, a window and a reason. No start means now.</summary>
public sealed record SilenceDraft(
    IReadOnlyDictionary<string, string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Reason);

/// <summary>Time-boxed silences (SPEC §6), created and expired early by operators and audited
/// (<c>alert.silence.create</c>, <c>alert.silence.expire</c>).</summary>
public sealed class AlertSilences(
    IDbContextFactory<MonitoringDbContext> dbFactory, IOptionsMonitor<AlertOptions> options, InstanceRole role, TimeProvider clock, ILogger<AlertSilences> logger)
{
    public const int MaxListed = 500;

    /// <summary>Active and upcoming silences first, then the most recently ended.</summary>
    public async Task<IReadOnlyList<SilenceView>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var silences = await db.Silences.AsNoTracking().OrderByDescending(s => s.EndsAt).Take(MaxListed).ToListAsync(cancellationToken);
        return silences.Select(s => SilenceView.From(s, now))
            .OrderByDescending(s => s.ExpiredAt is null && s.EndsAt > now)
            .ThenByDescending(s => s.EndsAt)
            .ToList();
    }

    /// <exception cref="AlertValidationException"/>
    public async Task<SilenceView> CreateAsync(SilenceDraft draft, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        var now = clock.GetUtcNow();
        var startsAt = draft.StartsAt ?? now;
        var errors = new Dictionary<string, string[]>();
        if (draft.Matchers is null || draft.Matchers.Count == 0)
        {
            errors["matchers"] = ["matchers must name at least one label, e.g. {\"alertname\":\"GpuLost\"}."];
        }
        else
        {
            AlertLabelSet.Validate(draft.Matchers, "matchers", [], errors);
        }

        var maxLength = TimeSpan.FromHours(options.CurrentValue.MaxSilenceHours);
        if (draft.EndsAt is not { } endsAt)
        {
            errors["endsAt"] = ["endsAt is required (or durationMinutes)."];
        }
        else if (endsAt <= startsAt || endsAt <= now)
        {
            errors["endsAt"] = ["endsAt must be after startsAt and in the future."];
        }
        else if (endsAt - startsAt > maxLength)
        {
            errors["endsAt"] = [$"a silence may last at most {options.CurrentValue.MaxSilenceHours} hours ({AlertOptions.Section}:{nameof(AlertOptions.MaxSilenceHours)})."];
        }

        if (string.IsNullOrWhiteSpace(draft.Reason))
        {
            errors["reason"] = ["reason is required."];
        }
        else if (draft.Reason.Length > Silence.MaxReasonLength)
        {
            errors["reason"] = [$"reason may be at most {Silence.MaxReasonLength} characters."];
        }

        if (errors.Count > 0)
        {
            throw new AlertValidationException(errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var silence = new Silence
        {
            Matchers = AlertLabelSet.ToJson(draft.Matchers),
            StartsAt = startsAt,
            EndsAt = draft.EndsAt!.Value,
            Author = actor.Name.Length > Silence.MaxAuthorLength ? actor.Name[..Silence.MaxAuthorLength] : actor.Name,
            Reason = draft.Reason!.Trim(),
            CreatedAt = now,
        };
        db.Silences.Add(silence);
        await db.SaveChangesAsync(cancellationToken);
        var view = SilenceView.From(silence, now);
        AuditLog.Record(db, now, actor, "alert.silence.create", Target(silence), after: view);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Silence {Id} on {Matchers} until {EndsAt:O} created by {Actor}: {Reason}", silence.Id, silence.Matchers, silence.EndsAt, actor, silence.Reason);
        return view;
    }

    /// <summary>Ends a silence now. The next evaluation announces what it muted and still fires.</summary>
    /// <exception cref="AlertNotFoundException"/>
    /// <exception cref="AlertConflictException">It already ended or was expired.</exception>
    public async Task<SilenceView> ExpireAsync(long id, Actor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        role.EnsureWritable();
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var silence = await db.Silences.SingleOrDefaultAsync(s => s.Id == id, cancellationToken)
            ?? throw new AlertNotFoundException($"Silence {id} does not exist.");
        if (silence.ExpiredAt is not null || silence.EndsAt <= now)
        {
            throw new AlertConflictException($"Silence {id} already ended.");
        }

        var before = SilenceView.From(silence, now);
        silence.ExpiredAt = now;
        var after = SilenceView.From(silence, now);
        AuditLog.Record(db, now, actor, "alert.silence.expire", Target(silence), before, after);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Silence {Id} expired by {Actor}", id, actor);
        return after;
    }

    private static string Target(Silence silence) => $"silence:{silence.Id}";
}
