using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Iris.Lab.Ixit;

namespace Iris.Lab.Auth;

/// <summary>How the device answered one login attempt.</summary>
internal enum LoginOutcome
{
    Accepted,
    Refused,
    Throttled,
    Unexpected,
}

/// <summary>One attempt of a series: what was sent, the answer, and how long the answer took.</summary>
internal sealed record LoginAttempt(string Username, string Password, LoginOutcome Outcome, int Status, TimeSpan Elapsed, TimeSpan? RetryAfter);

/// <summary>
/// Signs in to the login interface the IXIT declares: "http-basic" (GET with an Authorization header),
/// "http-digest" (GET, then the answer to the Digest challenge), "http-json" (POST a JSON object with the declared
/// field names) or "iris-nonce-json" (POST for a nonce at the sibling path "nonce", then the JSON login with it).
/// 2xx is accepted; 429, 423 or a Retry-After is throttled; 400, 401 and 403 are refused.
/// </summary>
internal sealed class LoginClient(HttpClient http, IxitLogin login, TimeProvider time)
{
    public static readonly string[] Kinds = ["http-basic", "http-digest", "http-json", "iris-nonce-json"];

    public async Task<LoginAttempt> TryAsync(string username, string password, CancellationToken cancellationToken) =>
        (await SignInAsync(username, password, cancellationToken)).Attempt;

    /// <summary>One attempt, and the sign-in request as sent (null when the device answered before one could be made).</summary>
    public async Task<(LoginAttempt Attempt, CapturedRequest? Sent)> SignInAsync(string username, string password, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (request, earlyStatus, earlyRetry) = await BuildAsync(username, password, cancellationToken);
        if (request is null)
        {
            return (Judge(username, password, earlyStatus, earlyRetry, time.GetElapsedTime(started)), null);
        }

        return (await SendAsync(request, username, password, started, cancellationToken), request);
    }

    /// <summary>Sends a captured sign-in request again, unchanged.</summary>
    public Task<LoginAttempt> ReplayAsync(CapturedRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(request, "", "", time.GetTimestamp(), cancellationToken);
    }

    private async Task<LoginAttempt> SendAsync(CapturedRequest request, string username, string password, long started, CancellationToken cancellationToken)
    {
        using var message = request.ToMessage();
        using var response = await http.SendAsync(message, cancellationToken);
        return Judge(username, password, (int)response.StatusCode, response.Headers.RetryAfter?.Delta, time.GetElapsedTime(started));
    }

    private static LoginAttempt Judge(string username, string password, int status, TimeSpan? retryAfter, TimeSpan elapsed)
    {
        var outcome = status switch
        {
            >= 200 and < 300 => LoginOutcome.Accepted,
            429 or 423 => LoginOutcome.Throttled,
            _ when retryAfter is not null => LoginOutcome.Throttled,
            400 or 401 or 403 => LoginOutcome.Refused,
            _ => LoginOutcome.Unexpected,
        };
        return new LoginAttempt(username, password, outcome, status, elapsed, retryAfter);
    }

    private async Task<(CapturedRequest? Request, int Status, TimeSpan? RetryAfter)> BuildAsync(string username, string password, CancellationToken cancellationToken)
    {
        switch (login.Kind)
        {
            case "http-basic":
                return (new CapturedRequest("GET", login.Path, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")), null, null), 0, null);
            case "http-digest":
                using (var challengeResponse = await http.GetAsync(new Uri(login.Path, UriKind.Relative), cancellationToken))
                {
                    var challenge = challengeResponse.Headers.WwwAuthenticate.Select(h => DigestChallenge.Parse(h.ToString())).FirstOrDefault(c => c is not null);
                    if (challenge is null)
                    {
                        // No Digest challenge: the device throttles, or does not ask for Digest at all; its answer says which.
                        return (null, (int)challengeResponse.StatusCode, challengeResponse.Headers.RetryAfter?.Delta);
                    }

                    return (new CapturedRequest("GET", login.Path, challenge.Answer(username, password, "GET", login.Path), null, null), 0, null);
                }

            case "http-json":
                return (Json(username, password, null), 0, null);
            case "iris-nonce-json":
                var noncePath = login.Path[..(login.Path.LastIndexOf('/') + 1)] + "nonce";
                using (var nonceResponse = await http.PostAsync(new Uri(noncePath, UriKind.Relative), null, cancellationToken))
                {
                    if (!nonceResponse.IsSuccessStatusCode)
                    {
                        // No nonce: the device is refusing this source already; the login itself shows how.
                        return (Json(username, password, ""), 0, null);
                    }

                    var body = await nonceResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                    return (Json(username, password, body.GetProperty("nonce").GetString()), 0, null);
                }

            default:
                throw new NotSupportedException($"Login kind '{login.Kind}' is not supported (one of {string.Join(", ", Kinds)}).");
        }
    }

    private CapturedRequest Json(string username, string password, string? nonce)
    {
        var body = new Dictionary<string, string>
        {
            [login.UsernameField ?? "username"] = username,
            [login.PasswordField ?? "password"] = password,
        };
        if (nonce is not null)
        {
            body["nonce"] = nonce;
        }

        return new CapturedRequest("POST", login.Path, null, JsonSerializer.SerializeToUtf8Bytes(body), "application/json; charset=utf-8");
    }

    /// <summary>
    /// An HTTP client for the device, pinned to the certificate the TLS probe saw on it: the probe judges that
    /// certificate (chain, names, validity) with evidence, so here it only has to be the same one.
    /// </summary>
    public static HttpClient CreateHttp(Uri baseAddress, TimeSpan timeout, X509Certificate2? seen)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && seen is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(seen.RawData) },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout, DefaultRequestVersion = HttpVersion.Version11 };
    }
}
