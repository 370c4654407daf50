namespace Monitoring.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release --project Monitoring.Benchmarks -- &lt;name&gt; [options]</c>.</summary>
/// <remarks>Not top-level statements: Monitoring.Web already declares a global <c>Program</c>, which
/// <see cref="HistoryBenchmark"/> hosts through <c>WebApplicationFactory&lt;Program&gt;</c>.</remarks>
public static class BenchmarkProgram
{
    private const string Usage = """
        usage: dotnet run -c Release --project Monitoring.Benchmarks -- <benchmark> [--smoke] [options]
               dotnet run -c Release --project Monitoring.Benchmarks -- --list     (the benchmarks' names)

        --smoke: a size that finishes in seconds (scripts/test.sh runs every benchmark so): the same code path and
        checks, exit 0 unless a check fails or an error is thrown; the performance target is reported, not asserted.
        Options given with --smoke override its sizes.

        benchmarks:
          lifecycle   enqueue → claim → complete through TaskQueue vs a raw Microsoft.Data.Sqlite loop
                      --rounds N       alternating rounds (default 5)
                      --seconds N      seconds per side per round (default 6)
                      --tasks N        fixed lifecycles per side per round instead of --seconds
              --iterations N   same as --rounds
          history     /api/v1/monitor/stats and /api/v1/tasks?status=Failed over a seeded history
                      --tasks N        finished tasks to seed (default 1000000)
                      --iterations N   measured requests per endpoint (default 50)
                      --warmup N       warm-up requests per endpoint (default 5)
          dispatch    enqueue → Processing latency with an idle worker, real web app in process
                      --tasks N        measured tasks, one at a time (default 500)
                      --warmup N       warm-up tasks (default 50)
          probe-overhead
                      CPU of the real web app as a child process with every probe and job running, no tasks
                      --seconds N      measured window (default 60)
                      --warmup N       seconds after it listens before measuring (default 180:
                                       tiered JIT recompiles the jobs' code during the first minutes)
                      --isolate N      also run one child per periodic job with that job pushed to
                                       hourly, N seconds each, to see what each job costs
                      --nvml 1         the real NVIDIA driver instead of simulated GPUs, plus NVML's
                                       cost per sample (scripts/gpu-check.sh)
          soak        working set after 100,000 no-op tasks vs after 10,000, real web app in process
                      --tasks N        tasks in all (default 100000); the first reading at 10 %
                      --pending N      most tasks queued at once (default 500)
          circuits    dashboard sessions in headless Chromium against the web app as a child process, demo load on:
                      server working set per session and task state change → DOM delay in every page
                      --sessions N     dashboards open at once (default 25)
                      --seconds N      measured window with all of them open (default 60)
                      --baseline N     seconds of 0-session samples (default 30)
                      --warmup N       dashboards opened for 15 s and closed before the baseline (default: as many
                                       as --sessions, so one-time costs of many sessions are in the baseline;
                                       none with --smoke)
                      --settle N       seconds after the warm-up pages closed, before the baseline (default 20)
                      --hold N         seconds to pause with 0 and with all sessions open (e.g. for createdump)
          metrics     GET /metrics with 8 simulated GPUs and every series populated, and GET /api/v1/metrics over
                      30 days of 1-minute roll-ups of one series (61 series seeded), web app as a child process
                      --iterations N   measured /metrics requests (default 200)
                      --warmup N       warm-up /metrics requests (default 20; at most 5 per metric query)
                      --queries N      measured rounds of the metric queries (default 50)

        The last line of stdout is one JSON object with the figures.
        Databases live in a fresh folder under the temp folder, deleted at the end
        (kept when MONITORING_BENCH_KEEP_DATA=1, for inspection with sqlite3).
        Exit codes: 0 target met (with --smoke: checks passed), 1 target missed or check failed, 2 usage error.
        """;

    public static async Task<int> Main(string[] args)
    {
        // The test script reads the names from here, so a new benchmark is smoke-tested without editing the script.
        if (args is ["--list"])
        {
            foreach (var name in BenchmarkOptions.Names)
            {
                Console.WriteLine(name);
            }

            return 0;
        }

        if (!BenchmarkOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            return options.Benchmark switch
            {
                "lifecycle" => await LifecycleBenchmark.RunAsync(options),
                "history" => await HistoryBenchmark.RunAsync(options),
                "dispatch" => await DispatchBenchmark.RunAsync(options),
                "probe-overhead" => await ProbeOverheadBenchmark.RunAsync(options),
                "soak" => await SoakBenchmark.RunAsync(options),
                "circuits" => await CircuitsBenchmark.RunAsync(options),
                "metrics" => await MetricsBenchmark.RunAsync(options),
                _ => throw new InvalidOperationException("unreachable: TryParse accepts only known names"),
            };
        }
        catch (BenchmarkCheckException ex)
        {
            // Figures over wrong data are worthless: say so on both streams, still ending stdout with the JSON line.
            await Console.Error.WriteLineAsync("CHECK FAILED: " + ex.Message);
            ResultLine.Write(new { options.Benchmark, Met = false, Error = ex.Message });
            return 1;
        }
    }
}
