using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Lab.Ixit;

/// <summary>
/// The vendor's IXIT (implementation extra information for testing, ETSI TS 103 701): what the device declares,
/// so the lab can compare what it observes with it. The JSON shape is ixit.schema.json beside this file.
/// </summary>
internal sealed record IxitDeclaration
{
    public string? Vendor { get; init; }

    public string? Model { get; init; }

    public string? FirmwareVersion { get; init; }

    /// <summary>Every network service the device runs (5.2.2.1); anything else open is undeclared.</summary>
    public IReadOnlyList<IxitService> Services { get; init; } = [];

    public IReadOnlyList<IxitRole> Roles { get; init; } = [];

    public IxitLogin? Login { get; init; }

    public IxitUpdate? Update { get; init; }

    /// <summary>The end of security updates (5.3.1.4), an ISO date.</summary>
    public string? SupportEnd { get; init; }

    public IReadOnlyList<string> PersonalData { get; init; } = [];

    public IReadOnlyList<IxitDebugInterface> DebugInterfaces { get; init; } = [];

    /// <summary>Path of security.txt on the web interface (RFC 9116: /.well-known/security.txt).</summary>
    public string? SecurityTxt { get; init; }

    /// <summary>The identifier the device puts in its alerts (its serial), which a login alert must carry (5.8.1.1).</summary>
    public string? DeviceIdentifier { get; init; }

    /// <summary>Where the device pushes its security alerts (5.8.1.1): MQTT topics the lab subscribes to, webhooks.</summary>
    public IReadOnlyList<IxitAlertChannel> Alerts { get; init; } = [];

    /// <summary>Every HTTP endpoint of the management interface (5.5.2.1): the lab fuzzes each one.</summary>
    public IReadOnlyList<IxitEndpoint> Endpoints { get; init; } = [];

    /// <summary>PEM of the CA that issues the device's TLS certificate: a chain to it is not "self-signed".</summary>
    public string? TlsTrustAnchorPem { get; init; }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads an IXIT file; an unknown field is an error, so a misspelt declaration is not silently ignored.</summary>
    public static IxitDeclaration Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<IxitDeclaration>(stream, Options) ?? throw new InvalidDataException($"{path} holds no IXIT object.");
    }

    public static IxitDeclaration Parse(string json) =>
        JsonSerializer.Deserialize<IxitDeclaration>(json, Options) ?? throw new InvalidDataException("The IXIT holds no object.");
}

/// <summary>A declared service: transport ("tcp"/"udp"), port, protocol ("https", "rtsps", "mqtts"...), why it is needed.</summary>
internal sealed record IxitService(string Transport, int Port, string Protocol, string? Purpose);

internal sealed record IxitRole(string Name, IReadOnlyList<string> Rights);

/// <summary>How to sign in: kind "http-form" (JSON body to Path with UsernameField/PasswordField), "http-basic", "http-digest".</summary>
internal sealed record IxitLogin(string Kind, string Path, string? UsernameField, string? PasswordField, string? Username);

internal sealed record IxitUpdate(string Mechanism, string? Server);

/// <summary>An alert channel: kind "mqtt" (Broker mqtt:// or mqtts://HOST:PORT, Topic) or "webhook" (Url: the
/// lab's own HTTPS address the device was set to post to; HmacKey, base64url, when the device signs its posts with
/// HMAC-SHA-256 in SignatureHeader as "sha256=HEX" or HEX).</summary>
internal sealed record IxitAlertChannel(string Kind, string? Broker, string? Topic, string? Url, string? HmacKey = null, string? SignatureHeader = null);

/// <summary>A declared HTTP endpoint: Method, Path (a route template: {name} for a path parameter), Body ("none",
/// "json", "form", "multipart", "binary") and Access ("anyone", "any session" or the permission it needs).</summary>
internal sealed record IxitEndpoint(string Method, string Path, string? Body, string? Access);

internal sealed record IxitDebugInterface(string Name, string Access);
