namespace Iris.Lab.Tls;

/// <summary>What a suite's key exchange gives: forward secrecy (ephemeral DH/ECDH, or TLS 1.3) or not.</summary>
internal enum KeyExchange
{
    Ephemeral,
    StaticRsa,
    StaticDh,
    PreSharedKey,
    Anonymous,
    Other,
}

/// <summary>
/// A suite judged by its IANA name against SP 800-52r2 and SP 800-131A: forward secrecy, an approved cipher
/// (AES in GCM, CCM or CBC; not RC4, DES, 3DES, NULL, export, ChaCha20, Camellia, ARIA, SEED, IDEA) and AEAD.
/// </summary>
internal sealed record SuiteTraits(ushort Code, string Name, KeyExchange KeyExchange, bool ApprovedCipher, bool Aead, bool Broken)
{
    public bool ForwardSecret => KeyExchange == KeyExchange.Ephemeral;

    public static SuiteTraits Of(ushort code)
    {
        var name = CipherSuites.NameOf(code);
        var withAt = name.IndexOf("_WITH_", StringComparison.Ordinal);
        var exchange = withAt < 0 ? "TLS13" : name[4..withAt];
        var cipher = withAt < 0 ? name[4..] : name[(withAt + 6)..];
        var keyExchange = exchange switch
        {
            "TLS13" => KeyExchange.Ephemeral,
            _ when exchange.Contains("anon", StringComparison.Ordinal) => KeyExchange.Anonymous,
            _ when exchange.Contains("PSK", StringComparison.Ordinal) && !exchange.StartsWith("DHE", StringComparison.Ordinal)
                && !exchange.StartsWith("ECDHE", StringComparison.Ordinal) && !exchange.StartsWith("PSK_DHE", StringComparison.Ordinal) => KeyExchange.PreSharedKey,
            _ when exchange.StartsWith("ECDHE", StringComparison.Ordinal) || exchange.StartsWith("DHE", StringComparison.Ordinal)
                || exchange.StartsWith("PSK_DHE", StringComparison.Ordinal) => KeyExchange.Ephemeral,
            _ when exchange.StartsWith("RSA", StringComparison.Ordinal) => KeyExchange.StaticRsa,
            _ when exchange.StartsWith("DH_", StringComparison.Ordinal) || exchange.StartsWith("ECDH_", StringComparison.Ordinal) => KeyExchange.StaticDh,
            _ => KeyExchange.Other,
        };
        var aes = cipher.StartsWith("AES_", StringComparison.Ordinal);
        var aead = cipher.Contains("GCM", StringComparison.Ordinal) || cipher.Contains("CCM", StringComparison.Ordinal) || cipher.Contains("POLY1305", StringComparison.Ordinal);
        var broken = cipher.StartsWith("NULL", StringComparison.Ordinal) || cipher.StartsWith("RC4", StringComparison.Ordinal)
            || cipher.StartsWith("DES", StringComparison.Ordinal) || name.Contains("EXPORT", StringComparison.Ordinal) || cipher.EndsWith("_MD5", StringComparison.Ordinal)
            || keyExchange == KeyExchange.Anonymous;
        return new SuiteTraits(code, name, keyExchange, aes && !broken, aead, broken);
    }
}
