using System.Security.Cryptography.X509Certificates;

namespace Iris.Lab.Tls;

/// <summary>Everything the TLS scan saw on one port: the facts testssl.sh and sslscan report, in one record.</summary>
internal sealed record TlsFacts(
    string Host,
    int Port,
    IReadOnlyList<ushort> Versions,
    IReadOnlyDictionary<ushort, IReadOnlyList<ushort>> Suites,
    IReadOnlyList<ushort> Groups,
    IReadOnlyList<int> DhBits,
    IReadOnlyList<X509Certificate2> Chain,
    int Handshakes)
{
    /// <summary>Signature schemes the server signed a completed handshake with, per version (TLS 1.2 and 1.3 only).</summary>
    public IReadOnlyDictionary<ushort, IReadOnlyList<ushort>> Signatures { get; init; } = new Dictionary<ushort, IReadOnlyList<ushort>>();

    /// <summary>Handshakes in which the server signed with a scheme it was not offered.</summary>
    public IReadOnlyList<string> SignatureViolations { get; init; } = [];

    public bool IsTls => Versions.Count > 0;

    public X509Certificate2? Leaf => Chain.Count > 0 ? Chain[0] : null;

    public IEnumerable<ushort> AllSuites => Suites.Values.SelectMany(s => s).Distinct();
}
