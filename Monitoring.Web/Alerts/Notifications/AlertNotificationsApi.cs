using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Web.Security;

namespace Monitoring.Web.Alerts.Notifications;

/// <param name="Channels">The enabled channels.</param>
/// <param name="Deliveries">The most recent delivery outcomes, newest first.</param>
public sealed record NotificationStatus(IReadOnlyList<string> Channels, IReadOnlyList<NotificationDelivery> Deliveries);

public static class AlertNotificationsApi
{
    public static IEndpointRouteBuilder MapAlertNotificationsApi(this IEndpointRouteBuilder routes)
    {
        var notifications = routes.MapGroup("/api/v1/alerts/notifications").WithTags("Alerts").RequireAuthorization(Roles.ViewPolicy);
        notifications.MapGet("", Status).WithName("AlertNotificationStatus")
            .WithSummary("The enabled notification channels and the most recent delivery outcomes, newest first.");
        return routes;
    }

    internal static Ok<NotificationStatus> Status(AlertNotificationDispatcher dispatcher, NotificationDeliveryLog deliveries) =>
        TypedResults.Ok(new NotificationStatus(dispatcher.Channels, deliveries.Recent()));
}
