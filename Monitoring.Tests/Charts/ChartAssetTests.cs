using System.Text.RegularExpressions;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Charts;

/// <summary>The build's npm step (Monitoring.Web.csproj: RestoreNpmPackages, CopyNpmLibraries) put ApexCharts into
/// the static web assets of the built app, and the page loads it from there.</summary>
public sealed partial class ChartAssetTests : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("lib/apexcharts/apexcharts.min.js", "ApexCharts")]
    [InlineData("js/charts.js", "export function create")]
    [InlineData("js/layout.js", "nav-toggled")]
    public async Task The_chart_scripts_are_served_as_javascript(string path, string expected)
    {
        using var client = _app.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_loads_apexcharts_by_its_fingerprinted_address_which_is_served()
    {
        using var client = _app.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        var match = ApexScript().Match(html);

        Assert.True(match.Success, "The page has no script element for ApexCharts.");
        using var response = await client.GetAsync(new Uri(match.Groups["src"].Value, UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ApexCharts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("""<script src="(?<src>lib/apexcharts/apexcharts\.min(\.[a-z0-9]+)?\.js)"></script>""")]
    private static partial Regex ApexScript();
}
