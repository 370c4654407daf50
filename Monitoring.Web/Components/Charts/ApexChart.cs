using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using System.Text.Json;
using Microsoft.JSInterop;
using Monitoring.Web.Components.Preferences;

namespace Monitoring.Web.Components.Charts;

/// <summary>An ApexCharts chart (wwwroot/js/charts.js) with typed series. Time series keep a window of the last
/// <see cref="MaxPoints"/> points in the browser only; <see cref="AppendAsync(DateTimeOffset, IReadOnlyList{double?})"/>
/// sends the new points and keeps none here: a dashboard stays open for hours, and a copy of every window in
/// server memory would cost each session tens of kilobytes the browser already holds. The theme follows the console's
/// dark mode (the cascading <see cref="ConsolePreferences"/>) unless <see cref="Dark"/> is set.</summary>
/// <remarks>Parameters are compared by reference: pass a new list to replace the data, not a changed one; changes
/// reach the browser as they are set. The component renders its element once (again only for a new height or new
/// attributes): what it holds between renders, it holds twice (Blazor keeps the last two render trees).
/// Call the methods on the renderer's context (from a component's event or <c>InvokeAsync</c>).</remarks>
public sealed class ApexChart : ComponentBase, IAsyncDisposable
{
    /// <summary>Half an hour of 5-second samples.</summary>
    public const int DefaultMaxPoints = 360;

    private static readonly JsonSerializerOptions JsJson = new(JsonSerializerDefaults.Web);

    private ElementReference _element;
    private IJSObjectReference? _module;
    private string? _chartId;
    private bool _disposed;
    private Task _browserWork = Task.CompletedTask;

    // Points appended before the browser's chart exists; sent with its creation, then dropped.
    private List<ApexPoint>[] _pending = [];
    private IReadOnlyList<ApexSeries>? _seriesSource;

    // What the browser shows, as last sent; parameters are compared with these to find what changed.
    private IReadOnlyList<ApexSeries>? _appliedSeries;
    private IReadOnlyList<ApexCategorySeries>? _appliedCategoryValues;
    private IReadOnlyList<string>? _appliedCategories;
    private (ApexChartType, ChartValueFormat, ChartCurve, int, double?) _appliedShape;
    private bool? _appliedDark;
    private (int Height, IReadOnlyDictionary<string, object>? Attributes) _rendered;

    [Inject] public required IJSRuntime JS { get; init; }

    [Parameter] public ApexChartType Type { get; set; } = ApexChartType.Line;

    /// <summary>Time series (x is a time); for line, area and bar charts over time.</summary>
    [Parameter] public IReadOnlyList<ApexSeries>? Series { get; set; }

    /// <summary>Category labels, with <see cref="CategoryValues"/>: a bar chart by category, or a radial bar.</summary>
    [Parameter] public IReadOnlyList<string>? Categories { get; set; }

    [Parameter] public IReadOnlyList<ApexCategorySeries>? CategoryValues { get; set; }

    /// <summary>Height in CSS pixels.</summary>
    [Parameter] public int Height { get; set; } = 240;

    [Parameter] public ChartValueFormat YFormat { get; set; } = ChartValueFormat.Count;

    /// <summary>The y axis maximum (e.g. 100 for percent); by default it follows the data. The minimum is 0.</summary>
    [Parameter] public double? YMax { get; set; }

    [Parameter] public ChartCurve Curve { get; set; } = ChartCurve.Straight;

    /// <summary>Points kept per time series; older ones scroll out.</summary>
    [Parameter] public int MaxPoints { get; set; } = DefaultMaxPoints;

    /// <summary>Forces the theme; null follows <see cref="Preferences"/>.</summary>
    [Parameter] public bool? Dark { get; set; }

    /// <summary>From the layout's <see cref="PreferencesProvider"/>; absent (light) where a chart renders alone.</summary>
    [CascadingParameter] public ConsolePreferences? Preferences { get; set; }

    [Parameter(CaptureUnmatchedValues = true)] public IReadOnlyDictionary<string, object>? AdditionalAttributes { get; set; }

    private bool IsDark => Dark ?? Preferences?.Dark == true;

    private bool IsCategorical => Type == ApexChartType.RadialBar || Categories is not null;

    /// <summary>Adds one point per time series at <paramref name="at"/>, in the order of <see cref="Series"/>.</summary>
    public Task AppendAsync(DateTimeOffset at, params IReadOnlyList<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return AppendAsync(values.Select(v => (IReadOnlyList<ApexPoint>)[new ApexPoint(at, v)]).ToList());
    }

    /// <summary>Adds points to each time series (one list per series, in the order of <see cref="Series"/>);
    /// each keeps its last <see cref="MaxPoints"/>.</summary>
    public async Task AppendAsync(IReadOnlyList<IReadOnlyList<ApexPoint>> pointsPerSeries)
    {
        ArgumentNullException.ThrowIfNull(pointsPerSeries);
        if (IsCategorical)
        {
            throw new InvalidOperationException("Points append to time series; a category chart takes new CategoryValues.");
        }

        if (pointsPerSeries.Count != _pending.Length)
        {
            throw new ArgumentException($"The chart has {_pending.Length} series; {pointsPerSeries.Count} lists of points were given.", nameof(pointsPerSeries));
        }

        if (_module is not null && _chartId is { } id && !_disposed)
        {
            await _module.InvokeVoidAsync("appendPoints", id, ToJson(pointsPerSeries.Select(p => p.Select(ToJs).ToList()).ToList()));
            return;
        }

        for (var i = 0; i < _pending.Length; i++)
        {
            _pending[i].AddRange(pointsPerSeries[i]);
            Trim(_pending[i]);
        }
    }

    protected override Task OnParametersSetAsync()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPoints, 1, nameof(MaxPoints));
        ArgumentOutOfRangeException.ThrowIfLessThan(Height, 1, nameof(Height));
        if (!ReferenceEquals(Series, _seriesSource))
        {
            // A new list replaces the window, points appended before it included.
            _pending = (Series ?? []).Select(_ => new List<ApexPoint>()).ToArray();
            _seriesSource = Series;
        }

        // Before the first render there is no chart: its creation takes the parameters as they are then.
        return _chartId is null && _browserWork.IsCompleted ? Task.CompletedTask : _browserWork = UpdateBrowserAsync(_browserWork);
    }

    protected override bool ShouldRender() => Height != _rendered.Height || !SameAttributes(AdditionalAttributes, _rendered.Attributes);

    // ApexCharts draws into this element; Blazor renders nothing inside it, so the two never fight over the DOM.
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        _rendered = (Height, AdditionalAttributes);
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "monitoring-chart");
        builder.AddAttribute(2, "style", $"min-height: {Height.ToString(CultureInfo.InvariantCulture)}px");
        builder.AddMultipleAttributes(3, AdditionalAttributes);
        builder.AddElementReferenceCapture(4, element => _element = element);
        builder.CloseElement();
    }

    protected override Task OnAfterRenderAsync(bool firstRender) => firstRender ? _browserWork = CreateAsync() : Task.CompletedTask;

    private async Task CreateAsync()
    {
        var module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/charts.js");
        if (_disposed)
        {
            // Disposed while the module loaded: DisposeAsync found nothing to release.
            await module.DisposeAsync();
            return;
        }

        _module = module;
        var options = Options();
        var shape = Shape();
        var sources = (Series, CategoryValues, Categories);
        foreach (var pending in _pending)
        {
            pending.Clear();
        }

        _chartId = await _module.InvokeAsync<string>("create", _element, ToJson(options));
        (_appliedShape, _appliedDark) = (shape, options.Dark);
        (_appliedSeries, _appliedCategoryValues, _appliedCategories) = sources;

        // Points appended while the browser created the chart.
        if (_pending.Any(p => p.Count > 0) && !_disposed)
        {
            var late = _pending.Select(p => (IReadOnlyList<ApexPoint>)p.ToList()).ToList();
            foreach (var pending in _pending)
            {
                pending.Clear();
            }

            await AppendAsync(late);
        }

        foreach (var pending in _pending)
        {
            pending.TrimExcess();
        }
    }

    // After the work before it (the chart's creation, an earlier update), whether or not that succeeded.
    private async Task UpdateBrowserAsync(Task before)
    {
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (_disposed || _module is null || _chartId is not { } id)
        {
            return;
        }

        // What is sent is recorded as applied before the call: a change made meanwhile runs after this one.
        if (Shape() != _appliedShape)
        {
            // Drawn anew in the browser with the points it holds (this side keeps none).
            (_appliedShape, _appliedDark) = (Shape(), IsDark);
            await _module.InvokeVoidAsync("reshape", id, ToJson(Options()));
        }

        if (!ReferenceEquals(Series, _appliedSeries) || !ReferenceEquals(CategoryValues, _appliedCategoryValues) || !ReferenceEquals(Categories, _appliedCategories))
        {
            (_appliedSeries, _appliedCategoryValues, _appliedCategories) = (Series, CategoryValues, Categories);
            await _module.InvokeVoidAsync("update", id, ToJson(JsSeries()), ToJson(Categories));
        }

        if (IsDark != _appliedDark)
        {
            _appliedDark = IsDark;
            await _module.InvokeVoidAsync("setTheme", id, IsDark);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        // A chart still being created must be created before it can be destroyed.
        await _browserWork.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (_module is null)
        {
            return;
        }

        try
        {
            if (_chartId is { } id)
            {
                await _module.InvokeVoidAsync("destroy", id);
            }

            await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the page with it: nothing is left to destroy.
        }
    }

    private JsOptions Options() =>
        new(JsName(Type), Height, JsSeries(), Categories, JsName(YFormat), YMax, JsName(Curve), IsDark, MaxPoints);

    private static bool SameAttributes(IReadOnlyDictionary<string, object>? a, IReadOnlyDictionary<string, object>? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && Equals(p.Value, v)));

    private (ApexChartType, ChartValueFormat, ChartCurve, int, double?) Shape() => (Type, YFormat, Curve, Height, YMax);

    private List<JsSeriesData> JsSeries() =>
        IsCategorical
            ? (CategoryValues ?? []).Select(s => new JsSeriesData(s.Name, s.Values.Cast<object?>().ToList())).ToList()
            : (Series ?? []).Select((s, i) => new JsSeriesData(s.Name, s.Points.Concat(_pending[i]).TakeLast(MaxPoints).Select(p => (object?)ToJs(p)).ToList())).ToList();

    private void Trim(List<ApexPoint> points)
    {
        if (points.Count > MaxPoints)
        {
            points.RemoveRange(0, points.Count - MaxPoints);
        }
    }

    private static double?[] ToJs(ApexPoint point) => [point.X.ToUnixTimeMilliseconds(), point.Y];

    private static string JsName(ApexChartType type) => type switch
    {
        ApexChartType.Line => "line",
        ApexChartType.Area => "area",
        ApexChartType.Bar => "bar",
        ApexChartType.RadialBar => "radialBar",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static string JsName(ChartValueFormat format) => format switch
    {
        ChartValueFormat.Count => "count",
        ChartValueFormat.Bytes => "bytes",
        ChartValueFormat.Percent => "percent",
        ChartValueFormat.Seconds => "seconds",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    private static string JsName(ChartCurve curve) => curve switch
    {
        ChartCurve.Straight => "straight",
        ChartCurve.Smooth => "smooth",
        ChartCurve.Stepline => "stepline",
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, null),
    };

    /// <summary>What goes to charts.js, as JSON text it parses. Blazor's JS interop serializes with options of
    /// its own per circuit, so every type it meets builds its serialization metadata (property accessors emitted as
    /// code included) once per open page; a string costs nothing extra, and this metadata is built once per process.</summary>
    private static string ToJson<T>(T value) => JsonSerializer.Serialize(value, JsJson);

    // camelCase: { type, height, series, categories, yFormat, yMax, curve, dark, maxPoints }.
    private sealed record JsOptions(
        string Type, int Height, IReadOnlyList<JsSeriesData> Series, IReadOnlyList<string>? Categories,
        string YFormat, double? YMax, string Curve, bool Dark, int MaxPoints);

    private sealed record JsSeriesData(string Name, IReadOnlyList<object?> Data);
}
