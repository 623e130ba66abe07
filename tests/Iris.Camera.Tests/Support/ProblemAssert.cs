using System.Net;
using System.Text.Json;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// Checks an RFC 9457 answer by its status and its exact problem type, so a test of one refusal cannot pass on
/// another refusal with the same status (a 400 for a malformed body is not a 400 for an expired nonce).
/// </summary>
public static class ProblemAssert
{
    /// <summary>Asserts the answer and returns the problem document for further checks.</summary>
    public static async Task<JsonElement> IsAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {type}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
