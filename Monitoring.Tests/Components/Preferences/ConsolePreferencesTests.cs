using Monitoring.Web.Components.Preferences;

namespace Monitoring.Tests.Components.Preferences;

public sealed class ConsolePreferencesTests
{
    private static readonly DateTimeOffset s_at = new(2026, 11, 22, 18, 4, 5, TimeSpan.Zero);

    [Fact]
    public void A_cookie_round_trips_every_preference()
    {
        var chosen = new ConsolePreferences(Dark: true, LocalTime: true, BrowserZone: "America/Argentina/Buenos_Aires");

        Assert.Equal(chosen, ConsolePreferences.Parse(chosen.ToCookie()));
        Assert.DoesNotContain('/', chosen.ToCookie());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dark=yes&tz=mars")]
    [InlineData("%%%;;==&&")]
    public void An_unreadable_cookie_gives_the_defaults(string? cookie) =>
        Assert.Equal(ConsolePreferences.Default, ConsolePreferences.Parse(cookie));

    [Fact]
    public void A_zone_longer_than_any_real_one_is_ignored() =>
        Assert.Null(ConsolePreferences.Parse("tz=local&zone=" + new string('x', ConsolePreferences.MaxZoneLength + 1)).BrowserZone);

    [Fact]
    public void Utc_times_end_in_z()
    {
        var utc = ConsolePreferences.Default;

        Assert.Equal("2026-11-22 18:04:05Z", utc.Format(s_at.ToOffset(TimeSpan.FromHours(3))));
        Assert.Equal("UTC", utc.ZoneName());
    }

    [Fact]
    public void Local_times_are_converted_to_the_browser_zone_with_its_offset_at_that_instant()
    {
        var berlin = new ConsolePreferences(Dark: false, LocalTime: true, BrowserZone: "Europe/Berlin");

        Assert.Equal("2026-11-22 19:04:05 +01:00", berlin.Format(s_at));
        Assert.Equal("2026-07-01 14:00:00 +02:00", berlin.Format(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal("Europe/Berlin", berlin.ZoneName());
    }

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData(null)]
    public void Local_time_without_a_zone_this_machine_knows_stays_in_utc_and_says_so(string? zone)
    {
        var unknown = new ConsolePreferences(Dark: false, LocalTime: true, BrowserZone: zone);

        Assert.Equal("2026-11-22 18:04:05Z", unknown.Format(s_at));
        Assert.Equal("UTC", unknown.ZoneName());
    }

    [Fact]
    public void A_typed_time_is_read_in_the_chosen_zone_and_a_skipped_or_unreadable_one_says_why()
    {
        var berlin = new ConsolePreferences(Dark: false, LocalTime: true, BrowserZone: "Europe/Berlin");

        Assert.True(berlin.TryReadTime("2026-07-01T14:00", out var summer, out _));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero), summer);
        Assert.True(ConsolePreferences.Default.TryReadTime("2026-11-22T18:04:05", out var utc, out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 18, 4, 5, TimeSpan.Zero), utc);

        // 02:30 on the last Sunday of March does not exist in Berlin: the clocks go from 02:00 to 03:00.
        Assert.False(berlin.TryReadTime("2026-03-29T02:30", out _, out var skipped));
        Assert.Contains("does not exist in Europe/Berlin", skipped, StringComparison.Ordinal);
        Assert.False(berlin.TryReadTime("yesterday", out _, out var unreadable));
        Assert.Contains("Not a date and time", unreadable, StringComparison.Ordinal);
    }
}
