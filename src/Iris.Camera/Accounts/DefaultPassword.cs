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
}
