using System.Globalization;
using Iris.Camera.Web;

namespace Iris.Camera.Accounts;

/// <summary>How every endpoint that asks for the password again answers a throttled re-authentication.</summary>
internal static class StepUpProblems
{
    public static IResult Throttled(HttpContext http, StepUpOutcome outcome, TimeProvider time)
    {
        var retryAt = outcome.RetryAt ?? time.GetUtcNow();
        var seconds = Math.Max(1, (int)Math.Ceiling((retryAt - time.GetUtcNow()).TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            title: outcome.Locked ? "Password confirmation is locked after repeated wrong passwords." : "Too many wrong passwords.",
            detail: $"Try again after {retryAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}.",
            statusCode: StatusCodes.Status429TooManyRequests,
            type: Problems.TypePrefix + (outcome.Locked ? "reauthentication-locked" : "reauthentication-throttled"),
            extensions: new Dictionary<string, object?> { ["retryAt"] = retryAt });
    }
}
