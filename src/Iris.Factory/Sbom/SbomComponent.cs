namespace Iris.Factory.Sbom;

/// <summary>One component of the SBOM and the shipped files that are it (CycloneDX evidence occurrences).</summary>
internal sealed record SbomComponent(string Type, string Name, string Version, string Purl, string? Cpe, string? Sha512Hex, IReadOnlyList<string> Files, string? Supplier = null)
{
    public string? Sha256Hex { get; init; }
}
