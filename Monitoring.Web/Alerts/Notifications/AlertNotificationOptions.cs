using System.ComponentModel.DataAnnotations;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>Where alert notifications go besides the log (<c>Alerts:Notifications:*</c>). A channel is on
/// only when its address is configured: <c>Webhook:Url</c>, <c>Smtp:Host</c>, <c>Alertmanager:Url</c>.</summary>
public sealed class AlertNotificationOptions
{
    public const string Section = "Alerts:Notifications";

    /// <summary>Notifications waiting for delivery; beyond it the oldest is dropped (and logged).</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Delivery outcomes kept for <c>GET /api/v1/alerts/notifications</c>.</summary>
    [Range(1, 10_000)]
    public int HistorySize { get; set; } = 200;

    public WebhookChannelOptions Webhook { get; set; } = new();
    public SmtpChannelOptions Smtp { get; set; } = new();
    public AlertmanagerChannelOptions Alertmanager { get; set; } = new();
}

/// <summary>How a delivery over the network is attempted: each attempt bounded by a timeout, failures retried
/// with exponential backoff (1 s, 2 s, 4 s … capped at 60 s) until the attempts are spent.</summary>
/// <remarks>Ranges of the channel settings are checked by <see cref="ValidateAlertNotificationOptions"/>:
/// data annotations do not reach into nested objects.</remarks>
public abstract class DeliveryOptions
{
    public int TimeoutSeconds { get; set; } = 10;
    public int MaxAttempts { get; set; } = 5;
}

public sealed class WebhookChannelOptions : DeliveryOptions
{
    /// <summary>Receives a JSON POST per notification. User info in the URL is sent as basic authentication
    /// and never logged.</summary>
    public string? Url { get; set; }
}

public enum SmtpSecurity
{
    None,
    StartTls,
    Ssl,
}

public sealed class SmtpChannelOptions : DeliveryOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 25;

    /// <summary><c>None</c>, <c>StartTls</c> (upgrade after connecting) or <c>Ssl</c> (TLS from the start, port 465).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? User { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }

    /// <summary>Recipients: a list in configuration (<c>To:0</c>, <c>To:1</c>; <c>Smtp__To__0</c> in the environment).</summary>
    public List<string> To { get; set; } = [];

    public IReadOnlyList<string> Recipients => To.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()).ToList();
}

public sealed class AlertmanagerChannelOptions : DeliveryOptions
{
    /// <summary>The Alertmanager's base address; alerts go to <c>{Url}/api/v2/alerts</c>.</summary>
    public string? Url { get; set; }

    /// <summary>Firing alerts are posted again this often, well inside Alertmanager's <c>resolve_timeout</c>
    /// (5 min by default), which would otherwise resolve them on its own.</summary>
    public int ResendIntervalSeconds { get; set; } = 60;

    /// <summary>Where the alert's "source" link points (optional), e.g. the console's alerts page.</summary>
    public string? GeneratorUrl { get; set; }

    /// <summary>Firing alerts remembered for re-posting; beyond it new ones are posted once but not repeated.</summary>
    public int MaxFiring { get; set; } = 1000;
}

/// <summary>Rules that span fields, each failure naming its key.</summary>
internal sealed class ValidateAlertNotificationOptions : IValidateOptions<AlertNotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertNotificationOptions options)
    {
        var errors = new List<string>();
        const string section = AlertNotificationOptions.Section;
        CheckDelivery(errors, $"{section}:Webhook", options.Webhook);
        CheckDelivery(errors, $"{section}:Smtp", options.Smtp);
        CheckDelivery(errors, $"{section}:Alertmanager", options.Alertmanager);
        CheckUrl(errors, $"{section}:Webhook:Url", options.Webhook.Url);
        CheckUrl(errors, $"{section}:Alertmanager:Url", options.Alertmanager.Url);
        CheckUrl(errors, $"{section}:Alertmanager:GeneratorUrl", options.Alertmanager.GeneratorUrl);

        var smtp = options.Smtp;
        var key = $"{section}:Smtp";
        CheckRange(errors, $"{key}:Port", smtp.Port, 1, 65535);
        CheckRange(errors, $"{section}:Alertmanager:ResendIntervalSeconds", options.Alertmanager.ResendIntervalSeconds, 5, 3600);
        CheckRange(errors, $"{section}:Alertmanager:MaxFiring", options.Alertmanager.MaxFiring, 1, 100_000);

        if (!Enum.IsDefined(smtp.Security))
        {
            errors.Add($"{key}:Security must be None, StartTls or Ssl.");
        }

        var recipients = smtp.Recipients;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            if (recipients.Count > 0 || !string.IsNullOrWhiteSpace(smtp.From))
            {
                errors.Add($"{key}:Host is required when {key}:From or {key}:To is set.");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(smtp.From))
            {
                errors.Add($"{key}:From is required when {key}:Host is set.");
            }
            else if (!MailAddress.TryCreate(smtp.From, out _))
            {
                errors.Add($"{key}:From is not an e-mail address.");
            }

            if (recipients.Count == 0)
            {
                errors.Add($"{key}:To needs at least one address when {key}:Host is set.");
            }

            errors.AddRange(recipients.Where(r => !MailAddress.TryCreate(r, out _)).Select(r => $"{key}:To has an entry that is not an e-mail address ('{r}')."));
        }

        if (string.IsNullOrEmpty(smtp.User) != string.IsNullOrEmpty(smtp.Password))
        {
            errors.Add($"{key}:User and {key}:Password go together: set both or neither.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckDelivery(List<string> errors, string key, DeliveryOptions options)
    {
        CheckRange(errors, $"{key}:TimeoutSeconds", options.TimeoutSeconds, 1, 300);
        CheckRange(errors, $"{key}:MaxAttempts", options.MaxAttempts, 1, 20);
    }

    private static void CheckRange(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} must be between {min} and {max} (was {value}).");
        }
    }

    // The value itself is not echoed: it may carry a password in its user info.
    private static void CheckUrl(List<string> errors, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key} must be an absolute http:// or https:// URL.");
        }
    }
}
