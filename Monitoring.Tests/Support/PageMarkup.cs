using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Monitoring.Tests.Support;

/// <summary>Reading what a rendered page shows, the way an operator reads it.</summary>
public static class PageMarkup
{
    /// <summary>The data rows of the MudTable or MudSimpleTable marked <paramref name="testId"/>: not its header,
    /// its loading bar or its no-records message.</summary>
    public static List<IElement> Rows<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.FindAll($"[data-testid={testId}] tbody tr")
            .Where(r => r.Children.Length > 1 && r.Children.All(c => c.LocalName == "td"))
            .ToList();
    }

    /// <summary>Each row's cells' text, trimmed and joined with " | ".</summary>
    public static List<string> RowTexts<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent =>
        page.Rows(testId).Select(r => string.Join(" | ", r.Children.Select(c => c.TextContent.Trim()))).ToList();

    public static bool Has<TPage>(this IRenderedComponent<TPage> page, string testId)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.FindAll($"[data-testid={testId}]").Count > 0;
    }

    /// <summary>The page's indeterminate loading bar (MudProgressLinear), outside any table.</summary>
    public static bool IsLoading<TPage>(this IRenderedComponent<TPage> page)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.FindAll(".mud-progress-linear.mud-progress-indeterminate").Count > 0;
    }
}
