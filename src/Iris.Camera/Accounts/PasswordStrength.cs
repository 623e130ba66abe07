namespace Iris.Camera.Accounts;

/// <summary>How guessable a password is: log10 of the guesses an attacker needs, and its weakest part.</summary>
internal sealed record StrengthEstimate(double Log10Guesses, PatternMatch? Weakest);

/// <summary>
/// A guess-count estimate in the manner of zxcvbn: the password is split into the sequence of guessable parts
/// (see <see cref="PasswordPatterns"/>) and unguessable runs that an attacker must need the fewest guesses for,
/// and that count is the estimate. Runs that follow no pattern count 10 guesses per character, as in zxcvbn.
/// </summary>
internal static class PasswordStrength
{
    /// <summary>10^10 guesses: zxcvbn's strongest class, beyond what online guessing can reach.</summary>
    public const double MinimumLog10Guesses = 10;

    private const double BruteForceLog10PerCharacter = 1;
    private const double SequenceLengthPenaltyLog10 = 4; // zxcvbn's MIN_GUESSES_BEFORE_GROWING_SEQUENCE
    private const string Separators = " -_.";

    /// <param name="password">Lower-cased and NFKC-normalised.</param>
    /// <param name="lookup">Whether a piece is a listed word (and which kind), or null.</param>
    public static StrengthEstimate Estimate(string password, Func<string, PatternKind?> lookup, int maxWordLength)
    {
        var memo = new Dictionary<string, double>(StringComparer.Ordinal);
        return Estimate(password, lookup, maxWordLength, memo);
    }

    private static StrengthEstimate Estimate(string password, Func<string, PatternKind?> lookup, int maxWordLength, Dictionary<string, double> memo)
    {
        var n = password.Length;
        if (n == 0)
        {
            return new StrengthEstimate(0, null);
        }

        double UnitLog10(string unit)
        {
            if (!memo.TryGetValue(unit, out var log))
            {
                log = unit.Length == password.Length ? unit.Length * BruteForceLog10PerCharacter : Estimate(unit, lookup, maxWordLength, memo).Log10Guesses;
                memo[unit] = log;
            }

            return log;
        }

        var matches = PasswordPatterns.Dictionary(password, lookup, maxWordLength)
            .Concat(PasswordPatterns.Repeats(password, UnitLog10))
            .Concat(PasswordPatterns.Sequences(password))
            .Concat(PasswordPatterns.KeyboardWalks(password))
            .Concat(PasswordPatterns.Years(password))
            .ToList();
        // "word word 2024": a single separator after a part is part of it (4 choices), not a part of its own,
        // or every space would count as another piece and make a guessable phrase look strong.
        foreach (var match in matches.Where(m => m.End < n && Separators.Contains(password[m.End])).ToList())
        {
            matches.Add(match with { End = match.End + 1, Log10Guesses = match.Log10Guesses + Math.Log10(Separators.Length) });
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j <= n; j++)
            {
                matches.Add(new PatternMatch(i, j, (j - i) * BruteForceLog10PerCharacter, PatternKind.BruteForce, password[i..j]));
            }
        }

        var byEnd = matches.GroupBy(m => m.End).ToDictionary(g => g.Key, g => g.ToList());

        // best[end, k]: fewest guesses (log10 of the product) covering password[..end] with k parts.
        var best = new double[n + 1, n + 1];
        var parent = new PatternMatch?[n + 1, n + 1];
        for (var end = 0; end <= n; end++)
        {
            for (var k = 0; k <= n; k++)
            {
                best[end, k] = double.PositiveInfinity;
            }
        }

        best[0, 0] = 0;
        for (var end = 1; end <= n; end++)
        {
            foreach (var match in byEnd.GetValueOrDefault(end) ?? [])
            {
                for (var k = 1; k <= match.Start + 1; k++)
                {
                    // Two adjacent runs without a pattern are one run: don't let them split.
                    if (match.Kind == PatternKind.BruteForce && parent[match.Start, k - 1] is { Kind: PatternKind.BruteForce })
                    {
                        continue;
                    }

                    var candidate = best[match.Start, k - 1] + match.Log10Guesses;
                    if (candidate < best[end, k])
                    {
                        best[end, k] = candidate;
                        parent[end, k] = match;
                    }
                }
            }
        }

        var bestTotal = double.PositiveInfinity;
        var bestParts = 0;
        for (var k = 1; k <= n; k++)
        {
            if (double.IsPositiveInfinity(best[n, k]))
            {
                continue;
            }

            // k! orders of the parts, plus a floor that grows with their number (zxcvbn).
            var total = LogSum(LogFactorial(k) + best[n, k], SequenceLengthPenaltyLog10 * (k - 1));
            if (total < bestTotal)
            {
                bestTotal = total;
                bestParts = k;
            }
        }

        return new StrengthEstimate(bestTotal, Weakest(parent, n, bestParts));
    }

    /// <summary>The patterned part covering the most characters in the chosen split, if any.</summary>
    private static PatternMatch? Weakest(PatternMatch?[,] parent, int n, int parts)
    {
        PatternMatch? weakest = null;
        for (int end = n, k = parts; k > 0 && parent[end, k] is { } match; end = match.Start, k--)
        {
            if (match.Kind != PatternKind.BruteForce && (weakest is null || match.End - match.Start > weakest.Value.End - weakest.Value.Start))
            {
                weakest = match;
            }
        }

        return weakest;
    }

    private static double LogFactorial(int k)
    {
        double log = 0;
        for (var i = 2; i <= k; i++)
        {
            log += Math.Log10(i);
        }

        return log;
    }

    private static double LogSum(double a, double b)
    {
        var high = Math.Max(a, b);
        return high + Math.Log10(Math.Pow(10, a - high) + Math.Pow(10, b - high));
    }
}
