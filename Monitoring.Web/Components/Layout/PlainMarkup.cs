using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Monitoring.Web.Components.Layout;

/// <summary>MudBlazor's look without its components, for markup repeated on pages that stay open for hours.</summary>
/// <remarks>Every component instance costs a circuit about 3–4 KB for as long as the page is open (two render-tree
/// buffers, its state, its parameters); a text, an icon or a paper needs none of that. Pages that many people keep
/// open (the dashboard, the layout around it) write plain elements with MudBlazor's CSS classes instead, and keep
/// components for what is interactive. The <c>circuits</c> benchmark measures the difference.</remarks>
public static class PlainMarkup
{
    /// <summary>An SVG icon as <c>MudIcon</c> draws it; <paramref name="svg"/> is one of MudBlazor's <c>Icons</c>.</summary>
    public static RenderFragment Icon(string svg, string classes = "mud-icon-size-medium") => builder => WriteIcon(builder, svg, classes);

    private static void WriteIcon(RenderTreeBuilder builder, string svg, string classes)
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", $"mud-icon-root mud-svg-icon {classes}");
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddMarkupContent(5, svg);
        builder.CloseElement();
    }
}
