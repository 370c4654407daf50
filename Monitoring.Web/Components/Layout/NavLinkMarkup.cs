using System.Text.Encodings.Web;

namespace Monitoring.Web.Components.Layout;

/// <summary>One navigation link as MudNavLink draws it (with its icon), as markup built once: plain and active.</summary>
/// <param name="Href">Relative to the base address; "" is the dashboard.</param>
/// <param name="Icon">One of MudBlazor's <c>Icons</c> (SVG content).</param>
public sealed record NavLinkMarkup(string Href, string Icon, string Text)
{
    private const string IconClasses = "mud-icon-default mud-icon-size-medium mud-nav-link-icon mud-nav-link-icon-default";

    public string Html { get; } = Build(Href, Icon, Text, active: false);

    public string ActiveHtml { get; } = Build(Href, Icon, Text, active: true);

    /// <summary>NavLink's rules: the dashboard ("") only on an exact match, any other link also for the pages under
    /// it. <paramref name="path"/> is relative to the base address, without query or fragment.</summary>
    public bool IsActive(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Href.Length == 0 ? path.Length == 0 : path == Href || path.StartsWith(Href + "/", StringComparison.OrdinalIgnoreCase);
    }

    private static string Build(string href, string icon, string text, bool active)
    {
        var encoder = HtmlEncoder.Default;
        return $"""<div class="mud-nav-item"><a href="{encoder.Encode(href)}" class="mud-nav-link mud-ripple{(active ? " active\" aria-current=\"page" : "")}">""" +
            PlainMarkup.Icon(icon, IconClasses).Value +
            $"""<div class="mud-nav-link-text">{encoder.Encode(text)}</div></a></div>""";
    }
}
