using Iris.Lab.Audit;

namespace Iris.Lab.Auth;

/// <summary>
/// 5.1.1.3 from outside: signs in once with the account the vendor gave the lab, keeps the request exactly as it
/// went on the wire (nonce, Digest answer, body), and sends it again, as someone who captured it would. Accepted
/// again fails the item; refused passes the part a lab can see. It runs before the wrong-password series, which
/// would get the lab's own source throttled.
/// </summary>
internal sealed class ReplayProbe : IProbe
{
    public string Name => "replay";

    public IReadOnlyList<string> Items { get; } = ["5.1.1.3"];

    /// <summary>It signs in through the certificate the TLS probe saw.</summary>
    public IReadOnlyList<string>? After { get; } = ["services", "tls"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        if (LoginEndpoint.Find(context, out var why) is not { } endpoint)
        {
            recorder.Inconclusive("5.1.1.3", $"Replay not tested: {why}.");
            return;
        }

        if (context.Account is not { } account)
        {
            recorder.Inconclusive("5.1.1.3", "Replay not tested: no account for the lab (--account FILE), so there is no real sign-in to capture.");
            return;
        }

        using var http = endpoint.CreateHttp(context.ConnectTimeout * 10);
        var client = new LoginClient(http, endpoint.Login, context.Time);
        var at = new Uri(endpoint.BaseAddress, endpoint.Login.Path);
        var (first, sent) = await client.SignInAsync(account.Username, account.Password, cancellationToken);
        if (sent is null || first.Outcome != LoginOutcome.Accepted)
        {
            recorder.Inconclusive("5.1.1.3", $"{at}: the lab's account '{account.Username}' was not accepted (HTTP {first.Status}), so there was no real sign-in to replay.");
            return;
        }

        var replay = await client.ReplayAsync(sent, cancellationToken);
        var what = $"{at}: a {endpoint.Login.Kind} sign-in of '{account.Username}' was accepted (HTTP {first.Status}); the same request sent again, unchanged, was answered HTTP {replay.Status}";
        switch (replay.Outcome)
        {
            case LoginOutcome.Accepted:
                recorder.Fail(new Finding("5.1.1.3", Severity.High, "Captured sign-in accepted again (replay)", what,
                    $"Sign in at {at} as {account.Username}, capture the request, send it again byte for byte (iris-lab audit --target {context.Target} --ixit IXIT.json --account ACCOUNT --out DIR)"));
                break;
            case LoginOutcome.Refused:
                recorder.Pass("5.1.1.3", $"{what}: the replay was refused.");
                break;
            default:
                recorder.Inconclusive("5.1.1.3", $"{what}: neither accepted nor refused.");
                break;
        }
    }
}
