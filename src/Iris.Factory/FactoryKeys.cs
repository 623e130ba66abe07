using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Iris.Firmware.Metadata;

namespace Iris.Factory;

/// <summary>
/// Role keys on the factory side. A key is either a PKCS#8 PEM file (<c>ROLE.pem</c>, <c>ROLE-2.pem</c>, owner-only)
/// or a reference to a key inside a PKCS#11 token (<c>ROLE.pkcs11.json</c>); both load as signers. Public keys
/// are written beside them (<c>ROLE.pub.pem</c>) so the repository root can be built without touching the
/// private halves.
/// </summary>
internal static partial class FactoryKeys
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static IReadOnlyList<string> Generate(string directory, string role, int count)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var name = i == 1 ? role : $"{role}-{i}";
            var privatePath = Path.Combine(directory, name + ".pem");
            if (File.Exists(privatePath))
            {
                throw new IOException($"'{privatePath}' exists; refusing to overwrite a key.");
            }

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            WriteNew(privatePath, key.ExportPkcs8PrivateKeyPem(), OwnerOnly);
            File.WriteAllText(Path.Combine(directory, name + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
            written.Add(privatePath);
        }

        return written;
    }

    /// <summary>Every signer for a role in the key directory, in name order.</summary>
    public static IReadOnlyList<IMetadataSigner> LoadSigners(string directory, string role)
    {
        RequireDirectory(directory);
        var signers = new List<IMetadataSigner>();
        foreach (var file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (PemName().Match(name) is { Success: true } pem && pem.Groups["role"].Value == role)
            {
                var key = ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(file));
                if (key.KeySize != 256)
                {
                    throw new InvalidDataException($"'{file}' is not a P-256 key.");
                }

                signers.Add(new EcdsaMetadataSigner(key));
            }
            else if (TokenName().Match(name) is { Success: true } token && token.Groups["role"].Value == role)
            {
                signers.Add(Pkcs11Signer.Open(file));
            }
        }

        if (signers.Count == 0)
        {
            throw new FileNotFoundException($"No key for role '{role}' in '{directory}' (expected {role}.pem or {role}.pkcs11.json).");
        }

        return signers;
    }

    /// <summary>A key directory that is not there is one line naming it, not the runtime's "Could not find a part of the path".</summary>
    public static void RequireDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ArgumentException($"The key directory '{directory}' does not exist (give the directory 'iris-factory keys generate --out' wrote).");
        }
    }

    public static void WriteNew(string path, string text, UnixFileMode mode)
    {
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }

    [GeneratedRegex(@"^(?<role>[a-z]+)(-\d+)?\.pem$", RegexOptions.CultureInvariant)]
    private static partial Regex PemName();

    [GeneratedRegex(@"^(?<role>[a-z]+)(-\d+)?\.pkcs11\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenName();
}
