using Monitoring.Core.Scheduling;

namespace Monitoring.Web.Api;

/// <summary>Refuses every state-changing API request while another process owns the database (SPEC rule 2): one
/// check for all of <c>/api/</c>, so a new endpoint cannot forget it.</summary>
/// <remarks>
/// Every POST, PUT, PATCH and DELETE under <c>/api/</c> changes the database (tasks, pool size, settings, alert rules,
/// silences, API keys), so all of them are refused with a 409 problem naming the owner. Sign-in, sign-out and the
/// password change are not under <c>/api/</c> and stay open: they touch only the accounts tables and the caller's
/// cookie, never what the owner schedules, and a read-only console must still let people sign in to look.
/// A Core write path that finds the process read-only mid-request (the lease moved) throws
/// <see cref="ReadOnlyInstanceException"/>; it is turned into the same 409 here instead of a 500.
/// Runs after authorization, so an anonymous caller still gets 401 and a Viewer 403 first.
/// </remarks>
public sealed class ReadOnlyGuard(RequestDelegate next, InstanceRole role)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!ChangesState(context.Request))
        {
            await next(context);
            return;
        }

        if (role.Owner is { } owner)
        {
            await RefuseAsync(context, owner);
            return;
        }

        try
        {
            await next(context);
        }
        catch (ReadOnlyInstanceException ex) when (!context.Response.HasStarted)
        {
            await RefuseAsync(context, ex.Owner);
        }
    }

    private static bool ChangesState(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method))
        // An unknown route keeps its 404/405.
        && request.HttpContext.GetEndpoint() is not null;

    private static Task RefuseAsync(HttpContext context, string owner)
    {
        var problem = TypedResults.Problem(
            $"{InstanceRole.Describe(owner)}; this process changes nothing. Send the request to that process.",
            statusCode: StatusCodes.Status409Conflict, title: "Read-only instance",
            extensions: new Dictionary<string, object?> { ["owner"] = owner });
        return problem.ExecuteAsync(context);
    }
}

public static class ReadOnlyGuardExtensions
{
    public static IApplicationBuilder UseReadOnlyGuard(this IApplicationBuilder app) => app.UseMiddleware<ReadOnlyGuard>();
}
