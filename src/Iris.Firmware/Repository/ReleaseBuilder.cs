using System.Security.Cryptography;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Payload;
using Iris.Firmware.Slots;

namespace Iris.Firmware.Repository;

/// <summary>What a release is, before it is encrypted.</summary>
public sealed record ReleaseDescription(
    string Kind,
    string Entry,
    IReadOnlyList<string> Models,
    string Version,
    long SecurityVersion,
    DateOnly SupportEnd,
    SbomPin? Sbom = null);

/// <summary>
/// Factory side: turns a directory (the published camera application) or a file-system image into an encrypted
/// bundle under a fresh release key, wrapped for each recipient device key. The plaintext tar of a directory
/// exists only as an owner-only temporary file next to the output and is deleted before this returns.
/// </summary>
public static class ReleaseBuilder
{
    public static Task<ReleaseInfo> BuildAsync(string source, ReleaseDescription description, IReadOnlyList<byte[]> recipientPublicKeys,
        string encryptedOutput, int chunkSize = PayloadFormat.DefaultChunkSize, CancellationToken cancellationToken = default) =>
        BuildAsync(source, new Dictionary<string, string>(), description, recipientPublicKeys, encryptedOutput, chunkSize, cancellationToken);

    /// <param name="source">The directory or image.</param>
    /// <param name="addedFiles">For a directory: slot path → file, put into the bundle beside the directory's files (the SBOM), so the directory itself is never written to.</param>
    /// <param name="description">What the release is.</param>
    /// <param name="recipientPublicKeys">Device update keys the release key is wrapped for.</param>
    /// <param name="encryptedOutput">Where the bundle is written.</param>
    /// <param name="chunkSize">Plaintext bytes per encrypted chunk.</param>
    /// <param name="cancellationToken">Stops the build.</param>
    public static async Task<ReleaseInfo> BuildAsync(string source, IReadOnlyDictionary<string, string> addedFiles, ReleaseDescription description,
        IReadOnlyList<byte[]> recipientPublicKeys, string encryptedOutput, int chunkSize = PayloadFormat.DefaultChunkSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addedFiles);
        if (addedFiles.Count > 0 && description.Kind != ReleaseInfo.DirectoryKind)
        {
            throw new ArgumentException("Files can be added to a directory bundle only; an image is released as the one file it is.", nameof(addedFiles));
        }

        if (recipientPublicKeys.Count == 0)
        {
            throw new ArgumentException("A release needs at least one recipient key, or no device could open it.", nameof(recipientPublicKeys));
        }

        if (!Version.TryParse(description.Version, out _))
        {
            throw new ArgumentException($"'{description.Version}' is not a version (major.minor.patch).", nameof(description));
        }

        string? temporary = null;
        try
        {
            var plaintextPath = source;
            if (description.Kind == ReleaseInfo.DirectoryKind)
            {
                if (!Directory.Exists(source))
                {
                    throw new DirectoryNotFoundException($"'{source}' is not a directory.");
                }

                if (!File.Exists(Path.Combine(source, description.Entry)))
                {
                    throw new FileNotFoundException($"The entry point '{description.Entry}' is not in '{source}'.");
                }

                temporary = encryptedOutput + ".plain-tmp";
                await using (var tar = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = DurableFile.OwnerOnly }))
                {
                    await BundleManifest.WriteTarAsync(source, addedFiles, tar, cancellationToken);
                }

                plaintextPath = temporary;
            }
            else if (description.Kind != ReleaseInfo.ImageKind)
            {
                throw new ArgumentException($"Unknown bundle kind '{description.Kind}'.", nameof(description));
            }

            string plaintextSha256;
            await using (var hashed = File.OpenRead(plaintextPath))
            {
                plaintextSha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(hashed, cancellationToken));
            }

            var releaseKey = RandomNumberGenerator.GetBytes(ReleaseKeyWrap.ReleaseKeyLength);
            try
            {
                SealedPayload sealedPayload;
                long plaintextLength;
                await using (var plaintext = File.OpenRead(plaintextPath))
                await using (var output = new FileStream(encryptedOutput, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    plaintextLength = plaintext.Length;
                    sealedPayload = await PayloadEncryptor.EncryptAsync(plaintext, plaintextLength, output, releaseKey, chunkSize, cancellationToken);
                    output.Flush(flushToDisk: true);
                }

                var keys = recipientPublicKeys.Select(recipient =>
                {
                    var (ephemeral, wrapped) = ReleaseKeyWrap.Wrap(releaseKey, recipient, sealedPayload.BundleId);
                    return new WrappedReleaseKey(MetadataSignatures.KeyId(recipient), Convert.ToBase64String(ephemeral), Convert.ToBase64String(wrapped));
                }).ToList();
                var pins = new PayloadPins(Convert.ToHexStringLower(sealedPayload.BundleId), chunkSize, plaintextLength, plaintextSha256,
                    Convert.ToHexStringLower(sealedPayload.TreeRoot), Convert.ToBase64String(sealedPayload.ChunkList));
                return new ReleaseInfo(description.Models, description.Version, description.SecurityVersion, description.SupportEnd,
                    description.Kind, description.Entry, pins, keys, description.Sbom);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(releaseKey);
            }
        }
        finally
        {
            if (temporary is not null)
            {
                File.Delete(temporary);
            }
        }
    }
}
