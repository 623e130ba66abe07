using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;

namespace Iris.Lab.Tls;

/// <summary>
/// The server certificate chain: validity now, key type and size (RSA of 2048 bits or more, ECDSA on P-256/P-384/
/// P-521), SHA-1/MD5 signatures, and whether a client can authenticate the device at all: a self-signed leaf fails,
/// a chain is checked against the CA the IXIT declares, and without one against the system's roots; a chain
/// nobody can check is inconclusive, never a pass.
/// </summary>
internal static class CertificateJudge
{
    private static readonly string[] WeakSignatures = ["1.2.840.113549.1.1.4", "1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "1.2.840.10040.4.3"];
    private static readonly string[] ApprovedCurves = ["1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35"];

    /// <summary>Records the chain's faults; returns whether 5.4.2.1 failed or could not be decided.</summary>
    public static bool Judge(TlsFacts facts, DateTimeOffset now, X509Certificate2? trustAnchor, ProbeRecorder recorder)
    {
        var where = $"{facts.Host}:{facts.Port}";
        if (facts.Chain.Count == 0)
        {
            recorder.Inconclusive("5.4.2.1", $"{where}: no certificate could be read");
            return true;
        }

        var failed = false;
        void Fail(Severity severity, string title, string evidence)
        {
            failed = true;
            recorder.Fail(new Finding("5.4.2.1", severity, title, $"{where}: {evidence}", $"openssl s_client -connect {where} -showcerts </dev/null | openssl x509 -noout -text"));
        }

        var leaf = facts.Chain[0];
        var description = Describe(leaf);
        if (now > leaf.NotAfter.ToUniversalTime())
        {
            Fail(Severity.High, "Certificate expired", $"{description}; expired {leaf.NotAfter.ToUniversalTime():u}");
        }

        if (now < leaf.NotBefore.ToUniversalTime())
        {
            Fail(Severity.High, "Certificate not yet valid", $"{description}; valid from {leaf.NotBefore.ToUniversalTime():u}");
        }

        using (var rsa = leaf.GetRSAPublicKey())
        {
            if (rsa is not null && rsa.KeySize < 2048)
            {
                Fail(Severity.High, $"RSA key of {rsa.KeySize} bits (SP 800-131A requires at least 2048)", description);
            }
        }

        using (var ec = leaf.GetECDsaPublicKey())
        {
            var curve = ec?.ExportParameters(false).Curve.Oid.Value;
            if (ec is not null && !ApprovedCurves.Contains(curve))
            {
                Fail(Severity.Medium, "ECDSA key on a curve NIST does not approve", $"{description}; curve {curve}");
            }
        }

        foreach (var cert in facts.Chain.Where(c => !SelfIssued(c) && WeakSignatures.Contains(c.SignatureAlgorithm.Value)))
        {
            Fail(Severity.Medium, "Certificate signed with SHA-1 or MD5 (SP 800-131A)", $"{cert.Subject}: {cert.SignatureAlgorithm.FriendlyName}");
        }

        if (trustAnchor is not null)
        {
            if (!Chains(facts.Chain, trustAnchor, now))
            {
                Fail(Severity.Medium, "Certificate does not chain to the CA the IXIT declares", description);
            }
        }
        else if (SelfIssued(leaf))
        {
            Fail(Severity.Medium, "Self-signed certificate: a client cannot authenticate the device", description);
        }
        else if (!Chains(facts.Chain, null, now))
        {
            recorder.Inconclusive("5.4.2.1", $"{where}: {description}; the chain was not checked: it leads to no system root and the IXIT declares no CA (tlsTrustAnchorPem)");
            failed = true;
        }

        return failed;
    }

    public static string Describe(X509Certificate2 cert)
    {
        using var rsa = cert.GetRSAPublicKey();
        using var ec = cert.GetECDsaPublicKey();
        var key = rsa is not null ? $"RSA {rsa.KeySize}" : ec is not null ? $"ECDSA {ec.KeySize}" : cert.PublicKey.Oid.FriendlyName;
        var names = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(a => a.ToString())));
        return $"subject '{cert.Subject}', issuer '{cert.Issuer}', {key}, {cert.SignatureAlgorithm.FriendlyName}, "
            + $"{cert.NotBefore.ToUniversalTime():yyyy-MM-dd} to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}, names [{string.Join(", ", names)}]";
    }

    private static bool SelfIssued(X509Certificate2 cert) => cert.SubjectName.RawData.AsSpan().SequenceEqual(cert.IssuerName.RawData);

    private static bool Chains(IReadOnlyList<X509Certificate2> sent, X509Certificate2? anchor, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        // Validity in time is judged (and reported) on its own above; here only the signatures and the anchor count.
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        chain.ChainPolicy.ExtraStore.AddRange(sent.Skip(1).ToArray());
        if (anchor is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
        }

        try
        {
            return chain.Build(sent[0]);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
