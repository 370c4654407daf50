using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Monitoring.Tests.Support;

public sealed record LoggedEvent(LogLevel Level, string Category, string Message);

/// <summary>Keeps what the product logs, so a test can assert that a failure was reported (and a secret was not).</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LoggedEvent> _events = new();

    public IReadOnlyList<LoggedEvent> Events => [.. _events];

    public string AllText => string.Join('\n', _events.Select(e => e.Message));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider._events.Enqueue(new LoggedEvent(logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
            }
        }
    }
}
