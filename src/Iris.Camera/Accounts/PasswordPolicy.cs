using System.Globalization;
using System.Reflection;
using System.Text;

namespace Iris.Camera.Accounts;

/// <summary>
/// Rules for a new password (5.1.3.1): 12 to 128 characters after NFKC normalisation, any Unicode; refused when it
/// is the default password, contains the username or serial, or is a common password (alone or wrapped in digits
/// and symbols, as in "Password2024!"). The list is in common-passwords.txt (MIT, see its licence file).
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    private static readonly Lazy<HashSet<string>> CommonPasswords = new(LoadCommonPasswords);

    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormKC);

    /// <summary>Null when acceptable, otherwise the reason to show the user.</summary>
    public static string? Check(string password, string username, string serial, Func<string, bool> isDefaultPassword)
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

        var lower = normalized.ToLowerInvariant();
        if (username.Length > 0 && lower.Contains(username.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return "The password must not contain the username.";
        }

        if (lower.Contains(serial.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return "The password must not contain the device serial number.";
        }

        if (IsCommon(lower))
        {
            return "This password is on a list of commonly used passwords. Choose another.";
        }

        if (isDefaultPassword(password))
        {
            return "The new password must differ from the default password.";
        }

        return null;
    }

    private static bool IsCommon(string lower)
    {
        var set = CommonPasswords.Value;
        if (set.Contains(lower))
        {
            return true;
        }

        // The core without leading and trailing digits and symbols: "!!dragon2024" -> "dragon".
        var core = lower.Trim().TrimStart(NonLetters()).TrimEnd(NonLetters());
        return core.Length >= 4 && set.Contains(core);
    }

    private static char[] NonLetters() => "0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?\\|`~ ".ToCharArray();

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Iris.Camera.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
            }
        }

        return set;
    }
}
