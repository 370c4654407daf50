using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using MudBlazor;
using MudBlazor.Services;

namespace Monitoring.Web.Components.Layout;

/// <summary>MudBlazor's theme stylesheet for the console's mode, without a <see cref="MudThemeProvider"/> per open
/// page: the provider writes about 12,000 characters of CSS variables into every circuit's render tree and keeps a
/// theme of its own (two palettes of about sixty colors, fifteen typographies) and its parameter state. What it
/// writes is rendered once per process for each mode (<see cref="Css"/>) and every circuit shows that one string
/// (PlainMarkup's reasoning, for the theme).</summary>
/// <remarks>The console follows its own dark-mode preference (a cookie), not the system's, so nothing here watches
/// the browser.</remarks>
public sealed class ThemeStyles : ComponentBase
{
    private static readonly Lazy<string> Light = new(() => Render(dark: false));
    private static readonly Lazy<string> Dark = new(() => Render(dark: true));

    [Parameter] public bool IsDarkMode { get; set; }

    /// <summary>What <see cref="MudThemeProvider"/> with the default theme writes for the mode (its theme and its
    /// scrollbar style), with the system's dark mode not observed.</summary>
    public static string Css(bool dark) => dark ? Dark.Value : Light.Value;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddMarkupContent(0, Css(IsDarkMode));
    }

    // MudBlazor's own provider, rendered to HTML outside any circuit. It calls into the browser only after a render,
    // which HTML rendering never reaches, so its script runtime is one that refuses.
    private static string Render(bool dark)
    {
        var services = new ServiceCollection();
        services.AddMudServices();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IJSRuntime, NoBrowser>();
        using var provider = services.BuildServiceProvider();
        using var renderer = new HtmlRenderer(provider, NullLoggerFactory.Instance);
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(MudThemeProvider.IsDarkMode)] = dark,
            [nameof(MudThemeProvider.ObserveSystemDarkModeChange)] = false,
        });
        // Waiting is safe from any thread, a circuit's included: the HTML renderer has a dispatcher of its own, whose
        // continuations run on the thread pool.
        return renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<MudThemeProvider>(parameters)).ToHtmlString())
            .GetAwaiter().GetResult();
    }

    private sealed class NoBrowser : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) =>
            throw new InvalidOperationException($"The theme is rendered without a browser ({identifier}).");

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);
    }
}
