using System.Globalization;
using System.Text;
using Iris.Camera.Platform;
using Iris.Camera.Web;

namespace Iris.Camera.Hosting;

/// <summary>
/// The vendor's disclosure contact as RFC 9116 <c>/.well-known/security.txt</c> (5.2.3.1): Contact, Expires,
/// Policy, Preferred-Languages, Canonical, from settings that ship with each release. Unset (no Contact), the
/// file is not served and the start log says so; an Expires in the past is logged at start, since a stale file
/// still names the vendor's contact but tells a researcher it may be out of date.
/// </summary>
public sealed class SecurityTxtOptions : ISettings, IBoundSettings<SecurityTxtOptions>
{
    public const string SectionName = "Iris:SecurityTxt";

    public static SecurityTxtOptions? Bind(IConfiguration section) => section.Get<SecurityTxtOptions>(SettingsBinding.Strict);

    /// <summary>mailto:, https: or tel: URIs, most preferred first.</summary>
    public IList<string> Contact { get; } = [];

    public DateTimeOffset? Expires { get; set; }

    /// <summary>The disclosure policy (docs/vulnerability-disclosure.md as the vendor publishes it).</summary>
    public string? Policy { get; set; }

    public string PreferredLanguages { get; set; } = "en, zh-TW";

    /// <summary>Where the vendor publishes this file; a device cannot know its own address, so this names the vendor's copy.</summary>
    public string? Canonical { get; set; }

    public bool IsConfigured => Contact.Count > 0;

    public IEnumerable<string> Validate()
    {
        foreach (var contact in Contact)
        {
            if (!Uri.TryCreate(contact, UriKind.Absolute, out var uri) || uri.Scheme is not ("mailto" or "https" or "tel"))
            {
                yield return $"{SectionName}:Contact '{contact}' must be a mailto:, https: or tel: URI.";
            }
        }

        if (IsConfigured && Expires is null)
        {
            yield return $"{SectionName}:Expires is required with a Contact (RFC 9116 2.5.5).";
        }

        foreach (var (name, value) in new[] { ("Policy", Policy), ("Canonical", Canonical) })
        {
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return $"{SectionName}:{name} must be an https URL.";
            }
        }

        if (PreferredLanguages.Split(',').Any(l => l.Trim() is not { Length: >= 2 and <= 12 } tag || !tag.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
        {
            yield return $"{SectionName}:PreferredLanguages must be comma-separated language tags.";
        }
    }

    /// <summary>The file's text (RFC 9116 section 4), CRLF line ends.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var contact in Contact)
        {
            text.Append("Contact: ").Append(contact).Append("\r\n");
        }

        text.Append("Expires: ").Append(Expires!.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append("\r\n");
        if (Policy is not null)
        {
            text.Append("Policy: ").Append(Policy).Append("\r\n");
        }

        text.Append("Preferred-Languages: ").Append(PreferredLanguages).Append("\r\n");
        if (Canonical is not null)
        {
            text.Append("Canonical: ").Append(Canonical).Append("\r\n");
        }

        return text.ToString();
    }
}

internal static partial class SecurityTxtEndpoints
{
    public const string Path = "/.well-known/security.txt";

    public static IEndpointRouteBuilder MapSecurityTxt(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, Serve).WithName("SecurityTxt").AllowAnyone("The vendor's vulnerability disclosure contact (RFC 9116).");
        return routes;
    }

    /// <summary>Logs at start what a researcher would find: no file, or a stale one.</summary>
    public static void CheckAtStart(SecurityTxtOptions options, TimeProvider time, ILogger logger)
    {
        if (!options.IsConfigured)
        {
            LogNotConfigured(logger);
        }
        else if (options.Expires <= time.GetUtcNow())
        {
            LogExpired(logger, options.Expires.Value);
        }
    }

    private static IResult Serve(SecurityTxtOptions options) =>
        options.IsConfigured
            ? TypedResults.Text(options.Render(), "text/plain; charset=utf-8")
            : Problems.Create(StatusCodes.Status404NotFound, "not-found", "This device has no disclosure contact configured.");

    [LoggerMessage(EventId = 1700, Level = LogLevel.Warning, Message = "No vulnerability disclosure contact is configured (Iris:SecurityTxt:Contact): /.well-known/security.txt is not served.")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Error, Message = "security.txt expired at {Expires:u}: update Iris:SecurityTxt:Expires (researchers treat an expired file as stale).")]
    private static partial void LogExpired(ILogger logger, DateTimeOffset expires);
}
