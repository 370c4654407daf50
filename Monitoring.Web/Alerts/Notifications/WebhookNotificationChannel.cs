using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>The JSON body POSTed to <c>Alerts:Notifications:Webhook:Url</c> for each notification.</summary>
/// <param name="Status"><c>firing</c> or <c>resolved</c>.</param>
/// <param name="Severity"><c>info</c>, <c>warning</c> or <c>critical</c>.</param>
/// <param name="EndsAt">Null while firing.</param>
/// <param name="Fingerprint">Stable for one alert instance: pairs a resolved notification with its firing one.</param>
public sealed record WebhookPayload(
    string Status,
    string Alertname,
    string Severity,
    IReadOnlyDictionary<string, string> Labels,
    string Summary,
    double? Value,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string Fingerprint)
{
    public static WebhookPayload From(AlertNotification n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new(AlertNotificationText.Status(n.Kind), n.RuleName, AlertNotificationText.Severity(n.Severity), n.Labels,
            n.Summary, n.Value is { } v && double.IsFinite(v) ? v : null, n.StartsAt, n.EndsAt, n.Fingerprint);
    }
}

internal sealed class WebhookNotificationChannel(
    IHttpClientFactory httpClients, IOptions<AlertNotificationOptions> options, TimeProvider clock, ILogger<WebhookNotificationChannel> logger)
    : IAlertNotificationChannel
{
    public const string HttpClientName = "alerts.webhook";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly WebhookChannelOptions _options = options.Value.Webhook;

    public string Name => "webhook";

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.Url);

    public Task<DeliveryResult> DeliverAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var target = new Uri(_options.Url!);
        var payload = WebhookPayload.From(notification);
        return DeliveryRetry.RunAsync(Name, _options, clock, logger, async token =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WithoutUserInfo(target))
            {
                Content = JsonContent.Create(payload, options: Json),
            };
            if (!string.IsNullOrEmpty(target.UserInfo))
            {
                var credentials = Encoding.UTF8.GetBytes(Uri.UnescapeDataString(target.UserInfo));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(credentials));
            }

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, token);
            EnsureAccepted(response);
        }, cancellationToken);
    }

    /// <summary>2xx is delivered. 408, 429 and 5xx may pass on another try; any other 4xx will not.</summary>
    internal static void EnsureAccepted(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = (int)response.StatusCode;
        var message = $"HTTP {code} {response.ReasonPhrase}";
        if (code is >= 400 and < 500 && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
        {
            throw new PermanentDeliveryException(message);
        }

        throw new HttpRequestException(message, null, response.StatusCode);
    }

    private static Uri WithoutUserInfo(Uri uri) =>
        string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
}
