using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Events;

/// <summary>One stored record of the security log, as the chain sees it.</summary>
internal sealed record ChainRow(
    long Id, string At, string Kind, string Serial, string? Source, string? Account, string? Detail,
    byte[] PreviousHash, byte[] Hash, byte[]? Salt, byte[]? Commitments);

/// <summary>
/// How a security-log record is chained. The hash covers the previous hash, the time, kind and serial, and a
/// salted SHA-256 commitment to each personal field (source, account, detail) instead of the field itself, so the
/// owner can have those fields redacted while every record, and the chain through it, still verifies. Records from
/// before commitments existed (no commitments stored) use the original form over the plain fields.
/// </summary>
internal static class SecurityLogChain
{
    public const int SaltLength = 16;
    private const int CommitmentLength = 32;

    /// <summary>Commitments to source, account and detail, in that order (32 bytes each; zeros for an absent field).</summary>
    public static byte[] Commit(byte[] salt, string? source, string? account, string? detail)
    {
        var commitments = new byte[3 * CommitmentLength];
        string?[] fields = [source, account, detail];
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i] is { } value)
            {
                CommitField(salt, i, value).CopyTo(commitments, i * CommitmentLength);
            }
        }

        return commitments;
    }

    public static byte[] Hash(byte[] previous, string at, string kind, string serial, byte[] commitments) =>
        SHA256.HashData([.. previous, .. Fields(at, kind, serial), .. commitments]);

    /// <summary>Whether a row's own contents match its stored hash (the link to the previous row is checked by the caller).</summary>
    public static bool Verifies(ChainRow row)
    {
        if (row.Commitments is null)
        {
            var legacy = SHA256.HashData([.. row.PreviousHash, .. Fields(row.At, row.Kind, row.Serial, row.Source ?? "\u0000", row.Account ?? "\u0000", row.Detail ?? "\u0000")]);
            return CryptographicOperations.FixedTimeEquals(legacy, row.Hash);
        }

        if (row.Commitments.Length != 3 * CommitmentLength)
        {
            return false;
        }

        string?[] fields = [row.Source, row.Account, row.Detail];
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i] is not { } value)
            {
                continue;
            }

            // A field present in a redacted record (no salt) was written in afterwards.
            if (row.Salt is null || !CryptographicOperations.FixedTimeEquals(CommitField(row.Salt, i, value), row.Commitments.AsSpan(i * CommitmentLength, CommitmentLength)))
            {
                return false;
            }
        }

        return CryptographicOperations.FixedTimeEquals(Hash(row.PreviousHash, row.At, row.Kind, row.Serial, row.Commitments), row.Hash);
    }

    private static byte[] CommitField(byte[] salt, int index, string value) =>
        SHA256.HashData([.. salt, (byte)index, .. Encoding.UTF8.GetBytes(value)]);

    /// <summary>Length-prefixed fields, so no two different records serialise to the same bytes.</summary>
    private static byte[] Fields(params string[] fields)
    {
        var text = new StringBuilder();
        foreach (var field in fields)
        {
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append(';');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
