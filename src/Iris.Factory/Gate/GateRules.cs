using System.Text.RegularExpressions;

namespace Iris.Factory.Gate;

/// <summary>The kinds of match the gate looks for; which ones run depends on whether the content is text.</summary>
internal enum GateRule
{
    PemPrivateKey,
    DerPrivateKey,
    DerKeyStore,
    Url,
    Ipv4,
    PasswordHash,
    DesCryptShadowLine,
    JsonCredential,
    AssignedCredential,
    ConnectionStringCredential,
    PlaintextService,
    HighEntropyToken,
    Base64PemPrivateKey,
    XmlCredential,
    NetrcPassword,
    Ipv4InBinary,
}

/// <summary>
/// The gate's patterns. Every one is bounded (far below <see cref="WindowedMatcher.Overlap"/>), so a streamed scan
/// finds what a whole-file scan would. Bytes are read as Latin-1, one character per byte, so the DER patterns
/// below are byte patterns.
/// </summary>
internal static partial class GateRules
{
    /// <summary>Schemes found wherever they start, also glued to the bytes before them.</summary>
    private const string KnownSchemes = "https?|wss?|mqtts?|coaps?|ftps?|sftp|tftp|telnet|ssh|rtsps?|tcp|udp|ldaps?|smtps?|imaps?|pop3s?|amqps?|rediss?|sips?|nntp|gopher|rlogin|rsh|git|svn|ntp";

    /// <summary>What runs on every byte of binary content, and on the same content read as UTF-16.</summary>
    public static readonly GateRule[] Binary = [GateRule.PemPrivateKey, GateRule.DerPrivateKey, GateRule.DerKeyStore, GateRule.Url, GateRule.Ipv4InBinary, GateRule.PasswordHash, GateRule.Base64PemPrivateKey];

    public static readonly GateRule[] Utf16 = [GateRule.PemPrivateKey, GateRule.Url, GateRule.Ipv4InBinary, GateRule.PasswordHash, GateRule.Base64PemPrivateKey];

    /// <summary>Text (settings, scripts, pages): also credentials in settings and tokens worth a look.</summary>
    public static readonly GateRule[] Text =
    [
        GateRule.PemPrivateKey, GateRule.Url, GateRule.Ipv4, GateRule.PasswordHash, GateRule.DesCryptShadowLine, GateRule.JsonCredential,
        GateRule.PlaintextService, GateRule.HighEntropyToken, GateRule.Base64PemPrivateKey,
    ];

    /// <summary>Settings files, where <c>name = value</c> and <c>name: value</c> lines are assignments.</summary>
    public static readonly GateRule[] Settings = [.. Text, GateRule.AssignedCredential, GateRule.ConnectionStringCredential, GateRule.XmlCredential];

    /// <summary>Files the SDK or the factory writes (deps.json, runtimeconfig.json, the SBOM): the settings rules but the high-entropy review, which their package hashes would flood.</summary>
    public static readonly GateRule[] Generated = [.. Settings.Where(rule => rule != GateRule.HighEntropyToken)];

    /// <summary>A settings file with NUL bytes in it: the settings rules, and the DER ones a binary gets.</summary>
    public static readonly GateRule[] SettingsWithNul = [.. Settings, GateRule.DerPrivateKey, GateRule.DerKeyStore];

    /// <summary>.netrc (curl, ftp, git): <c>machine HOST login USER password SECRET</c>, words separated by blanks.</summary>
    public static readonly GateRule[] Netrc = [.. Settings, GateRule.NetrcPassword];

    public static Regex For(GateRule rule) => rule switch
    {
        GateRule.PemPrivateKey => PemPrivateKey(),
        GateRule.DerPrivateKey => DerPrivateKey(),
        GateRule.DerKeyStore => DerKeyStore(),
        GateRule.Url => Url(),
        GateRule.Ipv4 => Ipv4(),
        GateRule.PasswordHash => PasswordHash(),
        GateRule.DesCryptShadowLine => DesCryptShadowLine(),
        GateRule.JsonCredential => JsonCredential(),
        GateRule.AssignedCredential => AssignedCredential(),
        GateRule.ConnectionStringCredential => ConnectionStringCredential(),
        GateRule.PlaintextService => PlaintextService(),
        GateRule.HighEntropyToken => HighEntropyToken(),
        GateRule.Base64PemPrivateKey => Base64PemPrivateKey(),
        GateRule.XmlCredential => XmlCredential(),
        GateRule.NetrcPassword => NetrcPassword(),
        GateRule.Ipv4InBinary => Ipv4InBinary(),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    /// <summary>PEM and armoured keys: PKCS#1, SEC1, PKCS#8 (also encrypted), OpenSSH, PGP ("PGP PRIVATE KEY BLOCK"); PuTTY's .ppk.</summary>
    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]{1,32} ){0,3}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-[0-9]{1,2}: ", RegexOptions.CultureInvariant)]
    public static partial Regex PemPrivateKey();

    /// <summary>
    /// DER private keys: SEC1 EC (version 1, then the key octets), PKCS#8 (version 0/1, then an algorithm with an OID
    /// under 1.2 or 1.3, e.g. RSA, EC, Ed25519), encrypted PKCS#8 (PBES2) and PKCS#1 RSA (version 0, then a modulus
    /// of 2048 bits or more, or of 1024 or 512: short keys are still keys).
    /// </summary>
    [GeneratedRegex(@"\x30(?:[\x20-\x7f]|\x81[\x80-\xff])\x02\x01\x01\x04[\x18-\x42]|\x30(?:[\x20-\x7f]|\x81[\s\S]|\x82[\s\S]{2})\x02\x01[\x00\x01]\x30[\x05-\x1f]\x06[\x03-\x09][\x2a\x2b]|\x30(?:\x81[\s\S]|\x82[\s\S]{2})\x30(?:[\x20-\x7f]|\x81[\s\S])\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0d|\x30\x82[\s\S]{2}\x02\x01\x00\x02(?:\x82[\s\S]{2}|\x81[\x80-\xff]|\x41)\x00", RegexOptions.CultureInvariant)]
    public static partial Regex DerPrivateKey();

    /// <summary>PKCS#12 (version 3, then PKCS#7 data) and Java key stores (magic FEEDFEED).</summary>
    [GeneratedRegex(@"\x30\x82[\s\S]{2}\x02\x01\x03\x30\x82[\s\S]{2}\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01|\xfe\xed\xfe\xed\x00\x00\x00[\x01\x02]", RegexOptions.CultureInvariant)]
    public static partial Regex DerKeyStore();

    /// <summary>
    /// A URL of any scheme and case, its user information (credentials) and its host: a name of up to 253 characters
    /// (the longest a DNS name can be), or an IPv6 literal. Known schemes are found wherever they start, because a
    /// binary's string table runs a length byte or the previous string into them; other schemes need a delimiter
    /// in front, so "Ahttps://" reads as https.
    /// </summary>
    [GeneratedRegex(@"(?<scheme>(?i:" + KnownSchemes + @")|(?<=^|[\s""'=(<>,;\[{|\x00-\x08])[A-Za-z][A-Za-z0-9+.\-]{1,15})://(?:(?<userinfo>[^\s/?#@\[\]""'<>\\]{1,128})@)?(?<host>\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,252})", RegexOptions.CultureInvariant)]
    public static partial Regex Url();

    /// <summary>
    /// A known scheme at the end of what the delimiter-started alternative of <see cref="Url"/> took as a scheme:
    /// "Foundehttps" is the end of one string ("Not Found"), a length byte, and https (a .NET string heap).
    /// </summary>
    [GeneratedRegex(@"(?i:" + KnownSchemes + @")$", RegexOptions.CultureInvariant)]
    public static partial Regex KnownSchemeAtEnd();

    /// <summary>
    /// An IPv4 literal standing alone (after a start of line, quote, '=', ':', '/', '@', ',' or white space, not followed
    /// by more digits or dots), not inside a longer dotted number such as an OID, and not an assembly or manifest
    /// version (<c>Version=10.0.0.0</c>), nor an object identifier named as one ("extension with OID 2.5.29.10").
    /// </summary>
    [GeneratedRegex(@"(?<=^|[\x00""'=:/@,\s\[(])(?<!(?i:version)[""']?\s?[=:]\s?[""']?)(?<!(?i:\boid)[ \t]?[=:]?[ \t]?)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w\-]|\.\d)", RegexOptions.CultureInvariant)]
    public static partial Regex Ipv4();

    /// <summary>
    /// crypt(3) hashes: $1$ md5-crypt, $2b$ bcrypt, $5$/$6$ sha-crypt, $y$ yescrypt, $7$ scrypt, $md5$, $sha1$; also
    /// Apache's $apr1$ (htpasswd) and PHC $argon2id$ strings, whose hash is base64 with '+'.
    /// </summary>
    [GeneratedRegex(@"\$(?:1|2[abxy]?|5|6|y|gy|7|md5|sha1|apr1|argon2(?:id|i|d))\$(?:[^\s$:]{1,80}\$){1,3}[./+0-9A-Za-z]{16,}", RegexOptions.CultureInvariant)]
    public static partial Regex PasswordHash();

    /// <summary>A shadow or passwd line with a traditional DES-crypt hash (13 characters) in the password field.</summary>
    [GeneratedRegex(@"^[a-z_][a-z0-9_.\-]{0,31}:[./0-9A-Za-z]{13}:", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex DesCryptShadowLine();

    /// <summary>A JSON setting whose name ends in a credential word and whose value is not empty: <c>"dbPassword": "x</c>, or a number (<c>"adminPassword": 12345678</c>).</summary>
    [GeneratedRegex(@"(?<name>[A-Za-z0-9_\-]{0,64}(?:(?i:password|passwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?)|Pin|PIN|_pin|(?i:pwd)))""\s{0,256}:\s{0,256}(?:""[^""]|-?[0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex JsonCredential();

    /// <summary><c>password=…</c>, <c>API_KEY: …</c>, <c>export DB_SECRET=…</c>, <c>- password: …</c> (a YAML list item): an assignment line in a settings file (.conf, YAML, .env, INI).</summary>
    [GeneratedRegex(@"^[ \t]{0,64}(?:-[ \t]{1,16})?(?:export[ \t]+)?[""']?(?<name>[A-Za-z0-9_.\-]{0,64}(?i:password|passwd|passphrase|psk|pwd|secret|token|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|credentials?|pin))[""']?[ \t]{0,16}[:=][ \t]{0,16}(?<value>[^\s#;]{1,256})", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex AssignedCredential();

    /// <summary>A password inside a connection string (<c>Server=db;User Id=sa;Password=…;</c>), in JSON or anywhere in text.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_.])(?<name>(?i:password|pwd))=(?<value>[^;""'\s&<>]{1,256})", RegexOptions.CultureInvariant)]
    public static partial Regex ConnectionStringCredential();

    /// <summary>An inetd line that starts a plaintext login or file service.</summary>
    [GeneratedRegex(@"^(?<service>telnet|ftp|tftp|shell|login|exec)[ \t]+(?:stream|dgram)[ \t]", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex PlaintextService();

    /// <summary>
    /// A PEM block encoded once more in base64 (a Kubernetes secret, a JSON value): "-----BEGIN" in base64 is
    /// "LS0tLS1CRUdJTi"; the judge decodes the rest to see whether a private key follows.
    /// </summary>
    [GeneratedRegex(@"LS0tLS1CRUdJTi[A-Za-z0-9+/]{30,100}", RegexOptions.CultureInvariant)]
    public static partial Regex Base64PemPrivateKey();

    /// <summary>
    /// A credential in XML: an element (<c>&lt;password&gt;x&lt;/password&gt;</c>, <c>&lt;db:Password&gt;</c>) or a .NET
    /// appSettings entry (<c>&lt;add key="SmtpPassword" value="x"/&gt;</c>).
    /// </summary>
    [GeneratedRegex(@"<(?:[A-Za-z_][\w.\-]{0,31}:)?(?<name>[A-Za-z0-9_.\-]{0,64}(?i:password|passwd|passphrase|secret|token|api[_.\-]?key|pwd))(?:\s[^<>]{0,256})?>(?<value>[^<]{1,256})</|(?i:key|name)\s*=\s*""(?<name>[^""]{0,64}(?i:password|passwd|secret|token|api[_.\-]?key|pwd))""\s+(?i:value)\s*=\s*""(?<value>[^""]{0,256})""", RegexOptions.CultureInvariant)]
    public static partial Regex XmlCredential();

    /// <summary>The password of a .netrc entry, on the machine's line or a line of its own.</summary>
    [GeneratedRegex(@"(?<=^|\s)(?<name>password|passwd)[ \t]+(?<value>[^\s]{1,256})", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex NetrcPassword();

    /// <summary>
    /// An IPv4 literal in a binary, where string tables run text into it: after what <see cref="Ipv4"/> accepts, or
    /// right after a letter ("connect10.20.30.40"). Not after another control byte: a .NET string heap puts a length
    /// byte before each string, and a run of OIDs ("\x112.5.4.80\x112.5.4.81") is no list of addresses.
    /// </summary>
    [GeneratedRegex(@"(?<=^|[\x00""'=:/@,\s\[(A-Za-z])(?<!(?i:version)[""']?\s?[=:]\s?[""']?)(?<!(?i:\boid)[ \t]?[=:]?[ \t]?)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.\d)", RegexOptions.CultureInvariant)]
    public static partial Regex Ipv4InBinary();

    /// <summary>A long run of base64 or hex characters: a key, token or blob is often one (judged by its entropy).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{32,512}={0,2}", RegexOptions.CultureInvariant)]
    public static partial Regex HighEntropyToken();
}
