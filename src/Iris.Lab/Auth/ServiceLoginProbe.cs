using Iris.Lab.Audit;

namespace Iris.Lab.Auth;

/// <summary>
/// 5.1.3.1 beyond the declared web login: every telnet, SSH and RTSP service the scan found, and every TLS port that
/// answers RTSP inside TLS (RTSPS), gets the most common default credentials (the IXIT's login name first). An RTSP stream served with no login at all is inconclusive
/// here with that evidence (access control is 5.1.2.1's question, which a reviewer answers). One accepted fails the item; all refused passes that
/// service; anything else (no prompt, dropped connection) is inconclusive, never a pass.
/// </summary>
internal sealed class ServiceLoginProbe : IProbe
{
    /// <summary>Pairs tried per service: telnet daemons pause seconds after each failure, so the list is cut to its head.</summary>
    public const int PerService = 6;

    public string Name => "service-login";

    public IReadOnlyList<string> Items { get; } = ["5.1.3.1"];

    /// <summary>RTSPS sign-ins may share the web login's throttle, so they follow the web series rather than race it.</summary>
    public IReadOnlyList<string>? After { get; } = ["services", "tls", "replay", "alert-listen", "auth"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        var host = context.Target.Host;
        foreach (var found in context.Services.Where(s => s.Service is "telnet" or "ssh" or "rtsp" or "tls"))
        {
            // A TLS port is tried as RTSPS, through the certificate the TLS probe saw there; it is skipped if it does not speak RTSP.
            var certificate = found.Service == "tls" ? context.TlsPorts.FirstOrDefault(t => t.Port == found.Port)?.Leaf : null;
            if (found.Service == "tls" && certificate is null)
            {
                continue;
            }

            var service = found.Service == "tls" ? found with { Service = "rtsps" } : found;
            var tried = 0;
            var throttled = 0;
            var unexpected = 0;
            var decided = false;
            foreach (var (user, password) in DefaultCredentials.For(context.Ixit?.Login?.Username).Take(PerService))
            {
                var timeout = context.ConnectTimeout * 3;
                var (outcome, open, notRtsp) = service.Service switch
                {
                    "ssh" => (await SshLogin.TryAsync(host, service.Port, user, password, timeout, cancellationToken), false, false),
                    "rtsp" or "rtsps" => await RtspLogin.TryAsync(host, service.Port, certificate, user, password, timeout, cancellationToken),
                    _ => (await TelnetLogin.TryAsync(host, service.Port, user, password, timeout, cancellationToken), false, false),
                };
                if (notRtsp)
                {
                    decided = true;
                    break;
                }

                tried++;
                if (open)
                {
                    recorder.Inconclusive("5.1.3.1", $"{host}:{service.Port} ({service.Service}): DESCRIBE is answered 200 with no login at all, so no credential is needed to watch; whether that is intended is for the reviewer (5.1.2.1).");
                    decided = true;
                    break;
                }

                if (outcome == LoginOutcome.Accepted)
                {
                    var shown = password.Length == 0 ? "(empty)" : password;
                    recorder.Fail(new Finding("5.1.3.1", Severity.Critical, $"Default credentials accepted on {service.Service}: {user} / {shown}",
                        $"{host}:{service.Port} ({service.Service}) accepted the well-known pair {user} / {shown}",
                        service.Service switch
                        {
                            "ssh" => $"ssh -p {service.Port} {user}@{host}",
                            "rtsp" or "rtsps" => $"ffprobe -rtsp_transport tcp {service.Service}://{host}:{service.Port}/   # with {user}'s credentials",
                            _ => $"telnet {host} {service.Port}   # log in as {user}",
                        }));
                    decided = true;
                    break;
                }

                if (outcome == LoginOutcome.Throttled)
                {
                    // The device stops the series as it would stop an attacker's; the pairs not tried are not tried by anyone else either.
                    throttled++;
                    break;
                }

                unexpected += outcome == LoginOutcome.Refused ? 0 : 1;
            }

            if (decided)
            {
                continue;
            }

            if (unexpected > 0)
            {
                recorder.Inconclusive("5.1.3.1", $"{host}:{service.Port} ({service.Service}): {unexpected} of {tried} default-credential attempts got no clear answer.");
            }
            else
            {
                recorder.Pass("5.1.3.1", throttled == 0
                    ? $"{host}:{service.Port} ({service.Service}): the {tried} most common default credentials were refused."
                    : $"{host}:{service.Port} ({service.Service}): the {tried - throttled} most common default credentials were refused; the device then throttled the rest, as it would an attacker's.");
            }
        }
    }
}
