using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;

namespace Iris.Lab.Tls;

/// <summary>
/// Enumerates a TLS server the way testssl.sh and sslscan do, one ClientHello per question: each version offered
/// alone; per version, every suite by offering all and removing the server's choice until it refuses; per
/// version, every group the same way. Questions that do not depend on each other (the five versions, then each
/// version's suites and groups) are asked side by side, at most as many at once as <paramref name="connections"/>
/// allows. A connection that is refused throws (the port is gone: the caller turns that into "inconclusive"); a
/// server that resets or stays silent after connecting has refused that hello.
/// </summary>
internal sealed class TlsScanner(string host, int port, TimeSpan timeout, SemaphoreSlim connections, AuditTimings timings)
{
    private static readonly ushort[] EcGroups = [.. NamedGroups.Names.Keys.Where(g => g < 256)];
    private static readonly ushort[] AllGroups = [.. NamedGroups.Names.Keys];
    private int handshakes;

    public async Task<TlsFacts> ScanAsync(CancellationToken cancellationToken)
    {
        var phase = $"tls/{port}/";
        var first = await timings.MeasureAsync(phase + "protocols", () =>
            Task.WhenAll(TlsVersions.All.Select(v => AskAsync(ClientHello.Build(v, Offer(v), AllGroups, host), cancellationToken))));
        var offered = TlsVersions.All.Zip(first).Where(p => p.Second.Accepted(p.First)).ToList();
        var enumerated = await timings.MeasureAsync(phase + "suites", () =>
            Task.WhenAll(offered.Select(p => EnumerateSuitesAsync(p.First, p.Second, cancellationToken))));
        var versions = offered.Select(p => p.First).ToList();
        var suites = new Dictionary<ushort, IReadOnlyList<ushort>>();
        var answers = new List<ServerAnswer>();
        for (var i = 0; i < versions.Count; i++)
        {
            suites[versions[i]] = [.. enumerated[i].Select(a => a.Suite!.Value)];
            answers.AddRange(enumerated[i]);
        }

        var groupAnswers = await timings.MeasureAsync(phase + "groups", () =>
            Task.WhenAll(versions.Select(v => EnumerateGroupsAsync(v, suites[v], cancellationToken))));
        var groups = new SortedSet<ushort>(answers.Concat(groupAnswers.SelectMany(g => g)).Where(a => a.Group is not null).Select(a => a.Group!.Value));
        var dhBits = new SortedSet<int>(answers.Where(a => a.DhBits is not null).Select(a => a.DhBits!.Value));
        var certificates = answers.Select(a => a.Certificates).FirstOrDefault(c => c.Count > 0) ?? [];
        var chain = await timings.MeasureAsync(phase + "certificate", async () =>
            certificates.Count > 0
                ? certificates.Select(c => X509CertificateLoader.LoadCertificate(c)).ToList()
                : versions.Count > 0 ? await ChainOverDotnetTlsAsync(cancellationToken) : []);
        return new TlsFacts(host, port, versions, suites, [.. groups], [.. dhBits], chain, handshakes);
    }

    private static List<ushort> Offer(ushort version) => [.. version == TlsVersions.Tls13 ? CipherSuites.Tls13 : CipherSuites.Legacy];

    /// <summary>The accepted answers, one per suite, in the order the server chose them (the first is the version's own probe).</summary>
    private async Task<List<ServerAnswer>> EnumerateSuitesAsync(ushort version, ServerAnswer firstAnswer, CancellationToken cancellationToken)
    {
        var remaining = Offer(version);
        var found = new List<ServerAnswer>();
        var answer = firstAnswer;
        while (answer.Accepted(version) && remaining.Remove(answer.Suite!.Value))
        {
            found.Add(answer);
            if (remaining.Count == 0)
            {
                break;
            }

            answer = await AskAsync(ClientHello.Build(version, remaining, AllGroups, host), cancellationToken);
        }

        return found;
    }

    private async Task<List<ServerAnswer>> EnumerateGroupsAsync(ushort version, IReadOnlyList<ushort> accepted, CancellationToken cancellationToken)
    {
        var found = new List<ServerAnswer>();
        var tls13 = version == TlsVersions.Tls13;
        var ecdhe = accepted.Where(s => CipherSuites.NameOf(s).StartsWith("TLS_ECDHE_", StringComparison.Ordinal)).ToList();
        if (!tls13 && ecdhe.Count == 0)
        {
            return found;
        }

        var remaining = (tls13 ? AllGroups : EcGroups).ToList();
        while (remaining.Count > 0)
        {
            var answer = await AskAsync(ClientHello.Build(version, tls13 ? accepted : ecdhe, remaining, host), cancellationToken);
            if (!answer.Accepted(version) || answer.Group is not { } group || !remaining.Remove(group))
            {
                return found;
            }

            found.Add(answer);
        }

        return found;
    }

    private async Task<ServerAnswer> AskAsync(byte[] hello, CancellationToken cancellationToken)
    {
        await connections.WaitAsync(cancellationToken);
        try
        {
            Interlocked.Increment(ref handshakes);
            using var client = new TcpClient();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await client.ConnectAsync(host, port, deadline.Token);
            try
            {
                var stream = client.GetStream();
                await stream.WriteAsync(hello, deadline.Token);
                return await ServerAnswer.ReadAsync(stream, deadline.Token);
            }
            catch (Exception e) when (e is IOException or SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return new ServerAnswer();
            }
        }
        finally
        {
            connections.Release();
        }
    }

    /// <summary>TLS 1.3 encrypts the certificate, so a TLS 1.3-only server's chain is read through a real handshake.</summary>
    private async Task<List<X509Certificate2>> ChainOverDotnetTlsAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref handshakes);
        var chain = new List<X509Certificate2>();
        using var client = new TcpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout * 2);
        await client.ConnectAsync(host, port, deadline.Token);
        await using var tls = new SslStream(client.GetStream(), false, (_, certificate, sent, _) =>
        {
            // The lab judges the chain itself (validity, names, keys, anchor): it must see any certificate, so it accepts all here.
            if (certificate is not null)
            {
                chain.Add(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            }

            chain.AddRange(sent?.ChainPolicy.ExtraStore.Select(c => X509CertificateLoader.LoadCertificate(c.RawData)) ?? []);
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, deadline.Token);
        return chain;
    }
}
