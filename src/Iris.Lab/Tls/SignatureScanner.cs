using System.Net.Sockets;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Iris.Lab.Tls;

/// <summary>
/// Finds the signature schemes a server signs its handshake with, per version: one full BouncyCastle handshake per
/// scheme, offering that scheme alone. TLS 1.3 encrypts the CertificateVerify that carries the scheme, so only a
/// handshake that completes shows it; BouncyCastle checks the server signed with the offered scheme, so a handshake
/// that completes proves the server uses it. A server that signs with a scheme it was not offered is reported as such.
/// The handshakes do not depend on each other, so they run side by side.
/// </summary>
internal sealed class SignatureScanner(string host, int port, TimeSpan timeout, SemaphoreSlim connections)
{
    private static readonly BcTlsCrypto SharedCrypto = new(new SecureRandom());
    private int handshakes;

    public int Handshakes => handshakes;

    /// <summary>
    /// Schemes accepted per version, and what a server did that no client allowed (signed with an unoffered scheme).
    /// Each handshake offers one scheme and depends on no other, so they all run side by side, bounded by the
    /// connections the caller allows at once.
    /// </summary>
    public async Task<(Dictionary<ushort, IReadOnlyList<ushort>> Accepted, List<string> Violations)> ScanAsync(TlsFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var questions = new[] { TlsVersions.Tls12, TlsVersions.Tls13 }.Where(facts.Versions.Contains)
            .Select(version => (Version: version, Suites: TlsUtilities.GetSupportedCipherSuites(SharedCrypto, [.. facts.Suites[version].Where(s => Signs(version, s)).Select(s => (int)s)])))
            .Where(q => q.Suites.Length > 0)
            .SelectMany(q => SignatureSchemes.Names.Keys.Select(scheme => (q.Version, q.Suites, Scheme: scheme)))
            .ToList();
        var outcomes = await Task.WhenAll(questions.Select(async q =>
        {
            await connections.WaitAsync(cancellationToken);
            try
            {
                return await Task.Run(() => Handshake(q.Version, q.Suites, q.Scheme), cancellationToken);
            }
            finally
            {
                connections.Release();
            }
        }));
        var accepted = new Dictionary<ushort, IReadOnlyList<ushort>>();
        var violations = new List<string>();
        foreach (var version in questions.Select(q => q.Version).Distinct())
        {
            var asked = questions.Select((q, i) => (q, Outcome: outcomes[i])).Where(e => e.q.Version == version).ToList();
            accepted[version] = [.. asked.Where(e => e.Outcome is null).Select(e => e.q.Scheme)];
            violations.AddRange(asked.Where(e => e.Outcome is { Length: > 0 })
                .Select(e => $"{TlsVersions.Name(version)} offering only {SignatureSchemes.NameOf(e.q.Scheme)}: {e.Outcome}"));
        }

        return (accepted, violations);
    }

    /// <summary>Suites whose handshake carries a server signature: (EC)DHE with a certificate in TLS 1.2, every suite in TLS 1.3.</summary>
    private static bool Signs(ushort version, ushort suite)
    {
        var name = CipherSuites.NameOf(suite);
        return version == TlsVersions.Tls13
            || ((name.StartsWith("TLS_ECDHE_", StringComparison.Ordinal) || name.StartsWith("TLS_DHE_", StringComparison.Ordinal))
                && !name.Contains("PSK", StringComparison.Ordinal) && !name.Contains("anon", StringComparison.Ordinal));
    }

    /// <summary>Null when the handshake completed; empty when the server refused; else what the client objected to in the server's answer.</summary>
    private string? Handshake(ushort version, int[] suites, ushort scheme)
    {
        Interlocked.Increment(ref handshakes);
        using var tcp = new TcpClient { ReceiveTimeout = (int)timeout.TotalMilliseconds, SendTimeout = (int)timeout.TotalMilliseconds };
        if (!tcp.ConnectAsync(host, port).Wait(timeout))
        {
            return "";
        }

        var client = new OneSchemeClient(version, suites, scheme);
        var protocol = new TlsClientProtocol(tcp.GetStream());
        try
        {
            protocol.Connect(client);
            protocol.Close();
            return null;
        }
        catch (Exception e) when (e is TlsFatalAlert or TlsFatalAlertReceived or IOException or SocketException)
        {
            return client.RaisedByUs is { } raised && e is TlsFatalAlert ? raised : "";
        }
    }

    /// <summary>A client offering one version, the given suites and exactly one signature scheme; it accepts any certificate (the chain is judged elsewhere).</summary>
    private sealed class OneSchemeClient(ushort version, int[] suites, ushort scheme) : DefaultTlsClient(SharedCrypto)
    {
        /// <summary>Set when this client refused the server's answer (a server signing with a scheme it was not offered).</summary>
        public string? RaisedByUs { get; private set; }

        protected override ProtocolVersion[] GetSupportedVersions() =>
            [version == TlsVersions.Tls13 ? ProtocolVersion.TLSv13 : ProtocolVersion.TLSv12];

        protected override int[] GetSupportedCipherSuites() => suites;

        protected override IList<SignatureAndHashAlgorithm> GetSupportedSignatureAlgorithms() =>
            [SignatureScheme.GetSignatureAndHashAlgorithm(scheme)];

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
