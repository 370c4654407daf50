using Microsoft.AspNetCore.Http.HttpResults;

namespace Monitoring.Web.Api;

/// <summary>RFC 9457 problem details for the errors every endpoint shares.</summary>
public static class ApiProblems
{
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}");

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Invalid " + string.Join(", ", errors.Keys));

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the current state");

    /// <summary>A repeated idempotency key with a different request (SPEC §9): the first request stands.</summary>
    public static ProblemHttpResult IdempotencyConflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Idempotency key reused with a different request");
}
