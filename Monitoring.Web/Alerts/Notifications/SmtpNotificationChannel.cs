using System.Globalization;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Monitoring.Core.Alerts;

namespace Monitoring.Web.Alerts.Notifications;

/// <summary>E-mail over SMTP (MailKit): one message per notification to every <c>To</c> address,
/// subject <c>[FIRING:critical] name</c> or <c>[RESOLVED:critical] name</c>.</summary>
internal sealed class SmtpNotificationChannel(IOptions<AlertNotificationOptions> options, TimeProvider clock, ILogger<SmtpNotificationChannel> logger)
    : IAlertNotificationChannel
{
    private readonly SmtpChannelOptions _options = options.Value.Smtp;

    public string Name => "email";

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.Host);

    public Task<DeliveryResult> DeliverAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var security = _options.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        return DeliveryRetry.RunAsync(Name, _options, clock, logger, async token =>
        {
            using var message = Compose(notification, _options);
            using var client = new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
            await client.ConnectAsync(_options.Host!, _options.Port, security, token);
            if (!string.IsNullOrEmpty(_options.User))
            {
                await client.AuthenticateAsync(_options.User, _options.Password ?? "", token);
            }

            await client.SendAsync(message, token);
            await client.DisconnectAsync(quit: true, token);
        }, cancellationToken);
    }

    public static string Subject(AlertNotification n) =>
        $"[{AlertNotificationText.Status(n.Kind).ToUpperInvariant()}:{AlertNotificationText.Severity(n.Severity)}] {n.RuleName}";

    internal static MimeMessage Compose(AlertNotification n, SmtpChannelOptions options)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From!));
        foreach (var to in options.Recipients)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = Subject(n);
        var body = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        body.AppendLine(c, $"{n.RuleName} is {AlertNotificationText.Status(n.Kind)} ({AlertNotificationText.Severity(n.Severity)}).");
        body.AppendLine();
        body.AppendLine(n.Summary);
        body.AppendLine();
        if (n.Value is { } value)
        {
            body.AppendLine(c, $"Value:     {value.ToString("G6", c)}");
        }

        body.AppendLine(c, $"Started:   {n.StartsAt:u}");
        if (n.EndsAt is { } endsAt)
        {
            body.AppendLine(c, $"Ended:     {endsAt:u}");
        }

        body.AppendLine("Labels:");
        foreach (var (name, labelValue) in n.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            body.AppendLine(c, $"  {name} = {labelValue}");
        }

        body.AppendLine(c, $"Fingerprint: {n.Fingerprint}");
        message.Body = new TextPart("plain") { Text = body.ToString() };
        return message;
    }
}
