using System.Globalization;
using Iris.Lab.Audit;

namespace Iris.Lab.Auth;

/// <summary>
/// 5.1.3.1 and 5.1.2.2 at the login interface the IXIT declares: well-known default credentials, most common
/// first, then wrong passwords, as one timed series of at most <see cref="SeriesLength"/> attempts. Accepted
/// defaults fail 5.1.3.1. The series is "throttled" (429/423/Retry-After, or answers slowed by a second or more)
/// or "unlimited" (every attempt refused at full speed), which fails 5.1.2.2. The series stops as soon as the
/// verdict is decided: at the first throttled answer (the second where the IXIT declares an alert channel, which is
/// judged on the wrong passwords sent), or once the answers are slowed. A device that throttles also keeps an
/// attacker from the rest of the list, so the defaults tried until then are the remote evidence for 5.1.3.1.
/// </summary>
internal sealed class AuthProbe : IProbe
{
    public const int SeriesLength = 12;

    public string Name => "auth";

    public IReadOnlyList<string> Items { get; } = ["5.1.3.1", "5.1.2.2"];

    /// <summary>After the replay's real sign-in (the series throttles the lab's source) and with the alert channels open.</summary>
    public IReadOnlyList<string>? After { get; } = ["services", "tls", "replay", "alert-listen"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        if (LoginEndpoint.Find(context, out var why) is not { } endpoint)
        {
            recorder.Inconclusive("5.1.3.1", $"Not tested: {why}.");
            recorder.Inconclusive("5.1.2.2", $"Not tested: {why}.");
            return;
        }

        var login = endpoint.Login;
        var baseAddress = endpoint.BaseAddress;
        using var http = endpoint.CreateHttp(context.ConnectTimeout * 10);
        var client = new LoginClient(http, login, context.Time);
        var attempts = new List<LoginAttempt>();
        var reproduce = $"iris-lab audit --target {context.Target} --ixit IXIT.json --out DIR   # login {login.Kind} at {new Uri(baseAddress, login.Path)}";
        var credentials = context.Timings.Begin("auth/credentials");
        foreach (var (user, password) in DefaultCredentials.For(login.Username))
        {
            var attempt = await client.TryAsync(user, password, cancellationToken);
            attempts.Add(attempt);
            if (attempt.Outcome == LoginOutcome.Accepted)
            {
                recorder.Fail(new Finding("5.1.3.1", Severity.Critical, $"Default credentials accepted: {user} / {Shown(password)}",
                    $"{baseAddress} accepted the well-known pair {user} / {Shown(password)} (HTTP {attempt.Status})", reproduce));
                break;
            }

            if (attempt.Outcome != LoginOutcome.Refused || attempts.Count >= SeriesLength)
            {
                break;
            }
        }

        credentials.Dispose();
        var triedDefaults = attempts.Count(a => a.Outcome == LoginOutcome.Refused);
        var wrongUser = login.Username ?? "admin";
        // A declared alert channel is judged on the wrong passwords sent, so the series then gives the device one
        // throttled attempt more than the 5.1.2.2 verdict needs, as a persistent attacker would.
        var throttledAnswers = context.Ixit?.Alerts is { Count: > 0 } ? 2 : 1;
        using (context.Timings.Begin("auth/throttle-series"))
        {
            for (var n = attempts.Count; n < SeriesLength && !Decided(attempts, throttledAnswers); n++)
            {
                attempts.Add(await client.TryAsync(wrongUser, $"iris-lab-wrong-{n}", cancellationToken));
            }
        }

        context.WrongLoginsSent += attempts.Count(a => a.Outcome is LoginOutcome.Refused or LoginOutcome.Throttled);
        var series = string.Join(", ", attempts.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Status}/{a.Elapsed.TotalMilliseconds:0}ms")));
        JudgeDefaults(recorder, attempts, triedDefaults, baseAddress);
        // An accepted pair is not a wrong attempt: the throttle is judged on the refused and throttled ones.
        JudgeThrottle(recorder, [.. attempts.Where(a => a.Outcome != LoginOutcome.Accepted)], series, baseAddress, reproduce);
    }

    private static void JudgeDefaults(ProbeRecorder recorder, List<LoginAttempt> attempts, int triedDefaults, Uri at)
    {
        if (attempts.Any(a => a.Outcome == LoginOutcome.Accepted))
        {
            return;
        }

        if (triedDefaults == 0 || attempts.Any(a => a.Outcome == LoginOutcome.Unexpected))
        {
            recorder.Inconclusive("5.1.3.1", $"{at}: default credentials could not be judged (answers: {string.Join(", ", attempts.Select(a => a.Status).Distinct())})");
            return;
        }

        var stopped = triedDefaults < DefaultCredentials.Common.Count ? "; the device then throttled the rest, as it would an attacker's" : "";
        recorder.Pass("5.1.3.1", $"{at}: {triedDefaults} well-known default credentials refused{stopped}");
    }

    /// <summary>
    /// Whether more wrong passwords could change the 5.1.2.2 verdict: not once the device has answered "throttled"
    /// (or locked) as often as asked, nor once its answers are slowed as <see cref="Slowed"/> judges them. Only
    /// "unlimited" needs the whole series.
    /// </summary>
    private static bool Decided(List<LoginAttempt> attempts, int throttledAnswers) =>
        attempts.Count(a => a.Outcome == LoginOutcome.Throttled) >= throttledAnswers
        || Slowed([.. attempts.Where(a => a.Outcome != LoginOutcome.Accepted)], out _, out _);

    /// <summary>
    /// Slowed means each of the last three answers took a second more, and three times as long, as the slowest of
    /// the first three: one slow answer on a busy network is not a throttle.
    /// </summary>
    private static bool Slowed(List<LoginAttempt> attempts, out TimeSpan early, out TimeSpan late)
    {
        early = attempts.Take(3).Select(a => a.Elapsed).DefaultIfEmpty().Max();
        late = attempts.Skip(Math.Max(3, attempts.Count - 3)).Select(a => a.Elapsed).DefaultIfEmpty().Min();
        return attempts.Count >= 6 && late - early >= TimeSpan.FromSeconds(1) && late >= early * 3;
    }

    private static void JudgeThrottle(ProbeRecorder recorder, List<LoginAttempt> attempts, string series, Uri at, string reproduce)
    {
        var firstThrottled = attempts.FindIndex(a => a.Outcome == LoginOutcome.Throttled);
        var slowed = Slowed(attempts, out var early, out var late);
        if (firstThrottled >= 0)
        {
            var retry = attempts[firstThrottled].RetryAfter is { } r ? string.Create(CultureInfo.InvariantCulture, $", Retry-After {r.TotalSeconds:0} s") : "";
            recorder.Pass("5.1.2.2", $"{at}: throttled at attempt {firstThrottled + 1} (HTTP {attempts[firstThrottled].Status}{retry}); series: {series}");
        }
        else if (slowed)
        {
            recorder.Pass("5.1.2.2", $"{at}: throttled by delay (answers slowed from {early.TotalMilliseconds:0} ms to {late.TotalMilliseconds:0} ms); series: {series}");
        }
        else if (attempts.All(a => a.Outcome == LoginOutcome.Refused))
        {
            recorder.Fail(new Finding("5.1.2.2", Severity.High, "Unlimited password attempts",
                $"{at}: {attempts.Count} wrong passwords in a row were all answered at full speed, none refused for rate; series: {series}", reproduce));
        }
        else
        {
            recorder.Inconclusive("5.1.2.2", $"{at}: unexpected answers to the series: {series}");
        }
    }

    private static string Shown(string password) => password.Length == 0 ? "(empty)" : password;
}
