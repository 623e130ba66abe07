using System.Security.Cryptography;

namespace Iris.Camera.Accounts;

/// <summary>
/// The per-device default password (5.1.3.1): 20 characters from a 31-symbol alphabet without look-alikes
/// (99 bits), grouped in fours for reading off a label. Random, never derived from the serial or a counter.
/// </summary>
public static class DefaultPassword
{
    private const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // no 0/O, 1/I/L
    private const int Length = 20;

    public static double EntropyBits => Length * Math.Log2(Alphabet.Length);

    public static string Generate()
    {
        var chars = new char[Length + (Length / 4) - 1];
        var position = 0;
        for (var i = 0; i < Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                chars[position++] = '-';
            }

            chars[position++] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>
    /// The default-password form ("ABCD-EFGH-…") of a candidate that has that shape once case, separators and
    /// blanks are ignored, or null: "abcd efgh…" and " ABCDEFGH… " are the same password to a guesser.
    /// </summary>
    public static string? Canonical(string candidate)
    {
        var symbols = candidate.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray();
        if (symbols.Length != Length || symbols.Any(c => !Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            return null;
        }

        var grouped = new System.Text.StringBuilder(Length + (Length / 4));
        for (var i = 0; i < Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                grouped.Append('-');
            }

            grouped.Append(symbols[i]);
        }

        return grouped.ToString();
    }
}
