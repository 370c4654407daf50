using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Web.Api;
using Monitoring.Web.Security;

namespace Monitoring.Web.Settings;

public static class ConfigApi
{
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

    public static async Task<Results<Ok<IReadOnlyList<SettingView>>, ValidationProblem>> Change(HttpContext context, LiveSettings settings, CancellationToken cancellationToken)
    {
        Dictionary<string, JsonElement>? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<Dictionary<string, JsonElement>>(cancellationToken);
        }
        catch (JsonException)
        {
            return ApiProblems.Invalid("body", "The body must be a JSON object of setting keys to values, e.g. {\"Workers:Count\": 8}.");
        }

        if (body is null || body.Count == 0)
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
