using System.Diagnostics;

namespace Monitoring.Benchmarks;

/// <summary>What the idle product costs: CPU of the real web app, as its own OS process, with every probe and
/// periodic job running (GPU probe on the simulated provider, system probe, scheduler tick, performance
/// snapshot, retention) and no tasks, read from /proc over a measured window.</summary>
internal static class ProbeOverheadBenchmark
{
    private const double TargetPercent = 1.0;
    private const int SliceSeconds = 10;
    private const string Hourly = "3600";

    /// <summary>Long enough for tiered JIT to finish with the jobs' code: they run every 2–5 s, and a method is
    /// recompiled (instrumented, then optimized) only after 30 calls at each tier, so the first minutes cost
    /// 3–8 % of a core in recompilation. 15 s measured that transient, not the steady state.</summary>
    private const int DefaultWarmupSeconds = 180;

    private static string[] s_baseArguments = ["--Demo:Enabled=false", "--Gpu:Provider=simulated"];

    /// <summary>Each periodic job, and the setting that pushes it to once an hour (retention already runs hourly).</summary>
    private static readonly (string Job, string Setting)[] Jobs =
    [
        ("gpu-probe", "Probes:GpuIntervalSeconds"),
        ("system-probe", "Probes:SystemIntervalSeconds"),
        ("scheduler-tick", "Scheduler:IntervalSeconds"),
        ("performance-snapshot", "Probes:PerformanceIntervalSeconds"),
    ];

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var seconds = (int)Math.Min(options.Get("seconds", 60, smoke: 4), 24 * 3600);
        var warmup = (int)Math.Min(options.Get("warmup", DefaultWarmupSeconds, smoke: 1), 3600);
        int? isolate = options.Has("isolate") ? (int)Math.Min(options.Get("isolate", 60), 24 * 3600) : null;
        var started = Stopwatch.StartNew();
        // --nvml 1: the real driver instead of the simulated GPUs (scripts/gpu-check.sh), with NVML's cost per sample.
        var nvml = options.Get("nvml", 0) == 1 ? NvmlSampleCost.Measure() : null;
        if (options.Get("nvml", 0) == 1 && nvml is null)
        {
            return 2;
        }

        var provider = nvml is null ? "simulated" : "nvml";
        s_baseArguments = ["--Demo:Enabled=false", $"--Gpu:Provider={provider}"];

        var webDll = ChildApp.LocateWebDll();
        using var temp = new TempDirectory("probe-overhead");
        Console.WriteLine($"probe-overhead: CPU of the idle web app as a child process, in {temp.Path}");
        Console.WriteLine($"  dotnet {webDll} --urls http://127.0.0.1:0 --Storage:DataDirectory=… {string.Join(' ', s_baseArguments)}, ASPNETCORE_ENVIRONMENT=Production");
        Console.WriteLine($"  every job at its default interval, no tasks; {warmup} s after it listens, then {seconds} s measured from /proc/<pid>/stat");

        var main = await MeasureAsync(webDll, temp.Sub("all-jobs"), [], warmup, seconds, print: true);
        var met = main.Percent <= TargetPercent;
        Console.WriteLine($"  CPU {Figures.Format(main.Percent, "0.000")} % of one core (target ≤ {TargetPercent} %) → {(met ? "met" : "MISSED")}");
        Console.WriteLine($"  {main.Slices.Count} slices of {SliceSeconds} s: median {Figures.Format(Figures.Median(main.Slices), "0.000")} %, " +
                          $"[{string.Join(", ", main.Slices.Select(s => Figures.Format(s, "0.00")))}] %");
        Console.WriteLine($"  RSS at the end {Figures.Bytes(main.RssBytes)}, {main.Threads} threads, {main.LogLines} log lines during the window; " +
                          $"start-up took {Figures.Format(main.StartupCpuSeconds, "0.00")} s of CPU");
        Console.WriteLine($"  during the {warmup} s warm-up: {Figures.Format(main.WarmupPercent, "0.000")} % of one core (informational: tiered JIT recompiles the jobs' code in the first minutes)");

        var isolation = new List<object>();
        if (isolate is { } isolateSeconds)
        {
            Console.WriteLine();
            Console.WriteLine($"  isolation: one child per variant, {isolateSeconds} s measured each (a job pushed to hourly still runs once at start-up)");
            var variants = new List<(string Name, string[] Arguments)> { ("all jobs at defaults", []) };
            variants.AddRange(Jobs.Select(j => ($"{j.Job} hourly", new[] { $"--{j.Setting}={Hourly}" })));
            variants.Add(("all jobs hourly", Jobs.Select(j => $"--{j.Setting}={Hourly}").ToArray()));
            variants.Add(("Gpu:Provider=none", ["--Gpu:Provider=none"]));
            var index = 0;
            foreach (var (name, arguments) in variants)
            {
                var run = await MeasureAsync(webDll, temp.Sub($"isolate-{index++}"), arguments, warmup, isolateSeconds, print: false);
                Console.WriteLine($"    {name,-36} {Figures.Format(run.Percent, "0.000"),7} %   slice median {Figures.Format(Figures.Median(run.Slices), "0.000"),7} %   RSS {Figures.Bytes(run.RssBytes)}");
                isolation.Add(new
                {
                    Variant = name,
                    CpuPercent = Figures.Round(run.Percent, 3),
                    SliceMedianPercent = Figures.Round(Figures.Median(run.Slices), 3),
                    RssMiB = Figures.Round(run.RssBytes / (double)(1 << 20), 1),
                });
            }
        }

        Console.WriteLine($"  checked: the child answered /health/live with 200 and was killed (process tree) and gone from /proc after each run");
        Console.WriteLine($"  took {Figures.Format(started.Elapsed.TotalSeconds, "0.0")} s");
        temp.Dispose();
        ResultLine.Write(new
        {
            Benchmark = "probe-overhead",
            options.Smoke,
            CpuPercentOfOneCore = Figures.Round(main.Percent, 3),
            SliceMedianPercent = Figures.Round(Figures.Median(main.Slices), 3),
            Target = TargetPercent,
            Met = met,
            Seconds = Figures.Round(main.WallSeconds, 1),
            CpuSeconds = Figures.Round(main.CpuSeconds, 2),
            WarmupSeconds = warmup,
            RssMiB = Figures.Round(main.RssBytes / (double)(1 << 20), 1),
            main.Threads,
            LogLinesInWindow = main.LogLines,
            StartupCpuSeconds = Figures.Round(main.StartupCpuSeconds, 2),
            WarmupCpuPercent = Figures.Round(main.WarmupPercent, 3),
            GpuProvider = provider,
            Nvml = nvml,
            Isolation = isolation.Count > 0 ? isolation : null,
            ElapsedSeconds = Figures.Round(started.Elapsed.TotalSeconds, 1),
        });
        return options.ExitCode(met);
    }

    private static async Task<Measurement> MeasureAsync(string webDll, string dataDirectory, string[] arguments, int warmup, int seconds, bool print)
    {
        await using var child = ChildApp.Start(webDll, dataDirectory, s_baseArguments.Concat(arguments));
        var address = await child.WaitReadyAsync();
        var startupTicks = child.CpuTicks();
        var warmupWatch = Stopwatch.StartNew();
        if (print)
        {
            Console.WriteLine($"  pid {child.Pid} listening on {address}; warming up {warmup} s");
        }

        await Task.Delay(TimeSpan.FromSeconds(warmup));

        var slices = new List<double>();
        var linesBefore = child.Lines;
        var watch = Stopwatch.StartNew();
        var startTicks = child.CpuTicks();
        var warmupPercent = Percent(startTicks - startupTicks, warmupWatch.Elapsed.TotalSeconds);
        var sliceTicks = startTicks;
        var sliceStart = watch.Elapsed;
        var end = TimeSpan.FromSeconds(seconds);
        while (watch.Elapsed < end)
        {
            var next = TimeSpan.FromSeconds(Math.Min(end.TotalSeconds, sliceStart.TotalSeconds + SliceSeconds));
            var wait = next - watch.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var ticks = child.CpuTicks();
            var now = watch.Elapsed;
            slices.Add(Percent(ticks - sliceTicks, (now - sliceStart).TotalSeconds));
            sliceTicks = ticks;
            sliceStart = now;
        }

        var endTicks = sliceTicks;
        var wall = sliceStart.TotalSeconds;
        var measurement = new Measurement(
            Percent(endTicks - startTicks, wall),
            (endTicks - startTicks) / ChildApp.ClockTicksPerSecond,
            wall,
            slices,
            child.Status("VmRSS") * 1024,
            child.Status("Threads"),
            child.Lines - linesBefore,
            startupTicks / ChildApp.ClockTicksPerSecond,
            warmupPercent);
        await child.StopAsync();
        return measurement;
    }

    private static double Percent(long ticks, double wallSeconds) => ticks / ChildApp.ClockTicksPerSecond / wallSeconds * 100;

    private sealed record Measurement(
        double Percent, double CpuSeconds, double WallSeconds, List<double> Slices, long RssBytes, long Threads, long LogLines, double StartupCpuSeconds, double WarmupPercent);
}

/// <summary>What one NVML sample of every GPU costs in this process, without and with the process list.</summary>
internal sealed record NvmlSampleCost(
    string? DriverVersion, string? NvmlVersion, int Gpus, string[] GpuNames, double SampleMicroseconds, double SampleWithProcessesMicroseconds)
{
    private const int Samples = 200;

    /// <summary>Null, with the reason printed, where NVML does not load or sees no GPU.</summary>
    public static NvmlSampleCost? Measure()
    {
        if (!Monitoring.Gpu.NvmlGpuProbe.TryCreate(TimeProvider.System, out var probe, out var reason))
        {
            Console.Error.WriteLine($"probe-overhead --nvml 1: NVML unavailable: {reason}");
            return null;
        }

        using (probe)
        {
            var gpus = probe.Sample(includeProcesses: true);
            if (gpus.Count == 0)
            {
                Console.Error.WriteLine("probe-overhead --nvml 1: NVML loaded but reports no GPUs");
                return null;
            }

            var cost = new NvmlSampleCost(
                probe.DriverVersion, probe.NvmlVersion, gpus.Count, gpus.Select(g => g.Name).ToArray(),
                MedianMicroseconds(() => probe.Sample(includeProcesses: false)),
                MedianMicroseconds(() => probe.Sample(includeProcesses: true)));
            Console.WriteLine($"  NVML {cost.NvmlVersion}, driver {cost.DriverVersion}, {cost.Gpus} GPU(s): one sample of all GPUs " +
                              $"{Figures.Format(cost.SampleMicroseconds, "0.0")} µs, with processes {Figures.Format(cost.SampleWithProcessesMicroseconds, "0.0")} µs (median of {Samples})");
            return cost;
        }
    }

    private static double MedianMicroseconds(Action sample)
    {
        var times = new List<double>(Samples);
        for (var i = 0; i < Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            sample();
            times.Add(watch.Elapsed.TotalMicroseconds);
        }

        return Figures.Round(Figures.Median(times), 1);
    }
}
