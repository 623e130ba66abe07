using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Lab.Tls;

/// <summary>
/// Enumerates a TLS server the way testssl.sh and sslscan do, one ClientHello per question: each version offered
/// alone; per version, every suite by offering all and removing the server's choice until it refuses; per
/// version, every group the same way. A connection that is refused throws (the port is gone: the caller turns
/// that into "inconclusive"); a server that resets or stays silent after connecting has refused that hello.
/// </summary>
internal sealed class TlsScanner(string host, int port, TimeSpan timeout)
{
    private static readonly ushort[] EcGroups = [.. NamedGroups.Names.Keys.Where(g => g < 256)];
    private static readonly ushort[] AllGroups = [.. NamedGroups.Names.Keys];
    private int handshakes;

    public async Task<TlsFacts> ScanAsync(CancellationToken cancellationToken)
    {
        var versions = new List<ushort>();
        var suites = new Dictionary<ushort, IReadOnlyList<ushort>>();
        var groups = new SortedSet<ushort>();
        var dhBits = new SortedSet<int>();
        IReadOnlyList<byte[]> certificates = [];
        foreach (var version in TlsVersions.All)
        {
            var offer = version == TlsVersions.Tls13 ? CipherSuites.Tls13 : CipherSuites.Legacy;
            var remaining = offer.ToList();
            var found = new List<ushort>();
            while (remaining.Count > 0)
            {
                var answer = await AskAsync(ClientHello.Build(version, remaining, AllGroups, host), cancellationToken);
                if (!answer.Accepted(version) || !remaining.Remove(answer.Suite!.Value))
                {
                    break;
                }

                found.Add(answer.Suite.Value);
                Collect(answer, groups, dhBits);
                if (certificates.Count == 0 && answer.Certificates.Count > 0)
                {
                    certificates = answer.Certificates;
                }
            }

            if (found.Count == 0)
            {
                continue;
            }

            versions.Add(version);
            suites[version] = found;
            await EnumerateGroupsAsync(version, found, groups, cancellationToken);
        }

        var chain = certificates.Count > 0
            ? certificates.Select(c => X509CertificateLoader.LoadCertificate(c)).ToList()
            : versions.Count > 0 ? await ChainOverDotnetTlsAsync(cancellationToken) : [];
        return new TlsFacts(host, port, versions, suites, [.. groups], [.. dhBits], chain, handshakes);
    }

    private async Task EnumerateGroupsAsync(ushort version, List<ushort> accepted, SortedSet<ushort> groups, CancellationToken cancellationToken)
    {
        var tls13 = version == TlsVersions.Tls13;
        var ecdhe = accepted.Where(s => CipherSuites.NameOf(s).StartsWith("TLS_ECDHE_", StringComparison.Ordinal)).ToList();
        if (!tls13 && ecdhe.Count == 0)
        {
            return;
        }

        var remaining = (tls13 ? AllGroups : EcGroups).ToList();
        while (remaining.Count > 0)
        {
            var answer = await AskAsync(ClientHello.Build(version, tls13 ? accepted : ecdhe, remaining, host), cancellationToken);
            if (!answer.Accepted(version) || answer.Group is not { } group || !remaining.Remove(group))
            {
                return;
            }

            groups.Add(group);
        }
    }

    private static void Collect(ServerAnswer answer, SortedSet<ushort> groups, SortedSet<int> dhBits)
    {
        if (answer.Group is { } group)
        {
            groups.Add(group);
        }

        if (answer.DhBits is { } bits)
        {
            dhBits.Add(bits);
        }
    }

    private async Task<ServerAnswer> AskAsync(byte[] hello, CancellationToken cancellationToken)
    {
        handshakes++;
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

    /// <summary>TLS 1.3 encrypts the certificate, so a TLS 1.3-only server's chain is read through a real handshake.</summary>
    private async Task<List<X509Certificate2>> ChainOverDotnetTlsAsync(CancellationToken cancellationToken)
    {
        handshakes++;
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
