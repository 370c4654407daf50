// ApexCharts behind a few calls for the Blazor ApexChart component (Components/Charts/ApexChart.cs).
// ApexCharts itself is loaded by App.razor as a classic script (window.ApexCharts). No eval, no inline script:
// the console's CSP is script-src 'self'. Options, series and points arrive as JSON text (the component says why).

const charts = new Map();
let nextId = 1;

// A time series takes new points as they come but is drawn at most once per this interval, the probes' interval:
// ApexCharts redraws the whole SVG on each update, and a live chart fed twice a second in every open tab costs the
// browser more than the trend gains. The KPI figures beside it show each change at once.
const minRedrawMs = 5000;

// Hidden tabs and charts scrolled out of view draw nothing; what they missed is drawn when they are shown again.
// A dashboard at laptop size has most of its charts below the fold, and each redraw costs the browser more than
// everything else on the page.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    charts.forEach(entry => { if (entry.stale) { scheduleDraw(entry); } });
  }
});

const byElement = new WeakMap();
const inView = new IntersectionObserver(changes => {
  for (const change of changes) {
    const entry = byElement.get(change.target);
    if (entry) {
      entry.visible = change.isIntersecting;
      if (entry.visible && entry.stale) {
        scheduleDraw(entry);
      }
    }
  }
}, { rootMargin: '100px' });

const countFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

// Axis and tooltip labels by the component's ChartValueFormat.
const formats = {
  count: value => value == null ? '—' : countFormat.format(value),
  percent: value => value == null ? '—' : `${countFormat.format(value)} %`,
  bytes: value => {
    if (value == null) {
      return '—';
    }
    let unit = 0;
    let scaled = Math.abs(value);
    while (scaled >= 1024 && unit < byteUnits.length - 1) {
      scaled /= 1024;
      unit++;
    }
    return `${value < 0 ? '-' : ''}${scaled.toFixed(scaled >= 100 || unit === 0 ? 0 : 1)} ${byteUnits[unit]}`;
  },
  seconds: value => {
    if (value == null) {
      return '—';
    }
    const abs = Math.abs(value);
    if (abs < 1) {
      return `${countFormat.format(value * 1000)} ms`;
    }
    if (abs < 120) {
      return `${countFormat.format(value)} s`;
    }
    if (abs < 7200) {
      return `${countFormat.format(value / 60)} min`;
    }
    return `${countFormat.format(value / 3600)} h`;
  },
};

// Times as the console's TimeText shows them: UTC, marked Z.
const utcTime = value => new Date(value).toISOString().slice(11, 19) + 'Z';

// Time series arrive as [[unixMilliseconds, value], ...]; category series as [value, ...].
function toApexSeries(series) {
  return series.map(s => ({ name: s.name, data: s.data.slice() }));
}

function buildOptions(options) {
  const format = formats[options.yFormat] ?? formats.count;
  const mode = options.dark ? 'dark' : 'light';
  const timed = options.type !== 'radialBar' && !options.categories;
  const result = {
    chart: {
      type: options.type,
      height: options.height,
      // Transparent so the chart sits on the surrounding MudPaper in either theme.
      background: 'transparent',
      fontFamily: 'inherit',
      // Live charts redraw every few seconds; animating each redraw costs CPU and reads as jitter.
      animations: { enabled: false },
      toolbar: { show: false },
      zoom: { enabled: false },
    },
    theme: { mode },
    tooltip: { theme: mode, x: timed ? { formatter: utcTime } : {}, y: { formatter: format } },
    dataLabels: { enabled: false },
    legend: { show: options.series.length > 1 },
    noData: { text: 'No data yet' },
  };

  if (options.type === 'radialBar') {
    // One value per category (label); ApexCharts takes the first series' values directly.
    result.series = options.series.length > 0 ? options.series[0].data.slice() : [];
    result.labels = options.categories ?? [];
    result.plotOptions = { radialBar: { dataLabels: { value: { formatter: format } } } };
    return result;
  }

  result.series = toApexSeries(options.series);
  result.stroke = { curve: options.curve, width: options.type === 'bar' ? 0 : 2 };
  // Counts have no fractions: ticks that fall between whole numbers stay unlabelled (tooltips are exact).
  const axisFormat = options.yFormat === 'count' ? value => Number.isInteger(value) ? format(value) : '' : format;
  result.yaxis = { min: 0, labels: { formatter: axisFormat } };
  if (options.yMax != null) {
    result.yaxis.max = options.yMax;
  }
  // datetime axes label in UTC (ApexCharts' default), like the tooltips.
  result.xaxis = timed ? { type: 'datetime' } : { categories: options.categories };
  return result;
}

function draw(entry) {
  entry.timer = undefined;
  if (document.hidden || !entry.visible) {
    entry.stale = true;
    return;
  }
  entry.stale = false;
  entry.drawnAt = performance.now();
  entry.chart.updateSeries(toApexSeries(entry.series), false);
}

function scheduleDraw(entry) {
  if (entry.timer !== undefined) {
    return;
  }
  const wait = Math.max(0, entry.drawnAt + minRedrawMs - performance.now());
  entry.timer = setTimeout(() => draw(entry), wait);
}

function render(entry) {
  entry.drawnAt = performance.now();
  const options = buildOptions({ ...entry.options, series: entry.series, categories: entry.categories });
  // Named, so ApexCharts.getChartByID finds it (tests, the browser's console).
  options.chart.id = `monitoring-chart-${entry.id}`;
  entry.chart = new window.ApexCharts(entry.element, options);
  entry.chart.render();
}

export function create(element, optionsJson) {
  const options = JSON.parse(optionsJson);
  // A string: the server sends no numbers (Blazor's interop builds serialization metadata per page for each type it
  // sends, and a number brings its thirty-odd interfaces along).
  const id = String(nextId++);
  const entry = {
    id,
    element,
    options,
    series: options.series.map(s => ({ name: s.name, data: s.data.slice() })),
    categories: options.categories,
    // Until the observer says otherwise (its first report comes with the next frame).
    visible: true,
  };
  charts.set(id, entry);
  byElement.set(element, entry);
  inView.observe(element);
  render(entry);
  return id;
}

// seriesPoints: one array of [x, y] points per series, in the order the chart was created with. Each series keeps
// its last maxPoints (by default the chart's options.maxPoints).
export function appendPoints(id, seriesPointsJson, maxPoints) {
  const entry = charts.get(String(id));
  if (!entry) {
    return;
  }
  JSON.parse(seriesPointsJson).forEach((points, index) => {
    const series = entry.series[index];
    if (!series) {
      return;
    }
    series.data.push(...points);
    const keep = maxPoints ?? entry.options.maxPoints;
    if (keep && series.data.length > keep) {
      series.data.splice(0, series.data.length - keep);
    }
  });
  scheduleDraw(entry);
}

export function update(id, seriesJson, categoriesJson) {
  const entry = charts.get(String(id));
  if (!entry) {
    return;
  }
  const series = JSON.parse(seriesJson);
  const categories = JSON.parse(categoriesJson);
  entry.series = series.map(s => ({ name: s.name, data: s.data.slice() }));
  entry.categories = categories;
  if (entry.options.type === 'radialBar') {
    // Labels first, then the values through updateSeries: ApexCharts 4.x leaves the centre label at the old value
    // when the values come with updateOptions.
    entry.chart.updateOptions({ labels: categories ?? [] }, false, false);
    entry.chart.updateSeries(series.length > 0 ? series[0].data.slice() : [], false);
    return;
  }
  if (categories) {
    entry.chart.updateOptions({ xaxis: { categories } }, false, false);
  }
  entry.chart.updateSeries(toApexSeries(entry.series), false);
}

// A new type, height, format, curve or y maximum: drawn anew with the points this side holds (the server keeps none).
export function reshape(id, optionsJson) {
  const entry = charts.get(String(id));
  if (entry) {
    const options = JSON.parse(optionsJson);
    entry.chart.destroy();
    entry.options = { ...options, series: [] };
    render(entry);
  }
}

// Drawn anew: updateOptions leaves parts (the tooltip) in the old theme.
export function setTheme(id, dark) {
  const entry = charts.get(String(id));
  if (entry && entry.options.dark !== dark) {
    entry.chart.destroy();
    entry.options = { ...entry.options, dark };
    render(entry);
  }
}

export function destroy(id) {
  const entry = charts.get(String(id));
  if (entry) {
    charts.delete(entry.id);
    clearTimeout(entry.timer);
    inView.unobserve(entry.element);
    entry.chart.destroy();
  }
}
