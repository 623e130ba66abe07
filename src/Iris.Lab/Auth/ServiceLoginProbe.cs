using Iris.Lab.Audit;

namespace Iris.Lab.Auth;

/// <summary>
/// 5.1.3.1 beyond the declared web login: every telnet and SSH service the scan found gets the most common
/// default credentials (the IXIT's login name first). One accepted fails the item; all refused passes that
/// service; anything else (no prompt, dropped connection) is inconclusive, never a pass.
/// </summary>
internal sealed class ServiceLoginProbe : IProbe
{
    /// <summary>Pairs tried per service: telnet daemons pause seconds after each failure, so the list is cut to its head.</summary>
    public const int PerService = 6;

    public string Name => "service-login";

    public IReadOnlyList<string> Items { get; } = ["5.1.3.1"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var host = context.Target.Host;
        foreach (var service in context.Services.Where(s => s.Service is "telnet" or "ssh"))
        {
            var tried = 0;
            var unexpected = 0;
            var accepted = false;
            foreach (var (user, password) in DefaultCredentials.For(context.Ixit?.Login?.Username).Take(PerService))
            {
                var outcome = service.Service == "ssh"
                    ? await SshLogin.TryAsync(host, service.Port, user, password, context.ConnectTimeout * 3, cancellationToken)
                    : await TelnetLogin.TryAsync(host, service.Port, user, password, context.ConnectTimeout * 3, cancellationToken);
                tried++;
                if (outcome == LoginOutcome.Accepted)
                {
                    var shown = password.Length == 0 ? "(empty)" : password;
                    recorder.Fail(new Finding("5.1.3.1", Severity.Critical, $"Default credentials accepted on {service.Service}: {user} / {shown}",
                        $"{host}:{service.Port} ({service.Service}) accepted the well-known pair {user} / {shown}",
                        service.Service == "ssh" ? $"ssh -p {service.Port} {user}@{host}" : $"telnet {host} {service.Port}   # log in as {user}"));
                    accepted = true;
                    break;
                }

                unexpected += outcome == LoginOutcome.Refused ? 0 : 1;
            }

            if (accepted)
            {
                continue;
            }

            if (unexpected > 0)
            {
                recorder.Inconclusive("5.1.3.1", $"{host}:{service.Port} ({service.Service}): {unexpected} of {tried} default-credential attempts got no clear answer.");
            }
            else
            {
                recorder.Pass("5.1.3.1", $"{host}:{service.Port} ({service.Service}): the {tried} most common default credentials were refused.");
            }
        }
    }
}
