using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Events;

/// <summary>
/// The signed head of the security log: where the chain starts (its anchor) and where it ends (last id and hash),
/// signed with the device key (ECDSA P-256). Without the key nobody can move the end or the start of the chain.
/// </summary>
internal sealed class SecurityLogHead(DeviceIdentity identity, TimeProvider time) : IDisposable
{
    private const string Setting = "security-log.head";
    private ECDsa? _signingKey;

    public void Sign(SqliteConnection connection, byte[] anchor, long lastId, byte[] lastHash)
    {
        _signingKey ??= identity.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The device identity has no private key.");
        var signature = _signingKey.SignData(HeadStatement(anchor, lastId, lastHash), HashAlgorithmName.SHA256);
        CameraDatabase.SetSetting(connection, Setting,
            string.Join(';', Convert.ToHexStringLower(anchor), lastId.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(lastHash), Convert.ToHexStringLower(signature)),
            time.GetUtcNow());
    }

    /// <summary>Whether the stored head names <paramref name="lastHash"/> as the end of the chain (or the log is empty and has no head yet).</summary>
    public static bool IsFor(SqliteConnection connection, byte[] lastHash, bool logIsEmpty) =>
        Read(connection) is not { } head
            ? logIsEmpty
            : head.Split(';') is [_, _, var hash, _] && string.Equals(hash, Convert.ToHexStringLower(lastHash), StringComparison.Ordinal);

    public static string? Read(SqliteConnection connection) => CameraDatabase.GetSetting(connection, Setting);

    public bool Matches(string head, byte[] anchor, long lastId, byte[] lastHash)
    {
        var parts = head.Split(';');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            using var publicKey = identity.Certificate.GetECDsaPublicKey();
            return publicKey is not null
                && string.Equals(parts[0], Convert.ToHexStringLower(anchor), StringComparison.Ordinal)
                && string.Equals(parts[1], lastId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                && string.Equals(parts[2], Convert.ToHexStringLower(lastHash), StringComparison.Ordinal)
                && publicKey.VerifyData(HeadStatement(anchor, lastId, lastHash), Convert.FromHexString(parts[3]), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>What the head signature covers: the device, where the chain starts, and where it ends.</summary>
    private byte[] HeadStatement(byte[] anchor, long lastId, byte[] lastHash) =>
        Encoding.UTF8.GetBytes($"iris-security-log-head/1|{identity.Serial}|{Convert.ToHexStringLower(anchor)}|{lastId.ToString(CultureInfo.InvariantCulture)}|{Convert.ToHexStringLower(lastHash)}");

    public void Dispose() => _signingKey?.Dispose();
}
