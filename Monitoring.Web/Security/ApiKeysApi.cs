using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Web.Api;

namespace Monitoring.Web.Security;

public sealed record CreateApiKeyRequest(string? Name, string? Role);

public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/system/apikeys").WithTags("System").RequireAuthorization(Roles.AdministerPolicy);
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("API keys (never the secrets).");
        keys.MapPost("/", Create).WithName("CreateApiKey").WithSummary("Creates a key with a role; the secret is in this response only.")
            .Accepts<CreateApiKeyRequest>("application/json");
        keys.MapDelete("/{id:long}", Revoke).WithName("RevokeApiKey").WithSummary("Revokes a key at once.");
        return routes;
    }

    public static async Task<Ok<List<ApiKeyView>>> List(ApiKeyAdministration keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(cancellationToken));

    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem, ProblemHttpResult>> Create(HttpContext context, ApiKeyAdministration keys, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateApiKeyRequest>(context, JsonBody.SmallBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = ApiKeyAdministration.Validate(body?.Name, body?.Role);
        if (errors.Count > 0)
        {
            return ApiProblems.Invalid(errors);
        }

        var created = await keys.CreateAsync(context.ToActor(), body!.Name!, body.Role!, cancellationToken);
        return TypedResults.Created($"/api/v1/system/apikeys/{created.Key.Id}", created);
    }

    public static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> Revoke(long id, HttpContext context, ApiKeyAdministration keys, CancellationToken cancellationToken)
    {
        try
        {
            return await keys.RevokeAsync(context.ToActor(), id, cancellationToken) is { } revoked
                ? TypedResults.Ok(revoked)
                : ApiProblems.NotFound($"API key {id} does not exist.");
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
    }
}
