using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Monitoring.Core.Tasks;
using Monitoring.Web.Security;

namespace Monitoring.Web.Components.Alerts;

/// <summary>The console's alert changes are authorized on the server, not only hidden from Viewers.</summary>
public static class OperatorAccess
{
    /// <summary>The actor to audit when the signed-in user may operate; null otherwise.</summary>
    public static async Task<Actor?> OperatorAsync(IAuthorizationService authorization, Task<AuthenticationState> state, ClientAddress? client)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        ArgumentNullException.ThrowIfNull(state);
        var user = (await state).User;
        return (await authorization.AuthorizeAsync(user, Roles.OperatePolicy)).Succeeded ? user.ToActor(client?.Address) : null;
    }
}
