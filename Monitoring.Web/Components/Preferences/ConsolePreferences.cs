using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Monitoring.Web.Components.Preferences;

/// <summary>How one browser wants the console shown: dark or light, and times in UTC or in the browser's own
/// zone. Kept in a cookie (<see cref="CookieName"/>) that the server reads when it renders a page, so the first
/// paint already has the right theme and times; the browser writes it (wwwroot/js/preferences.js) on a change.</summary>
/// <param name="BrowserZone">The browser's IANA zone (<c>Intl.DateTimeFormat().resolvedOptions().timeZone</c>),
/// read when local time is chosen; ignored for UTC.</param>
public sealed record ConsolePreferences(bool Dark, bool LocalTime, string? BrowserZone)
{
    public const string CookieName = "monitoring-preferences";

    /// <summary>A year: a preference outlives sessions, and each change renews it.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(365);

    /// <summary>Longer than any IANA zone name; a longer value is not one.</summary>
    public const int MaxZoneLength = 64;

    public static ConsolePreferences Default { get; } = new(Dark: false, LocalTime: false, BrowserZone: null);

    /// <summary>Reads the cookie value; anything missing or unreadable takes its default (a cookie is user input).</summary>
    public static ConsolePreferences Parse(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 512)
        {
            return Default;
        }

        var values = QueryHelpers.ParseQuery(cookie);
        var zone = values.TryGetValue("zone", out var z) ? z.ToString() : null;
        return new ConsolePreferences(
            values.TryGetValue("dark", out var dark) && dark == "1",
            values.TryGetValue("tz", out var tz) && tz == "local",
            string.IsNullOrEmpty(zone) || zone.Length > MaxZoneLength ? null : zone);
    }

    /// <summary>The cookie value: cookie-safe characters only (the zone is percent-encoded).</summary>
    public string ToCookie() =>
        $"dark={(Dark ? "1" : "0")}&tz={(LocalTime ? "local" : "utc")}" +
        (BrowserZone is { } zone ? "&zone=" + Uri.EscapeDataString(zone) : "");

    /// <summary>The zone times are shown in: the browser's when local time is chosen and the zone is known to this
    /// machine's time-zone database, UTC otherwise (and then the times say so with their Z).</summary>
    public TimeZoneInfo DisplayZone() =>
        LocalTime && BrowserZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>An exact time in the chosen zone: <c>2026-11-22 18:04:05Z</c> in UTC, <c>2026-11-22 19:04:05 +01:00</c>
    /// in another zone.</summary>
    public string Format(DateTimeOffset at)
    {
        var zone = DisplayZone();
        if (zone == TimeZoneInfo.Utc)
        {
            return at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        return TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a time typed in the chosen zone (an HTML datetime-local value, <c>2026-11-22T18:04</c>, seconds
    /// optional): the inverse of <see cref="Format"/> for input. False with the reason, for the field, when the text
    /// is not such a time or the zone skips it (a daylight-saving change).</summary>
    public bool TryReadTime(string text, out DateTimeOffset at, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        at = default;
        if (!DateTime.TryParseExact(text.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            error = "Not a date and time (yyyy-MM-ddTHH:mm).";
            return false;
        }

        var zone = DisplayZone();
        if (zone.IsInvalidTime(local))
        {
            error = $"This time does not exist in {ZoneName()} (a daylight-saving change skips it).";
            return false;
        }

        at = new DateTimeOffset(local, zone.GetUtcOffset(local));
        error = "";
        return true;
    }

    /// <summary>The zone's name for hints: <c>UTC</c>, or the browser's IANA id as the browser spells it (this
    /// machine's database may know it under an older alias, Asia/Kolkata as Asia/Calcutta).</summary>
    public string ZoneName() => DisplayZone() == TimeZoneInfo.Utc ? "UTC" : BrowserZone!;
}
