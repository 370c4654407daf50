using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Monitoring.Benchmarks;

/// <summary>One SQL command the product ran: its text, parameter values and time until its reader closed.</summary>
internal sealed record RecordedCommand(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters, TimeSpan Duration, int Rows);

/// <summary>Records the SQL the product's read models issue, so a slow endpoint can be traced to the
/// query and its plan. Used only in the diagnostic pass, never while measuring.</summary>
internal sealed class QueryRecorder : DbCommandInterceptor
{
    private readonly List<RecordedCommand> _commands = [];
    private readonly Dictionary<DbCommand, long> _started = [];
    private readonly Lock _lock = new();

    public bool Recording { get; set; }

    public IReadOnlyList<RecordedCommand> Take()
    {
        lock (_lock)
        {
            var taken = _commands.ToList();
            _commands.Clear();
            return taken;
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Start(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Start(command);
        return ValueTask.FromResult(result);
    }

    // Timed here from ReaderExecuting rather than taken from the event's Duration, which in this EF Core
    // version reported ~1 ms for an aggregate that SQLite's own shell times at 200–300 ms.
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(eventData);
        var end = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_started.Remove(command, out var start) && Recording)
            {
                var parameters = command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value)).ToList();
                _commands.Add(new RecordedCommand(command.CommandText, parameters, Stopwatch.GetElapsedTime(start, end), eventData.ReadCount));
            }
        }

        return result;
    }

    private void Start(DbCommand command)
    {
        lock (_lock)
        {
            _started[command] = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>SQLite's plan for a recorded command, with the same parameter values bound.</summary>
    public static IReadOnlyList<string> ExplainQueryPlan(string databasePath, RecordedCommand recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + recorded.Sql;
        foreach (var (name, value) in recorded.Parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var lines = new List<string>();
        var depth = new Dictionary<long, int>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetInt64(0);
            var parent = reader.GetInt64(1);
            var level = depth.TryGetValue(parent, out var d) ? d + 1 : 0;
            depth[id] = level;
            lines.Add(new string(' ', level * 2) + reader.GetString(3));
        }

        return lines;
    }

    /// <summary>The SQL on one line, for the report.</summary>
    public static string OneLine(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var text = new StringBuilder(sql.Length);
        var space = false;
        foreach (var c in sql)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && text.Length > 0)
            {
                text.Append(' ');
            }

            space = false;
            text.Append(c);
        }

        return text.ToString();
    }
}
