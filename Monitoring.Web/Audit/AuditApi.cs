using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Monitoring.Core.Audit;
using Monitoring.Core.Storage;
using Monitoring.Web.Api;
using Monitoring.Web.Security;
using Monitoring.Web.Tasks;

namespace Monitoring.Web.Audit;

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, long Total, int Page, int PageSize);

/// <summary>Filters of <c>GET /api/v1/audit</c>.</summary>
public sealed class AuditQuery
{
    [FromQuery(Name = "from")] public string? From { get; init; }
    [FromQuery(Name = "to")] public string? To { get; init; }
    /// <summary>Exact actor name (a user, <c>apikey:&lt;name&gt;</c>, <c>system</c>).</summary>
    [FromQuery(Name = "actor")] public string? Actor { get; init; }
    /// <summary>An action (<c>task.retry</c>) or a prefix ending in a dot (<c>task.</c>).</summary>
    [FromQuery(Name = "action")] public string? Action { get; init; }
    [FromQuery(Name = "page")] public string? Page { get; init; }
    [FromQuery(Name = "pageSize")] public string? PageSize { get; init; }
    /// <summary><c>json</c> (default, paged) or <c>csv</c> (every match, streamed).</summary>
    [FromQuery(Name = "format")] public string? Format { get; init; }
}

/// <summary>The audit trail is read-only through every interface: there is no endpoint that edits or deletes it.</summary>
public static class AuditApi
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/audit", List).WithTags("Audit").WithName("ListAudit")
            .WithSummary("Operator actions newest first: who, when, what, before/after. format=csv streams every match.")
            .RequireAuthorization(Roles.ViewPolicy);
        return routes;
    }

    public static async Task<Results<Ok<AuditPage>, AuditCsv, ValidationProblem>> List(
        [AsParameters] AuditQuery query, IDbContextFactory<MonitoringDbContext> dbFactory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var from = QueryFields.Time(query.From, "from", errors);
        var to = QueryFields.Time(query.To, "to", errors);
        if (from > to)
        {
            errors["from"] = ["from must not be after to."];
        }

        var page = QueryFields.WholeNumber(query.Page, "page", 1, int.MaxValue, 1, errors);
        var pageSize = QueryFields.WholeNumber(query.PageSize, "pageSize", 1, MaxPageSize, DefaultPageSize, errors);
        var format = QueryFields.Text(query.Format)?.ToLowerInvariant() ?? "json";
        if (format is not ("json" or "csv"))
        {
            errors["format"] = ["format must be json or csv."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var filter = new AuditFilter(from, to, QueryFields.Text(query.Actor), QueryFields.Text(query.Action));
        IQueryable<AuditEntry> Filter(MonitoringDbContext db) => filter.Apply(db.AuditEntries.AsNoTracking());

        if (format == "csv")
        {
            return new AuditCsv(dbFactory, Filter, clock.GetUtcNow());
        }

        await using var context = await dbFactory.CreateDbContextAsync(cancellationToken);
        var filtered = Filter(context);
        var total = await filtered.LongCountAsync(cancellationToken);
        var items = Paging.Offset(page, pageSize) is { } skip
            ? await filtered.OrderByDescending(a => a.Id).Skip(skip).Take(pageSize).ToListAsync(cancellationToken)
            : [];
        return TypedResults.Ok(new AuditPage(items, total, page, pageSize));
    }
}

/// <summary>Streams the whole filtered trail as CSV, in id order, a thousand rows per read.</summary>
public sealed class AuditCsv(IDbContextFactory<MonitoringDbContext> dbFactory, Func<MonitoringDbContext, IQueryable<AuditEntry>> filter, DateTimeOffset at) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"audit-{at.UtcDateTime:yyyyMMdd-HHmmss}.csv\"";
        await using var writer = new StreamWriter(response.Body, new System.Text.UTF8Encoding(false));
        await writer.WriteLineAsync("id,at,actor,actorKind,action,target,remoteAddress,before,after");
        var lastId = 0L;
        while (true)
        {
            List<AuditEntry> rows;
            await using (var db = await dbFactory.CreateDbContextAsync(httpContext.RequestAborted))
            {
                rows = await filter(db).Where(a => a.Id > lastId).OrderBy(a => a.Id).Take(1000).ToListAsync(httpContext.RequestAborted);
            }

            foreach (var a in rows)
            {
                await writer.WriteLineAsync(string.Join(',',
                    TaskExport.Csv(a.Id), TaskExport.Csv(a.At), TaskExport.Csv(a.Actor), TaskExport.Csv(a.ActorKind), TaskExport.Csv(a.Action),
                    TaskExport.Csv(a.Target), TaskExport.Csv(a.RemoteAddress), TaskExport.Csv(a.Before), TaskExport.Csv(a.After)));
            }

            if (rows.Count < 1000)
            {
                break;
            }

            lastId = rows[^1].Id;
        }

        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
