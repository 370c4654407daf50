using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Monitoring.Core.Handlers;

/// <summary>What one process attempt writes: the full log file (stdout and stderr interleaved, each line
/// marked with its stream), a bounded tail for the task, a short stderr tail for the failure message, and
/// progress read from stdout.</summary>
internal sealed partial class ProcessOutput : IAsyncDisposable
{
    public const int TailLines = 200;
    public const int TailBytes = 16 * 1024;
    public const string StdoutMarker = "[out] ";
    public const string StderrMarker = "[err] ";

    // Output is read in lines; a longer run of characters without a line break is cut into lines of this
    // size, so a process that never writes '\n' cannot make the server buffer it whole.
    private const int MaxLineChars = 8 * 1024;

    private readonly Lock _gate = new();
    private readonly StreamWriter _log;
    private readonly OutputTail _tail = new(TailLines, TailBytes);
    private readonly OutputTail _stderrTail = new(5, 1024);
    private readonly IProgress<int> _progress;
    private int _lastProgress = -1;

    public ProcessOutput(string logPath, IProgress<int> progress)
    {
        // Append: an attempt that is run again (after a restart) keeps what the first run wrote.
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _progress = progress;
    }

    public string Tail
    {
        get
        {
            lock (_gate)
            {
                return _tail.ToString();
            }
        }
    }

    public string StderrTail
    {
        get
        {
            lock (_gate)
            {
                return _stderrTail.ToString();
            }
        }
    }

    /// <summary>Writes a line of the handler's own (the command line, the exit code) to the log only.</summary>
    public void Note(string line)
    {
        lock (_gate)
        {
            _log.WriteLine(line);
        }
    }

    public Task ReadStdoutAsync(Stream stream, CancellationToken cancellationToken) =>
        ReadLinesAsync(stream, isStderr: false, cancellationToken);

    public Task ReadStderrAsync(Stream stream, CancellationToken cancellationToken) =>
        ReadLinesAsync(stream, isStderr: true, cancellationToken);

    public async ValueTask DisposeAsync() => await _log.DisposeAsync();

    private async Task ReadLinesAsync(Stream stream, bool isStderr, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        var buffer = new char[4096];
        var line = new StringBuilder();
        var afterCarriageReturn = false;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c is '\n' or '\r')
                {
                    // "\r\n" ends one line; a lone '\r' (a progress bar redrawing itself) ends one too.
                    if (!(c == '\n' && afterCarriageReturn))
                    {
                        Emit(line, isStderr);
                    }
                    afterCarriageReturn = c == '\r';
                    continue;
                }
                afterCarriageReturn = false;
                line.Append(c);
                if (line.Length >= MaxLineChars)
                {
                    Emit(line, isStderr);
                }
            }
        }
        if (line.Length > 0)
        {
            Emit(line, isStderr);
        }
    }

    private void Emit(StringBuilder builder, bool isStderr)
    {
        var text = builder.ToString();
        builder.Clear();
        var marked = (isStderr ? StderrMarker : StdoutMarker) + text;
        lock (_gate)
        {
            _log.WriteLine(marked);
            _tail.Add(marked);
            if (isStderr)
            {
                _stderrTail.Add(text);
            }
        }
        if (!isStderr)
        {
            ReportProgress(text);
        }
    }

    private void ReportProgress(string line)
    {
        var match = ProgressLine().Match(line);
        if (!match.Success)
        {
            return;
        }
        var percent = Math.Min(100, int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
        // Only stdout reports progress, and one reader handles stdout, so no lock is needed here.
        if (percent != _lastProgress)
        {
            _lastProgress = percent;
            _progress.Report(percent);
        }
    }

    [GeneratedRegex(@"(?:\bprogress=|\bPROGRESS )(\d{1,3})(?!\d)")]
    private static partial Regex ProgressLine();
}
