using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core.Alerts;
using Monitoring.Web.Api;
using Monitoring.Web.Live;
using Monitoring.Web.Security;

namespace Monitoring.Web.Alerts;

/// <summary>A rule in a request body. On update, fields left out keep their values.</summary>
public sealed record AlertRuleRequest(
    string? Name, string? Metric, Dictionary<string, string>? Matchers, string? Comparison, double? Threshold, int? ForSeconds,
    int? KeepFiringForSeconds, string? Severity, Dictionary<string, string>? Labels, string? Summary, bool? Enabled)
{
    public AlertRuleDraft ToDraft() => new()
    {
        Name = Name, Metric = Metric, Matchers = Matchers, Comparison = Comparison, Threshold = Threshold, ForSeconds = ForSeconds,
        KeepFiringForSeconds = KeepFiringForSeconds, Severity = Severity, Labels = Labels, Summary = Summary, Enabled = Enabled,
    };
}

/// <summary>A silence in a request body: <c>endsAt</c> or <c>durationMinutes</c>; no <c>startsAt</c> means now.</summary>
public sealed record SilenceRequest(Dictionary<string, string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, int? DurationMinutes, string? Reason);

/// <summary><c>status</c> and <c>severity</c> take one value or a comma-separated list.</summary>
public sealed record AlertListQuery(string? Status, string? Severity);

/// <summary>Bound as text, so a bad number gets a 400 that names its field and an empty one reads as absent.</summary>
public sealed record AlertHistoryQuery(string? RuleId, string? From, string? To, string? Limit);

public static class AlertsApi
{
    /// <summary>A rule or silence is a few names, matchers and a summary.</summary>
    private const long MaxBodyBytes = JsonBody.SmallBytes;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder routes)
    {
        var alerts = routes.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireAuthorization(Roles.ViewPolicy);
        alerts.MapGet("/", ListAlerts).WithName("ListAlerts").WithSummary("Alert instances, firing first; filter by status and severity.");
        alerts.MapGet("/history", History).WithName("AlertHistory").WithSummary("State transitions of alert instances, newest first.");

        alerts.MapGet("/rules", ListRules).WithName("ListAlertRules").WithSummary("Every alert rule, built-in and user-defined.");
        alerts.MapGet("/rules/{id:long}", GetRule).WithName("GetAlertRule").WithSummary("One alert rule.");
        alerts.MapPost("/rules", CreateRule).WithName("CreateAlertRule").WithSummary("Creates a rule (audited).")
            .Accepts<AlertRuleRequest>("application/json").RequireAuthorization(Roles.OperatePolicy);
        alerts.MapPut("/rules/{id:long}", UpdateRule).WithName("UpdateAlertRule")
            .WithSummary("Changes a rule; fields left out keep their values (audited). Built-in rules can be edited and disabled.")
            .Accepts<AlertRuleRequest>("application/json").RequireAuthorization(Roles.OperatePolicy);
        alerts.MapDelete("/rules/{id:long}", DeleteRule).WithName("DeleteAlertRule")
            .WithSummary("Deletes a user rule (audited); a built-in rule answers 409 — disable it instead.").RequireAuthorization(Roles.OperatePolicy);

        alerts.MapGet("/silences", ListSilences).WithName("ListSilences").WithSummary("Silences, active first.");
        alerts.MapPost("/silences", CreateSilence).WithName("CreateSilence").WithSummary("Mutes matching alerts for a while (audited).")
            .Accepts<SilenceRequest>("application/json").RequireAuthorization(Roles.OperatePolicy);
        alerts.MapDelete("/silences/{id:long}", ExpireSilence).WithName("ExpireSilence").WithSummary("Ends a silence now (audited).")
            .RequireAuthorization(Roles.OperatePolicy);
        return routes;
    }

    public static async Task<Results<Ok<IReadOnlyList<AlertInstanceView>>, ValidationProblem>> ListAlerts(
        [AsParameters] AlertListQuery query, AlertReader reader, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var states = ParseList(query.Status, "status", (string text, out AlertState state) => Enum.TryParse(text, ignoreCase: true, out state), "Inactive, Pending, Firing, Resolved, NoData", errors);
        var severities = ParseList<AlertSeverity>(query.Severity, "severity", AlertSeverities.TryParse, "info, warning, critical", errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await reader.InstancesAsync(states, severities, cancellationToken));
    }

    public static async Task<Results<Ok<IReadOnlyList<AlertHistoryView>>, ValidationProblem>> History(
        [AsParameters] AlertHistoryQuery query, AlertReader reader, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var from = QueryFields.Time(query.From, "from", errors);
        var to = QueryFields.Time(query.To, "to", errors);
        var ruleId = QueryFields.Id(query.RuleId, "ruleId", errors);
        var limit = QueryFields.WholeNumber(query.Limit, "limit", 1, AlertReader.MaxHistory, 100, errors);

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await reader.HistoryAsync(new AlertHistoryFilter(ruleId, from, to, limit), cancellationToken));
    }

    public static async Task<Ok<IReadOnlyList<AlertRuleView>>> ListRules(AlertRules rules, CancellationToken cancellationToken) =>
        TypedResults.Ok(await rules.ListAsync(cancellationToken));

    public static async Task<Results<Ok<AlertRuleView>, ProblemHttpResult>> GetRule(long id, AlertRules rules, CancellationToken cancellationToken) =>
        await rules.GetAsync(id, cancellationToken) is { } rule ? TypedResults.Ok(rule) : ApiProblems.NotFound($"Alert rule {id} does not exist.");

    public static async Task<Results<Created<AlertRuleView>, ValidationProblem, ProblemHttpResult>> CreateRule(
        HttpContext context, AlertRules rules, LiveFeed feed, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AlertRuleRequest>(context, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var rule = await rules.CreateAsync(body!.ToDraft(), context.ToActor(), cancellationToken);
            feed.Publish(new AlertUpdate(clock.GetUtcNow(), 0, 0));
            return TypedResults.Created($"/api/v1/alerts/rules/{rule.Id}", rule);
        }
        catch (AlertValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors);
        }
    }

    public static async Task<Results<Ok<AlertRuleView>, ValidationProblem, ProblemHttpResult>> UpdateRule(
        long id, HttpContext context, AlertRules rules, LiveFeed feed, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AlertRuleRequest>(context, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var rule = await rules.UpdateAsync(id, body!.ToDraft(), context.ToActor(), cancellationToken);
            feed.Publish(new AlertUpdate(clock.GetUtcNow(), 0, 0));
            return TypedResults.Ok(rule);
        }
        catch (AlertNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (AlertValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(
        long id, HttpContext context, AlertRules rules, LiveFeed feed, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            await rules.DeleteAsync(id, context.ToActor(), cancellationToken);
            feed.Publish(new AlertUpdate(clock.GetUtcNow(), 0, 0));
            return TypedResults.NoContent();
        }
        catch (AlertNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (AlertConflictException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
    }

    public static async Task<Ok<IReadOnlyList<SilenceView>>> ListSilences(AlertSilences silences, CancellationToken cancellationToken) =>
        TypedResults.Ok(await silences.ListAsync(cancellationToken));

    public static async Task<Results<Created<SilenceView>, ValidationProblem, ProblemHttpResult>> CreateSilence(
        HttpContext context, AlertSilences silences, LiveFeed feed, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<SilenceRequest>(context, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.EndsAt is not null && body.DurationMinutes is not null)
        {
            return ApiProblems.Invalid("durationMinutes", "give endsAt or durationMinutes, not both.");
        }

        if (body.DurationMinutes is <= 0)
        {
            return ApiProblems.Invalid("durationMinutes", "durationMinutes must be positive.");
        }

        var endsAt = body.EndsAt ?? (body.DurationMinutes is { } minutes ? (body.StartsAt ?? clock.GetUtcNow()).AddMinutes(minutes) : null);
        try
        {
            var silence = await silences.CreateAsync(new SilenceDraft(body.Matchers, body.StartsAt, endsAt, body.Reason), context.ToActor(), cancellationToken);
            feed.Publish(new AlertUpdate(clock.GetUtcNow(), 0, 0));
            return TypedResults.Created($"/api/v1/alerts/silences/{silence.Id}", silence);
        }
        catch (AlertValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors);
        }
    }

    public static async Task<Results<Ok<SilenceView>, ProblemHttpResult>> ExpireSilence(
        long id, HttpContext context, AlertSilences silences, LiveFeed feed, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            var silence = await silences.ExpireAsync(id, context.ToActor(), cancellationToken);
            feed.Publish(new AlertUpdate(clock.GetUtcNow(), 0, 0));
            return TypedResults.Ok(silence);
        }
        catch (AlertNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (AlertConflictException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static List<T>? ParseList<T>(string? text, string field, TryParse<T> parse, string allowed, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Enum.TryParse would also take numbers ("7"); only names are states.
            if (char.IsAsciiDigit(part[0]) || !parse(part, out var value))
            {
                errors[field] = [$"{field} '{part}' is not one of {allowed}."];
                return null;
            }

            values.Add(value);
        }

        return values;
    }
}
