using System.Security.Cryptography;
using System.Text.Json;

namespace Iris.Firmware.Metadata;

/// <summary>Why an update step stopped. Every refusal leaves the running slot and the trusted metadata untouched.</summary>
public enum UpdateCode
{
    Ok,
    UpToDate,
    Unreachable,
    TransportRefused,
    Malformed,
    BelowThreshold,
    Rollback,
    Expired,
    Mismatch,
    TooLarge,
    WrongModel,
    OlderVersion,
    LowerSecurityVersion,
    NotForThisDevice,
    PayloadRejected,
    InstallFailed,
    NotSlotted,
}

/// <summary>A result with a reason a person can read in the status page.</summary>
public sealed record UpdateOutcome(UpdateCode Code, string Message)
{
    public bool Succeeded => Code is UpdateCode.Ok or UpdateCode.UpToDate;

    public static readonly UpdateOutcome Ok = new(UpdateCode.Ok, "ok");
}

/// <summary>A parsed, signature-checked role document together with the exact bytes it came from.</summary>
public sealed record Verified<T>(T Document, byte[] Bytes) where T : IRoleDocument;

/// <summary>Parsing and checking one metadata file against the root that governs it.</summary>
public static class MetadataCheck
{
    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Reads an envelope and its payload as <typeparamref name="T"/>; null when it is not well-formed.</summary>
    public static (SignedEnvelope Envelope, T Document)? Parse<T>(ReadOnlySpan<byte> bytes, string expectedType) where T : class, IRoleDocument
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(bytes, FirmwareJson.Info<SignedEnvelope>(FirmwareJson.Metadata));
            if (envelope is null || envelope.PayloadType != MetadataSignatures.PayloadType)
            {
                return null;
            }

            var document = JsonSerializer.Deserialize(envelope.PayloadBytes, FirmwareJson.Info<T>(FirmwareJson.Metadata));
            if (document is null || document.Type != expectedType || document.Version < 1)
            {
                return null;
            }

            return (envelope, document);
        }
        catch (Exception e) when (e is JsonException or FormatException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Parses <paramref name="bytes"/> as role <paramref name="role"/> and checks its signature threshold under <paramref name="root"/>.</summary>
    public static (Verified<T>? Value, UpdateOutcome Outcome) Verify<T>(byte[] bytes, string role, RootDocument root) where T : class, IRoleDocument
    {
        if (Parse<T>(bytes, role) is not { } parsed)
        {
            return (null, new UpdateOutcome(UpdateCode.Malformed, $"{role} metadata is not well-formed"));
        }

        if (!root.Roles.TryGetValue(role, out var keys) || keys.Threshold < 1)
        {
            return (null, new UpdateOutcome(UpdateCode.Malformed, $"root names no keys for {role}"));
        }

        var valid = MetadataSignatures.CountValid(parsed.Envelope, keys, root.Keys);
        if (valid < keys.Threshold)
        {
            return (null, new UpdateOutcome(UpdateCode.BelowThreshold, $"{role} metadata has {valid} valid signature(s); {keys.Threshold} required"));
        }

        return (new Verified<T>(parsed.Document, bytes), UpdateOutcome.Ok);
    }

    /// <summary>True when a root document is internally sound: every role present, thresholds reachable.</summary>
    public static bool IsSoundRoot(RootDocument root) =>
        RoleName.All.All(r => root.Roles.TryGetValue(r, out var keys) && keys.Threshold >= 1 && keys.KeyIds.Distinct().Count() >= keys.Threshold
            && keys.KeyIds.All(root.Keys.ContainsKey));
}
