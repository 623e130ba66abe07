namespace Iris.Camera.Accounts;

/// <summary>What kind of guessable pattern a part of a password is; the reason shown names the weakest.</summary>
internal enum PatternKind
{
    BruteForce,
    Dictionary,
    DeviceTerm,
    Repeat,
    Sequence,
    KeyboardWalk,
    Year,
}

/// <summary>A part of a password (characters Start..End-1) and how many guesses an attacker needs for it (log10).</summary>
internal readonly record struct PatternMatch(int Start, int End, double Log10Guesses, PatternKind Kind, string Text);

/// <summary>
/// Finds the guessable parts of a (lower-cased, NFKC-normalised) password: repeats, character sequences,
/// keyboard walks on a US/Taiwan QWERTY layout, years, and words from a list, also with look-alike digits and
/// symbols ("p@ssw0rd") or reversed. Guess counts follow zxcvbn's model (Wheeler, USENIX Security 2016).
/// </summary>
internal static class PasswordPatterns
{
    // Rows of the QWERTY layout (unshifted, shifted). Each row is offset half a key to the right of the one above.
    private static readonly string[] Rows = ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"];
    private static readonly string[] ShiftedRows = ["~!@#$%^&*()_+", "QWERTYUIOP{}|", "ASDFGHJKL:\"", "ZXCVBNM<>?"];
    private static readonly Dictionary<char, (int Row, int Column)> KeyPositions = BuildKeyPositions();
    private const double KeyboardStartingPositions = 47;
    private const double KeyboardAverageDegree = 4.6;

    // Look-alike substitutions; characters with two readings get a second variant.
    private static readonly Dictionary<char, char> Leet = new()
    {
        ['4'] = 'a', ['@'] = 'a', ['8'] = 'b', ['('] = 'c', ['3'] = 'e', ['6'] = 'g', ['9'] = 'g', ['1'] = 'i', ['!'] = 'i',
        ['|'] = 'i', ['0'] = 'o', ['$'] = 's', ['5'] = 's', ['7'] = 't', ['+'] = 't', ['2'] = 'z', ['%'] = 'x',
    };

    private static readonly Dictionary<char, char> LeetAlternative = new() { ['1'] = 'l', ['|'] = 'l', ['7'] = 'l' };

    public static IEnumerable<PatternMatch> Dictionary(string password, Func<string, PatternKind?> lookup, int maxWordLength)
    {
        var reversed = new string(password.Reverse().ToArray());
        foreach (var match in Words(password, password, lookup, maxWordLength, extraLog10: 0))
        {
            yield return match;
        }

        foreach (var match in Words(reversed, reversed, lookup, maxWordLength, extraLog10: Math.Log10(2)))
        {
            // Map positions back onto the password.
            yield return match with { Start = password.Length - match.End, End = password.Length - match.Start };
        }

        foreach (var table in new[] { Leet, LeetAlternative })
        {
            var translated = Translate(password, table);
            if (translated != password)
            {
                foreach (var match in Words(translated, password, lookup, maxWordLength, extraLog10: 0))
                {
                    yield return match;
                }
            }
        }
    }

    public static IEnumerable<PatternMatch> Repeats(string password, Func<string, double> estimateLog10)
    {
        for (var start = 0; start < password.Length; start++)
        {
            for (var unit = 1; start + (2 * unit) <= password.Length; unit++)
            {
                var count = 1;
                while (start + ((count + 1) * unit) <= password.Length
                    && string.CompareOrdinal(password, start, password, start + (count * unit), unit) == 0)
                {
                    count++;
                }

                if (count >= 2)
                {
                    var text = password.Substring(start, unit);
                    yield return new PatternMatch(start, start + (count * unit), estimateLog10(text) + Math.Log10(count), PatternKind.Repeat, text);
                }
            }
        }
    }

    public static IEnumerable<PatternMatch> Sequences(string password)
    {
        var start = 0;
        while (start < password.Length - 2)
        {
            var delta = password[start + 1] - password[start];
            var end = start + 1;
            while (end < password.Length && password[end] - password[end - 1] == delta && Math.Abs(delta) is >= 1 and <= 5)
            {
                end++;
            }

            if (end - start >= 3 && Math.Abs(delta) is >= 1 and <= 5)
            {
                var first = password[start];
                double startGuesses = first is 'a' or 'z' or '0' or '1' or '9' ? 4 : char.IsAsciiDigit(first) ? 10 : 26;
                var log = Math.Log10(startGuesses * (end - start) * (delta < 0 ? 2 : 1));
                yield return new PatternMatch(start, end, log, PatternKind.Sequence, password[start..end]);
                start = end - 1;
            }
            else
            {
                start++;
            }
        }
    }

    public static IEnumerable<PatternMatch> KeyboardWalks(string password)
    {
        var start = 0;
        while (start < password.Length - 2)
        {
            var end = start + 1;
            var turns = 0;
            (int, int)? lastDirection = null;
            while (end < password.Length && Direction(password[end - 1], password[end]) is { } direction)
            {
                if (direction != lastDirection)
                {
                    turns++;
                    lastDirection = direction;
                }

                end++;
            }

            if (end - start >= 3)
            {
                yield return new PatternMatch(start, end, WalkLog10(end - start, turns), PatternKind.KeyboardWalk, password[start..end]);
                start = end - 1;
            }
            else
            {
                start++;
            }
        }
    }

    public static IEnumerable<PatternMatch> Years(string password)
    {
        for (var i = 0; i + 4 <= password.Length; i++)
        {
            var span = password.AsSpan(i, 4);
            if ((span.StartsWith("19") || span.StartsWith("20")) && char.IsAsciiDigit(span[2]) && char.IsAsciiDigit(span[3]))
            {
                yield return new PatternMatch(i, i + 4, 2, PatternKind.Year, span.ToString());
            }
        }
    }

    private static IEnumerable<PatternMatch> Words(string text, string original, Func<string, PatternKind?> lookup, int maxWordLength, double extraLog10)
    {
        for (var i = 0; i < text.Length; i++)
        {
            for (var j = i + 3; j <= Math.Min(text.Length, i + maxWordLength); j++)
            {
                var word = text[i..j];
                if (lookup(word) is not { } kind)
                {
                    continue;
                }

                // Unranked word list: an attacker tries ~10^4 words of it first; device terms are tried at once.
                var log = kind == PatternKind.DeviceTerm ? Math.Log10(2) : 4;
                var substitutions = 0;
                for (var k = i; k < j; k++)
                {
                    if (text[k] != original[k])
                    {
                        substitutions++;
                    }
                }

                yield return new PatternMatch(i, j, log + extraLog10 + (substitutions * Math.Log10(2)), kind, word);
            }
        }
    }

    private static string Translate(string password, Dictionary<char, char> table) =>
        string.Create(password.Length, password, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = table.TryGetValue(source[i], out var plain) ? plain : source[i];
            }
        });

    private static (int, int)? Direction(char from, char to)
    {
        if (!KeyPositions.TryGetValue(from, out var a) || !KeyPositions.TryGetValue(to, out var b))
        {
            return null;
        }

        // Staggered rows: a key touches the keys at the same and the next column of the row above.
        var rowStep = b.Row - a.Row;
        var columnStep = b.Column - a.Column;
        var adjacent = rowStep switch
        {
            0 => Math.Abs(columnStep) == 1,
            -1 => columnStep is 0 or 1,
            1 => columnStep is 0 or -1,
            _ => false,
        };
        return adjacent ? (rowStep, columnStep) : null;
    }

    private static double WalkLog10(int length, int turns)
    {
        // zxcvbn: sum over lengths and turn counts of the ways to choose turn points, start keys and directions.
        double guesses = 0;
        for (var i = 2; i <= length; i++)
        {
            for (var j = 1; j <= Math.Min(turns, i - 1); j++)
            {
                guesses += Binomial(i - 1, j - 1) * KeyboardStartingPositions * Math.Pow(KeyboardAverageDegree, j);
            }
        }

        return Math.Log10(Math.Max(guesses, 1));
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    private static Dictionary<char, (int, int)> BuildKeyPositions()
    {
        var positions = new Dictionary<char, (int, int)>();
        for (var row = 0; row < Rows.Length; row++)
        {
            for (var column = 0; column < Rows[row].Length; column++)
            {
                positions[Rows[row][column]] = (row, column);
                positions[char.ToLowerInvariant(ShiftedRows[row][column])] = (row, column);
            }
        }

        return positions;
    }
}
