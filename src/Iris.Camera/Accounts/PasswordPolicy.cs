using System.Globalization;
using System.Reflection;
using System.Text;

namespace Iris.Camera.Accounts;

/// <summary>What a new password is checked against besides itself: the account and the device it is for.</summary>
public sealed record PasswordContext(string Username, string Serial, string Model, string Vendor, Func<string, bool> IsDefaultPassword);

/// <summary>
/// Rules for a new password (5.1.3.1), applied to its NFKC form, so look-alike forms (fullwidth "ｐａｓｓ",
/// ligatures) count as what they look like: 12 to 128 characters, no control characters; not the default
/// password (ignoring case, separators and blanks); not containing the username or serial (ignoring
/// separators); not a common password alone or wrapped in digits and symbols; and at least 10^10 guesses by
/// <see cref="PasswordStrength"/>, which sees repeats, sequences, keyboard walks, years, listed words with
/// look-alike substitutions, and the device's serial, model, vendor and username. The word list is
/// common-passwords.txt (MIT, see its licence file).
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    private static readonly Lazy<(HashSet<string> Words, int MaxLength)> CommonPasswords = new(LoadCommonPasswords);

    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormKC);

    /// <summary>
    /// Whether NFKC normalisation works in this process. In .NET's invariant globalization mode it silently
    /// returns its input, which would let fullwidth forms of refused passwords through; the daemon refuses to
    /// start then (see <see cref="OwnerBootstrap"/>).
    /// </summary>
    public static bool NormalizationWorks => Normalize("\uFF50\uFF41\uFF53\uFF53\uFF11") == "pass1";

    /// <summary>Null when acceptable, otherwise the reason to show the user.</summary>
    public static string? Check(string password, PasswordContext context)
    {
        var normalized = Normalize(password);
        var length = new StringInfo(normalized).LengthInTextElements;
        if (length < MinLength)
        {
            return $"The password must have at least {MinLength} characters.";
        }

        if (length > MaxLength)
        {
            return $"The password must have at most {MaxLength} characters.";
        }

        if (normalized.Any(char.IsControl))
        {
            return "The password must not contain control characters.";
        }

        if (context.IsDefaultPassword(normalized))
        {
            return "The new password must differ from the default password (case, dashes and spaces do not count).";
        }

        var lower = normalized.ToLowerInvariant();
        var letters = LettersAndDigits(lower);
        if (Contains(lower, letters, context.Username))
        {
            return "The password must not contain the username.";
        }

        if (Contains(lower, letters, context.Serial))
        {
            return "The password must not contain the device serial number.";
        }

        if (IsCommon(lower))
        {
            return "This password is on a list of commonly used passwords. Choose another.";
        }

        var estimate = Estimate(lower, context);
        return estimate.Log10Guesses >= PasswordStrength.MinimumLog10Guesses ? null : WeakReason(estimate.Weakest);
    }

    /// <summary>The guess estimate <see cref="Check"/> enforces, for a strength meter that agrees with it.</summary>
    public static double Log10Guesses(string password, PasswordContext context) =>
        Estimate(Normalize(password).ToLowerInvariant(), context).Log10Guesses;

    private static StrengthEstimate Estimate(string lower, PasswordContext context)
    {
        var deviceTerms = DeviceTerms(context);
        var (words, maxWordLength) = CommonPasswords.Value;
        // The estimate's cost grows with the cube of the length; 128 text elements can be far more UTF-16 units
        // (combining marks), so it looks at the first 128 units only: more characters never make guessing easier.
        return PasswordStrength.Estimate(
            lower.Length > MaxLength ? lower[..MaxLength] : lower,
            piece => deviceTerms.Contains(piece) ? PatternKind.DeviceTerm : words.Contains(piece) ? PatternKind.Dictionary : null,
            Math.Max(maxWordLength, deviceTerms.Count == 0 ? 0 : deviceTerms.Max(t => t.Length)));
    }

    private static string WeakReason(PatternMatch? weakest)
    {
        var why = weakest switch
        {
            { Kind: PatternKind.Repeat } m => $"it repeats \"{m.Text}\".",
            { Kind: PatternKind.Sequence } m => $"it contains the sequence \"{m.Text}\".",
            { Kind: PatternKind.KeyboardWalk } m => $"it contains the keyboard pattern \"{m.Text}\".",
            { Kind: PatternKind.Year } m => $"it relies on the year \"{m.Text}\".",
            { Kind: PatternKind.DeviceTerm } m => $"it is built on \"{m.Text}\", a name of this device, its maker or the account.",
            { Kind: PatternKind.Dictionary } m => $"it is built on the common word or password \"{m.Text}\" (look-alike digits and symbols do not hide it).",
            _ => "it is short for what it contains.",
        };
        return $"This password is too easy to guess: {why} Add more words or characters that follow no pattern.";
    }

    /// <summary>Contained as typed, or once separators and blanks are ignored (for terms of 3+ letters and digits).</summary>
    private static bool Contains(string lower, string letters, string term)
    {
        if (term.Length == 0)
        {
            return false;
        }

        var termLower = Normalize(term).ToLowerInvariant();
        var termLetters = LettersAndDigits(termLower);
        return lower.Contains(termLower, StringComparison.Ordinal)
            || (termLetters.Length >= 3 && letters.Contains(termLetters, StringComparison.Ordinal));
    }

    private static string LettersAndDigits(string text) => string.Concat(text.Where(char.IsLetterOrDigit));

    /// <summary>Serial, model, vendor and username, whole and word by word, plus the product's own names.</summary>
    private static HashSet<string> DeviceTerms(PasswordContext context)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal) { "iris", "camera", "admin", "ipcam", "webcam" };
        foreach (var value in new[] { context.Serial, context.Model, context.Vendor, context.Username })
        {
            var lower = Normalize(value).ToLowerInvariant();
            terms.Add(LettersAndDigits(lower));
            foreach (var word in lower.Split([' ', '-', '_', '.', '(', ')', '+'], StringSplitOptions.RemoveEmptyEntries))
            {
                terms.Add(word);
            }
        }

        terms.RemoveWhere(t => t.Length < 3);
        return terms;
    }

    private static bool IsCommon(string lower)
    {
        var set = CommonPasswords.Value.Words;
        if (set.Contains(lower))
        {
            return true;
        }

        // The core without leading and trailing digits and symbols: "!!dragon2024" -> "dragon".
        var core = lower.Trim().TrimStart(NonLetters()).TrimEnd(NonLetters());
        return core.Length >= 4 && set.Contains(core);
    }

    private static char[] NonLetters() => "0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?\\|`~ ".ToCharArray();

    private static (HashSet<string>, int) LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Iris.Camera.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        var longest = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
                longest = Math.Max(longest, line.Length);
            }
        }

        return (set, longest);
    }
}
