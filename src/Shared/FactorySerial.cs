using System.Text.RegularExpressions;

namespace Iris.Shared;

/// <summary>
/// Factory serial numbers (IoT-1005-1 5.1.1.1): <c>PREFIX-NNNNNNNNC</c>, a model prefix, eight Crockford base-32
/// digits of the ledger's sequence number and a Luhn mod 32 check character, so a serial typed from a label
/// with one wrong character (or, mostly, two neighbours swapped) is refused rather than taken for another device.
/// Compiled into the factory tool (which issues serials) and the daemon (which refuses a provisioned identity
/// whose serial does not check).
/// </summary>
internal static partial class FactorySerial
{
    // Crockford base 32: no I, L, O, U, so a serial read off a label is not misread.
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const int Digits = 8;
    public static readonly long MaxSequence = (1L << (5 * Digits)) - 1;

    public static bool IsValidPrefix(string prefix) => Prefix().IsMatch(prefix) && !prefix.StartsWith("DEV", StringComparison.Ordinal);

    public static string Format(string prefix, long sequence)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"Model prefix '{prefix}' must be 2-6 capital letters or digits, starting with a letter, not DEV.", nameof(prefix));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        Span<char> digits = stackalloc char[Digits];
        for (var i = Digits - 1; i >= 0; i--)
        {
            digits[i] = Alphabet[(int)(sequence & 31)];
            sequence >>= 5;
        }

        var body = new string(digits);
        return $"{prefix}-{body}{CheckCharacter(body)}";
    }

    public static bool IsValid(string serial)
    {
        var match = Serial().Match(serial);
        return match.Success
            && IsValidPrefix(match.Groups["prefix"].Value)
            && CheckCharacter(match.Groups["body"].Value) == match.Groups["check"].Value[0];
    }

    /// <summary>Luhn mod N over the base-32 alphabet: catches every single substitution and most adjacent swaps.</summary>
    private static char CheckCharacter(string body)
    {
        var sum = 0;
        var factor = 2;
        for (var i = body.Length - 1; i >= 0; i--)
        {
            var addend = factor * Alphabet.IndexOf(body[i], StringComparison.Ordinal);
            factor = factor == 2 ? 1 : 2;
            sum += (addend / 32) + (addend % 32);
        }

        return Alphabet[(32 - (sum % 32)) % 32];
    }

    [GeneratedRegex("^[A-Z][A-Z0-9]{1,5}$", RegexOptions.CultureInvariant)]
    private static partial Regex Prefix();

    [GeneratedRegex("^(?<prefix>[A-Z][A-Z0-9]{1,5})-(?<body>[0-9A-HJKMNP-TV-Z]{8})(?<check>[0-9A-HJKMNP-TV-Z])$", RegexOptions.CultureInvariant)]
    private static partial Regex Serial();
}
