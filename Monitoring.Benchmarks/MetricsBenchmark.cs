using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Monitoring.Core.Handlers;
using Monitoring.Core.Metrics;
using Monitoring.Core.Tasks;
using Monitoring.Web.Tasks;

namespace Monitoring.Benchmarks;

/// <summary>The two metric reads: a Prometheus scrape of <c>/metrics</c> with 8 simulated GPUs and every series
/// populated, and <c>GET /api/v1/metrics</c> over 30 days of 1-minute roll-ups of one series, against the real web
/// app as a child process over loopback HTTP.</summary>
internal static class MetricsBenchmark
{
    private const double ScrapeTargetMs = 10;
    private const double QueryTargetMs = 50;
    private const int Gpus = 8;
    private const string ExplicitStep = "5m";
    private const string MeasuredSeries = MetricNames.SystemCpuRatio;

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var iterations = (int)Math.Min(options.Get("iterations", 200, smoke: 10), 100_000);
        var warmups = (int)Math.Min(options.Get("warmup", 20, smoke: 2), 100_000);
        var queries = (int)Math.Min(options.Get("queries", 50, smoke: 3), 100_000);
        // A smoke run seeds two days and one raw hour instead of a month and a day: the same queries, seconds of seeding.
        var days = options.Smoke ? 2 : 30;
        var rawHours = options.Smoke ? 1 : 24;
        string[] arguments =
        [
            "--Auth:Mode=None", "--Demo:Enabled=false", "--Demo:SpeedFactor=20", "--Demo:FailureRate=0.3",
            "--Gpu:Provider=simulated", $"--Gpu:Simulated:Count={Gpus}",
            // The start-up retention pass would drop the seeded range's oldest minute (it is older than the range by the
            // time the app starts); one more day keeps all roll-ups of the measured range (43,200 for 30 days) in place.
            $"--Metrics:RollupRetentionDays={days + 1}",
        ];
        var started = Stopwatch.StartNew();

        using var temp = new TempDirectory("metrics");
        var dataDirectory = temp.Sub("data");
        Console.WriteLine($"metrics: /metrics with {Gpus} simulated GPUs and /api/v1/metrics over {days} days of roll-ups, web app as a child process, in {temp.Path}");

        var seeded = await MetricHistorySeeder.SeedAsync(dataDirectory, MetricHistorySeeder.ProductSeries(Gpus), DateTimeOffset.UtcNow, days, rawHours);
        var measured = seeded.Series.Single(s => s.Name == MeasuredSeries);
        var rollupsPerSeries = seeded.Rollups / seeded.Series.Count;
        Console.WriteLine($"  seeded {seeded.Series.Count} series (the product's, with {Gpus} GPUs): {seeded.Rollups:N0} roll-ups ({rollupsPerSeries:N0} per series, " +
                          $"{seeded.From:yyyy-MM-dd HH:mm} → {seeded.To:yyyy-MM-dd HH:mm}Z) and {seeded.Samples:N0} raw samples of the last {rawHours} h " +
                          $"in {Figures.Format(seeded.InsertTime.TotalSeconds, "0.0")} s (raw Microsoft.Data.Sqlite); database {Figures.Bytes(DatabaseBytes(seeded.DatabasePath))}");

        await using var child = ChildApp.Start(ChildApp.LocateWebDll(), dataDirectory, arguments);
        var address = await child.WaitReadyAsync();
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Console.WriteLine($"  pid {child.Pid} listening on {address}: {string.Join(' ', arguments)}");

        // A smoke run finishes fewer tasks: each type still ends up with finished tasks, so every series has labels.
        var populated = await PopulateAsync(http, noops: options.Smoke ? 6 : 30, perGpuType: options.Smoke ? 3 : 12);
        var scrape = await WaitForSeriesAsync(http);
        Console.WriteLine($"  populated: {populated.Tasks} tasks of {scrape.Types} types finished ({populated.Failed} Failed), requests to {scrape.Routes} routes; " +
                          $"/metrics holds {scrape.Text.SampleCount:N0} samples ({Figures.Bytes(scrape.Text.Text.Length)}), {scrape.GpuSeries} GPU series over {Gpus} GPUs");

        var loadAtStart = MachineLoad.LoadAverage1();
        var scrapeProbe = TimedReads.Http(http, "scrape", "/metrics", body => Check.That(body.Contains("monitoring_gpu_", StringComparison.Ordinal), "/metrics lost its GPU series."));
        await TimedReads.RunRoundsAsync([scrapeProbe], warmups, iterations);
        var scrapeMet = scrapeProbe.Median <= ScrapeTargetMs;
        Console.WriteLine($"  GET /metrics: {iterations} sequential requests after {warmups} warm-ups: median {Figures.Format(scrapeProbe.Median)} ms, " +
                          $"p95 {Figures.Format(scrapeProbe.P95)} ms (target median ≤ {ScrapeTargetMs} ms) → {(scrapeMet ? "met" : "MISSED")}");

        var range = $"from={Iso(seeded.From)}&to={Iso(seeded.To)}";
        var defaultStep = MetricStore.ChooseStep(seeded.From, seeded.To);
        var expectedSamples = rollupsPerSeries * SeededMetrics.SamplesPerMinute(measured);
        var queryProbes = new List<Probe>
        {
            TimedReads.Http(http, "defaultStep", $"/api/v1/metrics?name={MeasuredSeries}&{range}",
                body => CheckQuery(TimedReads.Parse<MetricSeriesResult>(body), 1, defaultStep, expectedSamples, "default step")),
            TimedReads.Http(http, "explicitStep", $"/api/v1/metrics?name={MeasuredSeries}&{range}&step={ExplicitStep}",
                body => CheckQuery(TimedReads.Parse<MetricSeriesResult>(body), 1, TimeSpan.FromMinutes(5), expectedSamples, "step=" + ExplicitStep)),
            TimedReads.Http(http, "allGpus", $"/api/v1/metrics?name={MetricNames.GpuUtilizationRatio}&{range}",
                body => CheckQuery(TimedReads.Parse<MetricSeriesResult>(body), Gpus, defaultStep, expectedSamples, "every GPU")),
        };
        await TimedReads.RunRoundsAsync(queryProbes, Math.Min(warmups, 5), queries);
        var rowsInRange = await RollupsInRangeAsync(seeded);
        var queryMet = queryProbes.Take(2).All(p => p.Median <= QueryTargetMs);

        Console.WriteLine();
        Console.WriteLine($"  {days} days of {MeasuredSeries} ({rowsInRange:N0} roll-ups in the range), {queries} rounds after {Math.Min(warmups, 5)} warm-ups, requests interleaved:");
        Console.WriteLine($"  {"",-44} {"median",9} {"p95",9} {"min",9}   (ms)");
        foreach (var probe in queryProbes)
        {
            var label = probe.Name switch
            {
                "defaultStep" => $"default step ({Figures.Format(defaultStep.TotalMinutes, "0")} min)",
                "explicitStep" => $"step={ExplicitStep}",
                _ => $"{MetricNames.GpuUtilizationRatio}, {Gpus} series",
            };
            Console.WriteLine($"  {label,-44} {Figures.Format(probe.Median),9} {Figures.Format(probe.P95),9} {Figures.Format(probe.Samples.Min()),9}" +
                              (probe.Name == "allGpus" ? "   informational" : ""));
        }

        Console.WriteLine($"  target: median ≤ {QueryTargetMs} ms for the default and the explicit step → {(queryMet ? "met" : "MISSED")}");
        Console.WriteLine($"  checked every answer: 200, series count, step, and {expectedSamples:N0} samples folded into the buckets (every seeded minute)");
        var loadAtEnd = MachineLoad.LoadAverage1();
        Console.WriteLine($"  load average {Figures.Format(loadAtStart)} → {Figures.Format(loadAtEnd)} on {Environment.ProcessorCount} cores while measuring; took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        await child.StopAsync();
        temp.Dispose();

        ResultLine.Write(new
        {
            Benchmark = "metrics",
            options.Smoke,
            Days = days,
            ScrapeMedianMs = Figures.Round(scrapeProbe.Median),
            ScrapeP95Ms = Figures.Round(scrapeProbe.P95),
            ScrapeTargetMs,
            ScrapeIterations = iterations,
            ScrapeSamples = scrape.Text.SampleCount,
            ScrapeBytes = scrape.Text.Text.Length,
            Gpus,
            QueryDefaultStepMedianMs = Figures.Round(queryProbes[0].Median),
            QueryDefaultStepP95Ms = Figures.Round(queryProbes[0].P95),
            DefaultStepMinutes = defaultStep.TotalMinutes,
            QueryExplicitStepMedianMs = Figures.Round(queryProbes[1].Median),
            QueryExplicitStepP95Ms = Figures.Round(queryProbes[1].P95),
            ExplicitStep,
            QueryAllGpusMedianMs = Figures.Round(queryProbes[2].Median),
            QueryTargetMs,
            QueryIterations = queries,
            RollupsInRange = rowsInRange,
            SeededSeries = seeded.Series.Count,
            SeededRollups = seeded.Rollups,
            SeededSamples = seeded.Samples,
            SeedSeconds = Figures.Round(seeded.InsertTime.TotalSeconds, 1),
            ScrapeMet = scrapeMet,
            QueryMet = queryMet,
            Met = scrapeMet && queryMet,
            LoadAverage1 = new { Start = loadAtStart, End = loadAtEnd },
            Cores = Environment.ProcessorCount,
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(scrapeMet && queryMet);
    }

    /// <summary>Tasks of three types run to the end (about a third of the GPU ones fail: Demo:FailureRate 0.3, one
    /// attempt; 20× speed) and requests to
    /// several routes, so the task, duration and HTTP series of <c>/metrics</c> have labels to show.</summary>
    private static async Task<Populated> PopulateAsync(HttpClient http, int noops, int perGpuType)
    {
        var submissions = new List<object>();
        submissions.AddRange(Enumerable.Range(0, noops).Select(_ => (object)new { Type = DemoTaskHandler.NoopType }));
        // One attempt each, so Demo:FailureRate leaves some of them Failed rather than retried to success.
        submissions.AddRange(Enumerable.Range(0, perGpuType).Select(i => (object)new { Type = DemoTaskHandler.TranscriptionType, Parameters = new { minutes = 1 + (i % 3) }, MaxAttempts = 1 }));
        submissions.AddRange(Enumerable.Range(0, perGpuType).Select(i => (object)new { Type = DemoTaskHandler.VideoSynthesisType, Parameters = new { seconds = 2 + (i % 4) }, MaxAttempts = 1 }));
        long lastId = 0;
        foreach (var submission in submissions)
        {
            using var response = await http.PostAsJsonAsync(new Uri("/api/v1/tasks", UriKind.Relative), submission);
            var body = await response.Content.ReadAsStringAsync();
            Check.That(response.StatusCode == HttpStatusCode.Created, $"POST /api/v1/tasks answered {(int)response.StatusCode}: {body}");
            lastId = TimedReads.Parse<TaskDetail>(body).Id;
        }

        string[] reads =
        [
            "/api/v1/tasks", "/api/v1/tasks?status=Failed", $"/api/v1/tasks/{lastId}", "/api/v1/monitor/stats", "/api/v1/monitor/workers",
            "/api/v1/monitor/gpus", "/api/v1/tasks/failures", $"/api/v1/metrics?name={MetricNames.GpuPowerWatts}", "/health/live",
        ];
        foreach (var url in reads)
        {
            await TimedReads.GetAsync(http, url);
        }

        // A 404 and a 400 give the status label more than one value.
        using (await http.GetAsync(new Uri("/api/v1/tasks/999999999", UriKind.Relative)))
        using (await http.GetAsync(new Uri("/api/v1/tasks?pageSize=0", UriKind.Relative)))
        {
        }

        var watch = Stopwatch.StartNew();
        while (true)
        {
            var (_, body) = await TimedReads.GetAsync(http, "/api/v1/tasks?status=Pending&status=Processing&status=Retrying&pageSize=1");
            if (TimedReads.Parse<TaskPage>(body).Total == 0)
            {
                break;
            }

            Check.That(watch.Elapsed < TimeSpan.FromMinutes(5), "the populating tasks did not finish within 5 minutes.");
            await Task.Delay(1000);
        }

        var (_, failedBody) = await TimedReads.GetAsync(http, "/api/v1/tasks?status=Failed&pageSize=1");
        return new Populated(submissions.Count, TimedReads.Parse<TaskPage>(failedBody).Total);
    }

    /// <summary>Waits until a scrape shows every GPU, the finished tasks of every type and the HTTP routes
    /// requested (the performance snapshot runs every 30 s, the GPU probe every 5 s).</summary>
    private static async Task<Scrape> WaitForSeriesAsync(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var text = await PrometheusText.ScrapeAsync(http);
            var gpuSeries = text.Samples("monitoring_gpu_memory_used_bytes").Count();
            var types = text.Samples("monitoring_tasks_finished_total").Select(s => Label(s.Labels, "type")).Distinct().Count();
            var routes = text.Samples("monitoring_http_requests_total").Select(s => Label(s.Labels, "route")).Distinct().Count();
            if (gpuSeries == Gpus && types >= 3 && routes >= 8)
            {
                return new Scrape(text, CountGpuSeries(text), types, routes);
            }

            Check.That(watch.Elapsed < TimeSpan.FromSeconds(120),
                $"after 120 s /metrics shows {gpuSeries} GPUs (expected {Gpus}), finished tasks of {types} types (expected 3), {routes} routes (expected 8 or more).");
            await Task.Delay(1000);
        }
    }

    private static int CountGpuSeries(PrometheusText text) =>
        text.Text.Split('\n').Count(l => l.StartsWith("monitoring_gpu_", StringComparison.Ordinal));

    private static string Label(string labels, string key)
    {
        foreach (var pair in labels.Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair[..equals] == key)
            {
                return pair[(equals + 1)..].Trim('"');
            }
        }

        return "";
    }

    private static void CheckQuery(MetricSeriesResult result, int series, TimeSpan step, long samplesPerSeries, string source)
    {
        Check.That(result.Source == MetricSource.Rollup, $"{source}: answered from {result.Source}, expected roll-ups.");
        Check.That(result.Step == step, $"{source}: step {result.Step}, expected {step}.");
        Check.That(result.Series.Count == series, $"{source}: {result.Series.Count} series, expected {series}.");
        foreach (var one in result.Series)
        {
            var samples = one.Points.Sum(p => p.Count);
            Check.That(samples == samplesPerSeries, $"{source}: {one.Labels} folds {samples} samples, seeded {samplesPerSeries}.");
        }
    }

    /// <summary>Roll-up rows of the measured series in the measured range, counted after the run.</summary>
    private static async Task<long> RollupsInRangeAsync(SeededMetrics seeded)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={seeded.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM "MetricRollups" r JOIN "MetricSeries" s ON s."Id" = r."SeriesId"
            WHERE s."Name" = $name AND r."Minute" >= $from AND r."Minute" < $to
            """;
        command.Parameters.AddWithValue("$name", MeasuredSeries);
        command.Parameters.AddWithValue("$from", seeded.From.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", seeded.To.ToUnixTimeMilliseconds());
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static long DatabaseBytes(string databasePath) =>
        new[] { databasePath, databasePath + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private sealed record Populated(int Tasks, long Failed);

    private sealed record Scrape(PrometheusText Text, int GpuSeries, int Types, int Routes);
}
