using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Web.Api;
using Monitoring.Web.Security;

namespace Monitoring.Web.Settings;

public static class ConfigApi
{
    /// <summary>Every setting at once, with room for long values such as a webhook address.</summary>
    private const long MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder routes)
    {
        var config = routes.MapGroup("/api/v1/system/config").WithTags("System");
        config.MapGet("/", Get).WithName("GetConfiguration").WithSummary("Every run-time setting with its effective value and whether it is overridden.")
            .RequireAuthorization(Roles.ViewPolicy);
        config.MapPost("/", Change).WithName("ChangeConfiguration")
            .WithSummary("Changes settings ({\"Workers:Count\": \"8\", …}): validated as a whole, persisted, applied at once, audited.")
            .Accepts<Dictionary<string, string>>("application/json")
            .RequireAuthorization(Roles.AdministerPolicy);
        return routes;
    }

    public static Ok<IReadOnlyList<SettingView>> Get(LiveSettings settings) => TypedResults.Ok(settings.Current());

    public static async Task<Results<Ok<IReadOnlyList<SettingView>>, ValidationProblem, ProblemHttpResult>> Change(HttpContext context, LiveSettings settings, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<Dictionary<string, JsonElement>>(context, MaxBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Count == 0)
        {
            return ApiProblems.Invalid("body", "Name at least one setting to change.");
        }

        var changes = body.ToDictionary(b => b.Key, b => b.Value.ValueKind switch
        {
            JsonValueKind.String => b.Value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => b.Value.GetRawText(),
            _ => null,
        });
        var errors = await settings.ApplyAsync(context.ToActor(), changes, cancellationToken);
        return errors.Count > 0 ? ApiProblems.Invalid(errors) : TypedResults.Ok(settings.Current());
    }
}
