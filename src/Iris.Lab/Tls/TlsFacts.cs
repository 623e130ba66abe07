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
    public bool IsTls => Versions.Count > 0;

    public X509Certificate2? Leaf => Chain.Count > 0 ? Chain[0] : null;

    public IEnumerable<ushort> AllSuites => Suites.Values.SelectMany(s => s).Distinct();
}
