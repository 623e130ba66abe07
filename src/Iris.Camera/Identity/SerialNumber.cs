using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Iris.Camera.Identity;

/// <summary>
/// Device serial numbers (5.1.1.1). Factory serials are issued by provisioning; a development identity gets
/// "DEV-" and 12 random Crockford base-32 characters (60 bits), so it can never collide with or pass for a
/// factory serial.
/// </summary>
internal static partial class SerialNumber
{
    public const string DevelopmentPrefix = "DEV-";

    // Crockford base 32: no I, L, O, U, so a serial read off a label is not misread.
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string NewDevelopment()
    {
        Span<char> chars = stackalloc char[12];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return DevelopmentPrefix + new string(chars);
    }

    public static bool IsValid(string serial) => Format().IsMatch(serial);

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{3,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}
