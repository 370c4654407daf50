using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core;

namespace Monitoring.Web.Api;

/// <summary>The one way an endpoint reads a JSON body: bounded, checked and turned into a problem when it is bad.</summary>
/// <remarks>
/// Order of checks: Content-Type (415 — the body is not JSON at all, so no field can be named), size (413, from
/// Content-Length before reading, or while reading a chunked body), empty (400), syntax (400 naming where it
/// broke), text that is not valid Unicode anywhere in the document (400 naming the JSON path), then the shape of
/// <typeparamref name="T"/> (400 naming the field). Every outcome is an answer, never an exception, so bad input
/// leaves no stack trace in the log.
/// </remarks>
public static class JsonBody
{
    /// <summary>For bodies of a few small fields (a key name, a pool size, an alert rule, a silence).</summary>
    public const long SmallBytes = 16 * 1024;

    /// <summary>How much of a JSON path a problem quotes; a path is built from names the client chose.</summary>
    private const int MaxPathLength = 200;

    public static async Task<JsonBodyResult<T>> ReadAsync<T>(HttpContext context, long maxBytes, CancellationToken cancellationToken = default)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The body must be JSON (Content-Type: application/json).");
        }

        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        // Kestrel then stops a chunked body at the limit too; TestServer has no such feature, so the read below
        // counts bytes itself either way.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        byte[] buffer;
        int length;
        try
        {
            (buffer, length) = await ReadBoundedAsync(request.Body, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(maxBytes);
        }
        catch (BadHttpRequestException ex)
        {
            return Problem(ex.StatusCode, "Bad request", "The body could not be read: " + ex.Message);
        }

        try
        {
            if (length > maxBytes)
            {
                return TooLarge(maxBytes);
            }

            var bytes = buffer.AsSpan(0, length);
            if (bytes.IsEmpty)
            {
                return Invalid("body", "A JSON body is required.");
            }

            if (FindInvalidText(bytes) is { } bad)
            {
                return Invalid(bad.Field, bad.Message);
            }

            T? value;
            try
            {
                value = JsonSerializer.Deserialize<T>(bytes, MonitoringJson.Options);
            }
            catch (JsonException ex)
            {
                var field = FieldOf(ex.Path);
                return Invalid(field, field == "body" ? $"The body is not valid JSON: {ex.Message}" : $"{field} has the wrong type or an unknown value.");
            }

            return value is null ? Invalid("body", "The body must be a JSON object.") : new JsonBodyResult<T>(value, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>"$.priority" → "priority"; "$.parameters.x" → "parameters"; "$" or none → "body".</summary>
    internal static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$" || !jsonPath.StartsWith("$.", StringComparison.Ordinal))
        {
            return "body";
        }

        var rest = jsonPath[2..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> + 1 bytes (one more tells "over the limit" from "at it").</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBoundedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        var cap = (int)Math.Min(maxBytes + 1, Array.MaxLength);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(cap, 16 * 1024));
        var length = 0;
        try
        {
            while (length < cap)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, cap) - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The first string or property name that is not valid Unicode (bad UTF-8, or an escaped lone surrogate
    /// such as <c>"\ud800"</c>, which System.Text.Json would keep in a <see cref="JsonElement"/> and throw on later),
    /// or the place where the JSON breaks.</summary>
    private static (string Field, string Message)? FindInvalidText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            AllowTrailingCommas = MonitoringJson.Options.AllowTrailingCommas,
            CommentHandling = MonitoringJson.Options.ReadCommentHandling,
            MaxDepth = MonitoringJson.Options.MaxDepth == 0 ? 64 : MonitoringJson.Options.MaxDepth,
        });
        var path = new List<PathFrame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(path);
                        path.Add(new PathFrame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        if (!TryGetValidString(ref reader, out var name))
                        {
                            var parent = PathOf(path, upTo: path.Count - 1);
                            return (parent, $"A property name in {(parent == "body" ? "the body" : parent)} is not valid Unicode (e.g. a lone surrogate).");
                        }

                        path[^1] = path[^1] with { Name = name };
                        break;
                    case JsonTokenType.String:
                        NextElement(path);
                        if (!TryGetValidString(ref reader, out _))
                        {
                            var field = PathOf(path, path.Count);
                            return (field, $"{field} is not valid Unicode text (e.g. a lone surrogate).");
                        }

                        break;
                    default:
                        NextElement(path);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            // The reader's own message says where: "… LineNumber: 0 | BytePositionInLine: 12."
            return ("body", $"The body is not valid JSON: {ex.Message}");
        }

        return null;
    }

    private static bool TryGetValidString(ref Utf8JsonReader reader, out string? value)
    {
        try
        {
            value = reader.GetString();
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8, or an escape System.Text.Json refuses to turn into UTF-16.
            value = null;
            return false;
        }

        return value is null || UnicodeText.IsWellFormed(value);
    }

    private static void NextElement(List<PathFrame> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1] = path[^1] with { Index = path[^1].Index + 1 };
        }
    }

    private static string PathOf(List<PathFrame> path, int upTo)
    {
        var text = new StringBuilder();
        for (var i = 0; i < upTo && text.Length <= MaxPathLength; i++)
        {
            var frame = path[i];
            if (frame.IsArray)
            {
                text.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Name is not null)
            {
                text.Append(text.Length > 0 ? "." : "").Append(frame.Name);
            }
        }

        return text.Length == 0 ? "body" : text.Length > MaxPathLength ? text.ToString(0, MaxPathLength) + "…" : text.ToString();
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body is larger than this endpoint's limit of {maxBytes:N0} bytes.");

    private static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = $"Invalid {field}",
        });

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);

    private readonly record struct PathFrame(bool IsArray, string? Name = null, int Index = -1);
}

/// <summary>Either the body or the problem to answer with.</summary>
public readonly record struct JsonBodyResult<T>(T? Value, ProblemHttpResult? Problem) where T : class
{
    public static implicit operator JsonBodyResult<T>(ProblemHttpResult problem) => new(null, problem);
}
