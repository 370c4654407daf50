using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Security;

/// <summary><c>Auth:Mode=None</c>: a caller connecting over loopback is the local Admin; anyone
/// else is anonymous and refused. The host also refuses to bind non-loopback addresses in this mode
/// (<see cref="LoopbackBindingGuard"/>), so this is a second fence, not the only one.</summary>
internal sealed class LoopbackAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Loopback";
    public const string LocalUserName = "local";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!ClientAddress.IsLoopbackCaller(Context))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, LocalUserName),
                new Claim(ClaimTypes.Role, Roles.Admin),
                new Claim(Roles.ActorKindClaim, nameof(ActorKind.User)),
            ],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
