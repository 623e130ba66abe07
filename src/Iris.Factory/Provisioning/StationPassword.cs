using System.Security.Cryptography;
using System.Text;

namespace Iris.Factory.Provisioning;

/// <summary>
/// The per-device default password (5.1.3.1), made at the station: the daemon's own format (20 symbols from a
/// 31-symbol alphabet without look-alikes, grouped in fours, 99 bits), so the owner types what the label shows.
/// Only its PBKDF2-HMAC-SHA-256 hash goes to the device, in the JSON shape the daemon stores
/// (Accounts/PasswordHasher.cs); the password itself goes to the label output and nowhere else.
/// </summary>
internal static class StationPassword
{
    public const int Iterations = 600_000;
    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    private const int Length = 20;

    public static string Generate()
    {
        var text = new StringBuilder(Length + (Length / 4));
        for (var i = 0; i < Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                text.Append('-');
            }

            text.Append(Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]);
        }

        return text.ToString();
    }

    public static DeviceHash Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return new DeviceHash(Rfc2898DeriveBytes.Pbkdf2(bytes, salt, Iterations, HashAlgorithmName.SHA256, 32), salt, Iterations);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}

/// <summary>Serialised with the daemon's property names (Hash, Salt, Iterations; byte arrays as base64).</summary>
internal sealed record DeviceHash(byte[] Hash, byte[] Salt, int Iterations);
