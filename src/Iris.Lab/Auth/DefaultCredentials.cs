namespace Iris.Lab.Auth;

/// <summary>
/// Well-known default credentials of IP cameras and embedded Linux devices (vendor manuals and the Mirai botnet's
/// list), most common first, because a throttling device lets only the first few through.
/// </summary>
internal static class DefaultCredentials
{
    public static readonly IReadOnlyList<(string User, string Password)> Common =
    [
        ("admin", "admin"), ("admin", "12345"), ("admin", "123456"), ("admin", ""), ("admin", "password"), ("root", "root"),
        ("admin", "1234"), ("root", "12345"), ("admin", "888888"), ("root", "xc3511"), ("root", "vizxv"), ("admin", "admin123"),
        ("user", "user"), ("guest", "guest"), ("supervisor", "supervisor"), ("ubnt", "ubnt"), ("root", "pass"), ("Admin", "1111"),
    ];

    /// <summary>The list, with the IXIT's declared login name tried first with the common passwords.</summary>
    public static IReadOnlyList<(string User, string Password)> For(string? declaredUser)
    {
        if (string.IsNullOrEmpty(declaredUser))
        {
            return Common;
        }

        var own = Common.Select(c => (declaredUser, c.Password)).Distinct();
        return [.. own.Concat(Common).Distinct()];
    }
}
