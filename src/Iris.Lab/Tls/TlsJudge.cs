using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;

namespace Iris.Lab.Tls;

/// <summary>
/// Judges one port's TLS facts against Annex A of IoT-1005-1 (TLS 1.2 or newer only), NIST SP 800-52r2 (TLS 1.2
/// required; forward-secret ECDHE/DHE with AES-GCM suites; approved groups) and SP 800-131A (DH and RSA of at least
/// 2048 bits, no SHA-1 signatures). 5.4.2.1 gets the channel's faults; 5.4.2.2 gets ciphers that are not
/// NIST-approved, because authentication factors cross this channel.
/// </summary>
internal static class TlsJudge
{
    private static readonly ushort[] Obsolete = [TlsVersions.Ssl3, TlsVersions.Tls10, TlsVersions.Tls11];

    public static void Judge(TlsFacts facts, DateTimeOffset now, X509Certificate2? trustAnchor, ProbeRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(recorder);
        var where = $"{facts.Host}:{facts.Port}";
        var failedChannel = false;
        void Channel(Severity severity, string title, string evidence, string reproduce)
        {
            failedChannel = true;
            recorder.Fail(new Finding("5.4.2.1", severity, title, $"{where}: {evidence}", reproduce));
        }

        foreach (var version in Obsolete.Where(facts.Versions.Contains))
        {
            Channel(Severity.High, $"{TlsVersions.Name(version)} accepted (Annex A allows TLS 1.2 or newer only)",
                $"accepted {TlsVersions.Name(version)} with {Names(facts.Suites[version])}", Reproduce(facts, version));
        }

        if (!facts.Versions.Contains(TlsVersions.Tls12))
        {
            Channel(Severity.High, "TLS 1.2 not offered (SP 800-52r2 3.1 requires it)",
                $"versions offered: {string.Join(", ", facts.Versions.Select(TlsVersions.Name))}", $"openssl s_client -connect {where} -tls1_2");
        }

        var traits = facts.AllSuites.Select(SuiteTraits.Of).ToList();
        foreach (var group in traits.Where(t => !t.ForwardSecret).GroupBy(t => t.KeyExchange))
        {
            var (severity, title) = group.Key switch
            {
                KeyExchange.StaticRsa => (Severity.High, "Static RSA key exchange: no forward secrecy"),
                KeyExchange.Anonymous => (Severity.Critical, "Anonymous key exchange: the server is not authenticated"),
                KeyExchange.StaticDh => (Severity.High, "Static DH/ECDH key exchange: no forward secrecy"),
                _ => (Severity.High, "Key exchange without forward secrecy"),
            };
            Channel(severity, title, $"accepts {Names(group.Select(t => t.Code))}", $"openssl s_client -connect {where} -tls1_2 -cipher '{OpenSslFilter(group.Key)}:@SECLEVEL=0'");
        }

        if (facts.Suites.TryGetValue(TlsVersions.Tls12, out var tls12)
            && !tls12.Select(SuiteTraits.Of).Any(t => t.ForwardSecret && t.Aead && t.ApprovedCipher && t.Name.Contains("GCM", StringComparison.Ordinal)))
        {
            Channel(Severity.Medium, "No forward-secret AES-GCM suite in TLS 1.2 (CBC only; SP 800-52r2 3.3.1.1 requires ECDHE with AES-GCM)",
                $"TLS 1.2 suites: {Names(tls12)}", $"openssl s_client -connect {where} -tls1_2 -cipher 'ECDHE+AESGCM'");
        }

        foreach (var bits in facts.DhBits.Where(b => b < 2048))
        {
            Channel(Severity.High, $"DHE group of {bits} bits (SP 800-131A requires at least 2048)", $"DHE prime of {bits} bits",
                $"openssl s_client -connect {where} -tls1_2 -cipher 'kDHE:@SECLEVEL=0' -msg");
        }

        var badGroups = facts.Groups.Where(g => !NamedGroups.Approved.Contains(g)).ToList();
        if (badGroups.Count > 0)
        {
            Channel(Severity.Medium, "Key-exchange groups not approved by NIST (SP 800-56A, SP 800-52r2 3.3.2)",
                $"accepts {string.Join(", ", badGroups.Select(NamedGroups.NameOf))}", $"openssl s_client -connect {where} -groups {NamedGroups.NameOf(badGroups[0])}");
        }

        foreach (var (version, schemes) in facts.Signatures)
        {
            foreach (var fault in schemes.Select(s => (Scheme: s, Fault: SignatureSchemes.Fault(version, s))).Where(f => f.Fault is not null).GroupBy(f => f.Fault!))
            {
                Channel(Severity.Medium, $"{TlsVersions.Name(version)} handshake signed with {fault.Key}",
                    $"signs with {string.Join(", ", fault.Select(f => SignatureSchemes.NameOf(f.Scheme)))} when offered only that",
                    $"openssl s_client -connect {where} -{(version == TlsVersions.Tls13 ? "tls1_3" : "tls1_2")} -sigalgs {OpenSslSigalg(fault.First().Scheme)}");
            }
        }

        foreach (var violation in facts.SignatureViolations)
        {
            Channel(Severity.Medium, "Handshake signed with a signature scheme the client did not offer", violation, $"sslscan --show-sigs {where}");
        }

        failedChannel |= CertificateJudge.Judge(facts, now, trustAnchor, recorder);
        if (!failedChannel)
        {
            recorder.Pass("5.4.2.1", $"{where}: {Summary(facts)}");
        }

        var unapproved = traits.Where(t => !t.ApprovedCipher).ToList();
        if (unapproved.Count > 0)
        {
            recorder.Fail(new Finding("5.4.2.2", unapproved.Any(t => t.Broken) ? Severity.High : Severity.Medium,
                "Cipher suites not approved by NIST (SP 800-140C / SP 800-131A): authentication factors may cross them",
                $"{where}: accepts {Names(unapproved.Select(t => t.Code))}", $"sslscan {where}"));
        }
        else
        {
            recorder.Pass("5.4.2.2", $"{where}: every accepted suite uses AES ({Names(facts.AllSuites)})");
        }
    }

    public static string Summary(TlsFacts facts) =>
        string.Join("; ", facts.Versions.Select(v => $"{TlsVersions.Name(v)}: {Names(facts.Suites[v])}"))
        + $"; groups: {(facts.Groups.Count == 0 ? "none" : string.Join(", ", facts.Groups.Select(NamedGroups.NameOf)))}"
        + string.Concat(facts.Signatures.Select(p => $"; {TlsVersions.Name(p.Key)} signatures: {string.Join(", ", p.Value.Select(SignatureSchemes.NameOf))}"))
        + (facts.DhBits.Count > 0 ? $"; DHE bits: {string.Join(", ", facts.DhBits)}" : "")
        + $"; {facts.Handshakes} hellos";

    private static string Names(IEnumerable<ushort> suites) => string.Join(", ", suites.Select(CipherSuites.NameOf));

    private static string Reproduce(TlsFacts facts, ushort version) => version == TlsVersions.Ssl3
        ? $"sslscan --ssl3 {facts.Host}:{facts.Port}"
        : $"openssl s_client -connect {facts.Host}:{facts.Port} -{(version == TlsVersions.Tls10 ? "tls1" : "tls1_1")} -cipher 'ALL:@SECLEVEL=0'";

    /// <summary>OpenSSL's -sigalgs spelling: the IANA names for the schemes it knows by them, "RSA+SHA1"-style for the legacy pairs.</summary>
    private static string OpenSslSigalg(ushort scheme) => scheme switch
    {
        0x0201 => "RSA+SHA1",
        0x0203 => "ECDSA+SHA1",
        0x0301 => "RSA+SHA224",
        0x0303 => "ECDSA+SHA224",
        _ => SignatureSchemes.NameOf(scheme),
    };

    private static string OpenSslFilter(KeyExchange kind) => kind switch
    {
        KeyExchange.StaticRsa => "kRSA",
        KeyExchange.Anonymous => "aNULL",
        KeyExchange.StaticDh => "kECDH:kDH",
        _ => "kPSK:kRSAPSK:kSRP",
    };
}
