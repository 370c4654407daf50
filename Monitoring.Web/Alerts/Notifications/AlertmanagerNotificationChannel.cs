using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>One alert in the body of Alertmanager's <c>POST /api/v2/alerts</c>.</summary>
internal sealed record AlertmanagerAlert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? EndsAt,
    [property: JsonPropertyName("generatorURL"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GeneratorUrl);

/// <summary>Hands alerts to a Prometheus Alertmanager, which then groups, inhibits, silences and routes them.
/// A firing alert is sent without <c>endsAt</c>, so Alertmanager resolves it by itself after its
/// <c>resolve_timeout</c> unless it hears of it again: firing alerts are therefore remembered (bounded, by
/// fingerprint) and re-posted every <c>ResendIntervalSeconds</c>. A resolved one is posted with its <c>endsAt</c>.</summary>
internal sealed class AlertmanagerNotificationChannel(
    IHttpClientFactory httpClients, IOptions<AlertNotificationOptions> options, TimeProvider clock, ILogger<AlertmanagerNotificationChannel> logger)
    : IRepeatingAlertNotificationChannel, IDisposable
{
    public const string HttpClientName = "alerts.alertmanager";

    private readonly AlertmanagerChannelOptions _options = options.Value.Alertmanager;
    private readonly Dictionary<string, AlertmanagerAlert> _firing = new(StringComparer.Ordinal);
    // One post at a time: a re-post of an alert must not overtake its resolution and revive it.
    private readonly SemaphoreSlim _posting = new(1, 1);

    public string Name => "alertmanager";

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.Url);

    public TimeSpan RepeatInterval => TimeSpan.FromSeconds(_options.ResendIntervalSeconds);

    public int FiringCount
    {
        get
        {
            lock (_firing)
            {
                return _firing.Count;
            }
        }
    }

    public async Task<DeliveryResult> DeliverAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var alert = ToAlert(notification, clock.GetUtcNow());
        lock (_firing)
        {
            if (notification.Kind == AlertNotificationKind.Resolved)
            {
                _firing.Remove(notification.Fingerprint);
            }
            else if (_firing.Count < _options.MaxFiring || _firing.ContainsKey(notification.Fingerprint))
            {
                _firing[notification.Fingerprint] = alert;
            }
            else
            {
                logger.LogError("More than {MaxFiring} alerts fire at once: {AlertName} ({Fingerprint}) is posted to Alertmanager once but not " +
                    "re-posted, so Alertmanager will resolve it after its resolve_timeout", _options.MaxFiring, notification.RuleName, notification.Fingerprint);
            }
        }

        return await PostAsync([alert], cancellationToken);
    }

    public async Task RepeatAsync(CancellationToken cancellationToken)
    {
        List<AlertmanagerAlert> firing;
        lock (_firing)
        {
            firing = [.. _firing.Values];
        }

        if (firing.Count == 0)
        {
            return;
        }

        var result = await PostAsync(firing, cancellationToken);
        if (result.Delivered)
        {
            logger.LogDebug("Re-posted {Count} firing alert(s) to Alertmanager", firing.Count);
        }
        else
        {
            logger.LogError("Re-posting {Count} firing alert(s) to Alertmanager failed after {Attempts} attempt(s): {Error}",
                firing.Count, result.Attempts, result.Error);
        }
    }

    public void Dispose() => _posting.Dispose();

    private async Task<DeliveryResult> PostAsync(IReadOnlyList<AlertmanagerAlert> alerts, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(_options.Url!.TrimEnd('/') + "/api/v2/alerts");
        await _posting.WaitAsync(cancellationToken);
        try
        {
            return await DeliveryRetry.RunAsync(Name, _options, clock, logger, async token =>
            {
                using var response = await httpClients.CreateClient(HttpClientName).PostAsJsonAsync(endpoint, alerts, token);
                WebhookNotificationChannel.EnsureAccepted(response);
            }, cancellationToken);
        }
        finally
        {
            _posting.Release();
        }
    }

    private AlertmanagerAlert ToAlert(AlertNotification n, DateTimeOffset now)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in n.Labels)
        {
            // An empty value means "no such label" in Prometheus' model.
            if (!string.IsNullOrEmpty(value))
            {
                labels[LabelName(name)] = value;
            }
        }

        labels.TryAdd("alertname", n.RuleName);
        labels.TryAdd("severity", AlertNotificationText.Severity(n.Severity));
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["summary"] = n.Summary };
        if (n.Value is { } number && double.IsFinite(number))
        {
            annotations["value"] = number.ToString("G6", CultureInfo.InvariantCulture);
        }

        DateTimeOffset? endsAt = n.Kind == AlertNotificationKind.Resolved ? n.EndsAt ?? now : null;
        return new AlertmanagerAlert(labels, annotations, n.StartsAt, endsAt, string.IsNullOrWhiteSpace(_options.GeneratorUrl) ? null : _options.GeneratorUrl);
    }

    /// <summary>Alertmanager 0.25 accepts only Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*.</summary>
    internal static string LabelName(string name)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
