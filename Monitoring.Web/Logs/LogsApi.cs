using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Web.Api;
using Monitoring.Web.Security;

namespace Monitoring.Web.Logs;

public static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/api/v1/system/logs", SearchLogs)
            .WithTags("System")
            .WithName("SearchLogs")
            .WithSummary("Searches the recent in-memory log and the log files (not the compressed archive), newest first.")
            .RequireAuthorization(Roles.ViewPolicy);
        return routes;
    }

    public static async Task<Results<Ok<LogSearchResult>, ValidationProblem>> SearchLogs(
        [AsParameters] LogSearchQuery query, LogSearch search, CancellationToken cancellationToken)
    {
        if (!query.TryParse(out var filter, out var errors))
        {
            return ApiProblems.Invalid(errors);
        }

        return TypedResults.Ok(await search.SearchAsync(filter, cancellationToken));
    }
}
