using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Monitoring.Core.Audit;
using Monitoring.Web.Api;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Web.Security;

public static class AccountEndpoints
{
    /// <summary>Sign-out is a form POST with an antiforgery token, so another site cannot sign a user out.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        // The form holds an antiforgery token and a return address; Kestrel refuses more than this with a 413.
        routes.MapPost("/account/logout", SignOutAsync).WithName("SignOut").ExcludeFromDescription()
            .WithMetadata(new RequestSizeLimitAttribute(JsonBody.SmallBytes));
        return routes;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, SignInManager<MonitoringUser> signIn, AuditWriter audit, [FromForm] string? returnUrl)
    {
        if (context.User.Identity?.IsAuthenticated == true && context.User.Identity.AuthenticationType == IdentityConstants.ApplicationScheme)
        {
            await audit.RecordAsync(context.ToActor(), "auth.logout", $"user:{context.User.Identity.Name}", null, null, context.RequestAborted);
        }

        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(SecurityExtensions.LoginPath);
    }
}
