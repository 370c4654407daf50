using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Monitoring.Tests.Support;

/// <summary>Reading what a rendered page shows, the way an operator reads it.</summary>
/// <remarks>bUnit parses a component's markup on the first read after a render and keeps the result; a read on the
/// test thread that overlaps a render (a page finishing its load) can keep the older markup until the next render,
/// and a page that renders no more then never seems to change. These reads run on the renderer's dispatcher, which
/// renders one thing at a time; inside a WaitFor… check they are already there and run inline.</remarks>
public static class PageMarkup
{
    public static IElement Element<TPage>(this IRenderedComponent<TPage> page, string selector)
        where TPage : IComponent =>
        OnRenderer(page, () => page.Find(selector));

    public static IReadOnlyList<IElement> Elements<TPage>(this IRenderedComponent<TPage> page, string selector)
        where TPage : IComponent =>
        OnRenderer(page, () => page.FindAll(selector).ToList());

    public static string Text<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent =>
        page.Element($"[data-testid={testId}]").TextContent.Trim();

    public static bool Has<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent =>
        page.Elements($"[data-testid={testId}]").Count > 0;

    /// <summary>The data rows of the MudTable or MudSimpleTable marked <paramref name="testId"/>: not its header,
    /// its loading bar or its no-records message.</summary>
    public static IReadOnlyList<IElement> Rows<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent =>
        page.Elements($"[data-testid={testId}] tbody tr")
            .Where(r => r.Children.Length > 1 && r.Children.All(c => c.LocalName == "td"))
            .ToList();

    /// <summary>Each row's cells' text, trimmed and joined with " | ".</summary>
    public static IReadOnlyList<string> RowTexts<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent =>
        page.Rows(testId).Select(r => string.Join(" | ", r.Children.Select(c => c.TextContent.Trim()))).ToList();

    /// <summary>An indeterminate loading bar (MudProgressLinear), the page's own or a table's.</summary>
    public static bool IsLoading<TPage>(this IRenderedComponent<TPage> page)
        where TPage : IComponent =>
        page.Elements(".mud-progress-linear.mud-progress-indeterminate").Count > 0;

    private static T OnRenderer<TPage, T>(IRenderedComponent<TPage> page, Func<T> read)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.InvokeAsync(read).GetAwaiter().GetResult();
    }
}
