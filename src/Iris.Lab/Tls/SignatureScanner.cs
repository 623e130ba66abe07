using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Iris.Lab.Tls;

/// <summary>
/// Finds the signature schemes a server signs its handshake with, per version, with full BouncyCastle handshakes:
/// TLS 1.3 encrypts the CertificateVerify that carries the scheme, so only a handshake that completes shows it;
/// BouncyCastle checks the server signed with an offered scheme and verifies the signature, so a handshake that
/// completes proves the server uses the scheme it was verified with (<see cref="WatchingCrypto"/> sees which). A
/// server that signs with a scheme it was not offered is reported as such.
/// </summary>
internal sealed class SignatureScanner(string host, int port, TimeSpan timeout, SemaphoreSlim connections)
{
    private static readonly BcTlsCrypto SharedCrypto = new(new SecureRandom());
    private int handshakes;

    public int Handshakes => handshakes;

    /// <summary>
    /// Schemes accepted per version, and what a server did that no client allowed (signed with an unoffered scheme).
    /// Per version, one handshake offers every scheme not yet seen and notes which one the server signed with (as
    /// BouncyCastle verifies the signature), until the server refuses: as many handshakes as the server has
    /// schemes, plus one. Should a signature ever pass unseen, the rest are offered one at a time instead. TLS 1.2
    /// and 1.3 are scanned side by side, bounded by the connections the caller allows at once.
    /// </summary>
    public async Task<(Dictionary<ushort, IReadOnlyList<ushort>> Accepted, List<string> Violations)> ScanAsync(TlsFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var versions = new[] { TlsVersions.Tls12, TlsVersions.Tls13 }.Where(facts.Versions.Contains)
            .Select(version => (Version: version, Suites: TlsUtilities.GetSupportedCipherSuites(SharedCrypto, [.. facts.Suites[version].Where(s => Signs(version, s)).Select(s => (int)s)])))
            .Where(q => q.Suites.Length > 0)
            .ToList();
        var scanned = await Task.WhenAll(versions.Select(v => EliminateAsync(v.Version, v.Suites, cancellationToken)));
        var accepted = new Dictionary<ushort, IReadOnlyList<ushort>>();
        var violations = new List<string>();
        foreach (var ((version, _), (found, objections)) in versions.Zip(scanned))
        {
            // In the catalogue's order, whichever order the server preferred them in.
            accepted[version] = [.. SignatureSchemes.Names.Keys.Where(found.Contains)];
            violations.AddRange(objections);
        }

        return (accepted, violations);
    }

    private async Task<(HashSet<ushort> Found, List<string> Violations)> EliminateAsync(ushort version, int[] suites, CancellationToken cancellationToken)
    {
        var remaining = SignatureSchemes.Names.Keys.ToList();
        var found = new HashSet<ushort>();
        var violations = new List<string>();
        while (remaining.Count > 0)
        {
            var (outcome, used) = await HandshakeAsync(version, suites, remaining, cancellationToken);
            if (outcome is { Length: > 0 })
            {
                violations.Add($"{TlsVersions.Name(version)} offering {Offered(remaining)}: {outcome}");
                break;
            }

            if (outcome is not null)
            {
                break;
            }

            if (used is not { } scheme || !remaining.Remove(scheme))
            {
                await OneAtATimeAsync(version, suites, remaining, found, violations, cancellationToken);
                break;
            }

            found.Add(scheme);
        }

        return (found, violations);
    }

    /// <summary>The fallback: each remaining scheme offered alone, side by side.</summary>
    private async Task OneAtATimeAsync(ushort version, int[] suites, List<ushort> remaining, HashSet<ushort> found, List<string> violations, CancellationToken cancellationToken)
    {
        var outcomes = await Task.WhenAll(remaining.Select(scheme => HandshakeAsync(version, suites, [scheme], cancellationToken)));
        foreach (var (scheme, (outcome, _)) in remaining.Zip(outcomes))
        {
            if (outcome is null)
            {
                found.Add(scheme);
            }
            else if (outcome.Length > 0)
            {
                violations.Add($"{TlsVersions.Name(version)} offering only {SignatureSchemes.NameOf(scheme)}: {outcome}");
            }
        }
    }

    private static string Offered(List<ushort> schemes) =>
        schemes.Count == 1 ? "only " + SignatureSchemes.NameOf(schemes[0]) : string.Join(", ", schemes.Select(SignatureSchemes.NameOf));

    private async Task<(string? Outcome, ushort? Used)> HandshakeAsync(ushort version, int[] suites, IReadOnlyList<ushort> schemes, CancellationToken cancellationToken)
    {
        await connections.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => Handshake(version, suites, schemes), cancellationToken);
        }
        finally
        {
            connections.Release();
        }
    }

    /// <summary>Suites whose handshake carries a server signature: (EC)DHE with a certificate in TLS 1.2, every suite in TLS 1.3.</summary>
    private static bool Signs(ushort version, ushort suite)
    {
        var name = CipherSuites.NameOf(suite);
        return version == TlsVersions.Tls13
            || ((name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) || name.StartsWith("TLS_DHE_", StringComparison.Ordinal))
                && !name.Contains("PSK", StringComparison.Ordinal) && !name.Contains("anon", StringComparison.Ordinal));
    }

    /// <summary>
    /// Outcome null when the handshake completed (Used: the scheme the server signed with, if seen); empty when the
    /// server refused; else what the client objected to in the server's answer.
    /// </summary>
    private (string? Outcome, ushort? Used) Handshake(ushort version, int[] suites, IReadOnlyList<ushort> schemes)
    {
        Interlocked.Increment(ref handshakes);
        using var tcp = new TcpClient { ReceiveTimeout = (int)timeout.TotalMilliseconds, SendTimeout = (int)timeout.TotalMilliseconds };
        if (!tcp.ConnectAsync(host, port).Wait(timeout))
        {
            return ("", null);
        }

        var crypto = new WatchingCrypto();
        var client = new OfferingClient(crypto, version, suites, schemes);
        var protocol = new TlsClientProtocol(tcp.GetStream());
        try
        {
            protocol.Connect(client);
            protocol.Close();
            return (null, crypto.Used);
        }
        catch (Exception e) when (e is TlsFatalAlert or TlsFatalAlertReceived or IOException or SocketException)
        {
            return (client.RaisedByUs is { } raised && e is TlsFatalAlert ? raised : "", null);
        }
    }

    /// <summary>A client offering one version, the given suites and signature schemes; it accepts any certificate (the chain is judged elsewhere).</summary>
    private sealed class OfferingClient(TlsCrypto crypto, ushort version, int[] suites, IReadOnlyList<ushort> schemes) : DefaultTlsClient(crypto)
    {
        /// <summary>Set when this client refused the server's answer (a server signing with a scheme it was not offered).</summary>
        public string? RaisedByUs { get; private set; }

        protected override ProtocolVersion[] GetSupportedVersions() =>
            [version == TlsVersions.Tls13 ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12];

        protected override int[] GetSupportedCipherSuites() => suites;

        protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithms() =>
            [.. schemes.Select(s => SignatureScheme.GetSignatureAndHashAlgorithm(s))];

        public override TlsAuthentication GetAuthentication() => new AnyServer();

        public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
        {
            if (alertLevel == AlertLevel.fatal)
            {
                RaisedByUs = $"the client refused the server's answer ({AlertDescription.GetText(alertDescription)}: {message})";
            }
        }
    }

    private sealed class AnyServer : ServerOnlyTlsAuthentication
    {
        public override void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
        }
    }
}
