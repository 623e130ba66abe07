using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// Signed remote commands (5.1.1.3): a command is carried out only if it is signed by a paired, unrevoked key,
/// names this device's serial, is inside its validity window (at most five minutes long, issued no later than
/// two minutes from now), asks for an action the key's role may do (the same permission table as the web UI),
/// and its command id was never seen before. The seen ids are kept in the database until they expire, so a replay
/// fails after a restart too. Every refusal is a security event; every answer is signed with the device key.
/// </summary>
internal sealed partial class RemoteCommands(
    PairedKeys keys,
    DeviceIdentity identity,
    CameraDatabase database,
    SecurityEventLog log,
    RefusalLog refusals,
    MediaChanges media,
    PrivacyMode privacy,
    IRestartRequester restart,
    RemoteView remoteView,
    RemoteSnapshot snapshot,
    TimeProvider time,
    ILogger<RemoteCommands> logger)
{
    public const string RefusedKind = "remote-command-refused";
    public const string AcceptedKind = "remote-command";
    private static readonly TimeSpan MaximumValidity = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>What each action needs, from the permission table the web endpoints use.</summary>
    private static readonly Dictionary<string, Privilege> Actions = new(StringComparer.Ordinal)
    {
        ["privacy-on"] = Privilege.ManageSettings,
        ["privacy-off"] = Privilege.ManageSettings,
        ["restart"] = Privilege.ManageSettings,
        ["status"] = Privilege.LiveView,
        ["snapshot"] = Privilege.LiveView,
        ["remote-view-start"] = Privilege.LiveView,
        ["remote-view-stop"] = Privilege.LiveView,
    };

    /// <summary>Verifies and runs one command envelope; returns the signed result to publish.</summary>
    public async Task<SignedEnvelope> HandleAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var envelope = LinkJson.TryParse<SignedEnvelope>(message.Span);
        var payload = Base64Url.TryDecode(envelope?.Payload);
        var command = payload is null ? null : LinkJson.TryParse<RemoteCommand>(payload);
        var (refusal, role) = Check(envelope, payload, command);
        if (refusal is not null)
        {
            if (refusals.Append("mqtt", envelope?.KeyId, $"{refusal}; command {RefusalLog.Bound(command?.CommandId, 64) ?? "?"}"))
            {
                LogRefused(logger, refusal);
            }

            return Sign(new CommandResult(identity.Serial, command?.CommandId, "refused", refusal, time.GetUtcNow()));
        }

        var actor = "key:" + envelope!.KeyId;
        log.Append(AcceptedKind, "mqtt", actor, $"{command!.Action} (command {command.CommandId}, role {role})");
        if (command.Action == "remote-view-start")
        {
            var (status, started, grant) = await remoteView.StartAsync(command, envelope.KeyId!, cancellationToken);
            return Sign(new CommandResult(identity.Serial, command.CommandId, status, started, time.GetUtcNow(), grant));
        }

        if (command.Action == "snapshot")
        {
            var (status, taken, picture) = await snapshot.TakeAsync(cancellationToken);
            return Sign(new CommandResult(identity.Serial, command.CommandId, status, taken, time.GetUtcNow(), Snapshot: picture));
        }

        var detail = await RunAsync(command, actor, cancellationToken);
        return Sign(new CommandResult(identity.Serial, command.CommandId, "done", detail, time.GetUtcNow()));
    }

    private (string? Refusal, Role Role) Check(SignedEnvelope? envelope, byte[]? payload, RemoteCommand? command)
    {
        if (envelope is null || payload is null || command is null || envelope.KeyId is null)
        {
            return ("malformed envelope", default);
        }

        var signature = Base64Url.TryDecode(envelope.Signature);
        if (signature is null || signature.Length == 0)
        {
            return ("unsigned", default);
        }

        if (keys.Find(envelope.KeyId) is not { } key)
        {
            return ("unknown or revoked key", default);
        }

        using (var verifier = ECDsa.Create())
        {
            verifier.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
            if (!verifier.VerifyData(payload, signature, HashAlgorithmName.SHA256))
            {
                return ("bad signature", default);
            }
        }

        if (!string.Equals(command.Serial, identity.Serial, StringComparison.Ordinal))
        {
            return ("command is for another device", default);
        }

        var now = time.GetUtcNow();
        if (command.IssuedAt is not { } issued || command.ExpiresAt is not { } expires || string.IsNullOrEmpty(command.CommandId)
            || command.CommandId.Length > 64 || string.IsNullOrEmpty(command.Nonce) || command.Action is null)
        {
            return ("incomplete command", default);
        }

        if (expires <= now || issued > now + ClockSkew || expires - issued > MaximumValidity)
        {
            return ("expired or outside its validity window", default);
        }

        if (!Actions.TryGetValue(command.Action, out var needed))
        {
            return ("unknown action", default);
        }

        if (!PermissionTable.Grants[key.Role].Contains(needed))
        {
            return ($"role {key.Role} may not {command.Action}", default);
        }

        // Last, so a refused command does not use up its id: only a command that passed every check is recorded.
        return Remember(command.CommandId, expires, now) ? (null, key.Role) : ("replayed", default);
    }

    /// <summary>Records the command id until it expires; false when it was already there (a replay).</summary>
    private bool Remember(string commandId, DateTimeOffset expires, DateTimeOffset now)
    {
        using var connection = database.OpenConnection();
        DbRows.Execute(connection, "DELETE FROM link_seen_commands WHERE expires_at < $now;", ("$now", DbTime.Format(now)));
        return DbRows.Execute(connection, "INSERT INTO link_seen_commands (command_id, expires_at) VALUES ($id, $expires) ON CONFLICT DO NOTHING;",
            ("$id", commandId), ("$expires", DbTime.Format(expires))) == 1;
    }

    private async Task<string> RunAsync(RemoteCommand command, string actor, CancellationToken cancellationToken)
    {
        var action = command.Action!;
        switch (action)
        {
            case "privacy-on":
            case "privacy-off":
                var state = await media.SetPrivacyAsync(action == "privacy-on", actor, "mqtt", cancellationToken);
                return state.Enabled ? "privacy mode on" : "privacy mode off";
            case "restart":
                restart.RequestRestart();
                return "restarting";
            case "remote-view-stop":
                return remoteView.Stop(command.SessionId) ? "remote view stopped" : "no such remote view";
            default:
                return privacy.Enabled ? "privacy mode on" : "privacy mode off";
        }
    }

    /// <summary>Binds an app key with a one-time pairing code; the answer is signed like a command result.</summary>
    public SignedEnvelope Pair(ReadOnlyMemory<byte> message)
    {
        var request = LinkJson.TryParse<PairingRequest>(message.Span);
        var publicKey = Base64Url.TryDecode(request?.PublicKey);
        var (key, refusal) = request?.Code is null || publicKey is null ? (null, "malformed pairing request") : keys.Pair(request.Code, publicKey);
        if (key is null)
        {
            refusals.Append("mqtt", null, $"pairing refused: {refusal}");
            return Sign(new CommandResult(identity.Serial, null, "refused", refusal!, time.GetUtcNow()));
        }

        log.Append(SecurityEventKinds.SettingsChanged, "mqtt", key.PairedBy, $"command key {key.KeyId} paired as {key.Role} ({key.Label})");
        return Sign(new CommandResult(identity.Serial, null, "paired", key.KeyId, time.GetUtcNow()));
    }

    /// <summary>Signs a result with the device key (ECDSA P-256, SHA-256, IEEE P1363).</summary>
    public SignedEnvelope Sign(CommandResult result)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(result, LinkMessageJson.Default.CommandResult);
        using var key = identity.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The device certificate has no private key.");
        return new SignedEnvelope(Base64Url.Encode(payload), identity.Serial, Base64Url.Encode(key.SignData(payload, HashAlgorithmName.SHA256)));
    }

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "Remote command refused: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string reason);
}
