using System.Security.Claims;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Security;

public static class ActorExtensions
{
    /// <summary>The actor written to task events and the audit trail for a signed-in caller.</summary>
    public static Actor ToActor(this ClaimsPrincipal user, string? remoteAddress)
    {
        ArgumentNullException.ThrowIfNull(user);
        var name = user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? "unknown" : "anonymous";
        var kind = Enum.TryParse<ActorKind>(user.FindFirstValue(Roles.ActorKindClaim), out var k) ? k : ActorKind.User;
        return new Actor(name, kind, remoteAddress);
    }

    public static Actor ToActor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.User.ToActor(context.Connection.RemoteIpAddress?.ToString());
    }
}
