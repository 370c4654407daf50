using Microsoft.AspNetCore.Antiforgery;
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
        // The form holds only an antiforgery token; Kestrel refuses a larger body. The antiforgery middleware reads
        // the form and records a bad or unreadable one (too large included) as invalid instead of throwing, which
        // form binding ([FromForm]) did, so a hostile form was an exception with a stack trace in the log.
        routes.MapPost("/account/logout", SignOutAsync).WithName("SignOut").ExcludeFromDescription()
            .WithMetadata(new RequestSizeLimitAttribute(JsonBody.SmallBytes), new RequireAntiforgeryTokenAttribute());
        return routes;
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, SignInManager<MonitoringUser> signIn, AuditWriter audit)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return TypedResults.Problem("The sign-out form's antiforgery token is missing or invalid; reload the page and sign out again.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid form");
        }

        if (context.User.Identity?.IsAuthenticated == true && context.User.Identity.AuthenticationType == IdentityConstants.ApplicationScheme)
        {
            await audit.RecordAsync(context.ToActor(), "auth.logout", $"user:{context.User.Identity.Name}", null, null, context.RequestAborted);
        }

        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(SecurityExtensions.LoginPath);
    }
}
