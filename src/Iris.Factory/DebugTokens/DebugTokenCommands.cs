using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Iris.Factory.DebugTokens;

/// <summary>
/// <c>debug-token key</c> and <c>debug-token issue</c>: the vendor's half of 5.5.1.1. A token names one serial and
/// one nonce the device issued, and expires within 24 hours; it is signed by the debug key (in a PKCS#11 token
/// in production), never by a key shared with updates or the device CA.
/// </summary>
internal static class DebugTokenCommands
{
    public const string Role = "debug";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(24);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(TextWriter output)
    {
        var keyDir = FactoryCli.Required("--keys", "Directory for the debug key (debug.pem or debug.pkcs11.json, and debug.pub.pem for devices).");
        var module = new Option<string?>("--pkcs11-module") { Description = "PKCS#11 library: create the key inside a token (non-extractable)." };
        var token = new Option<string?>("--token-label") { Description = "Label of the PKCS#11 token." };
        var key = new Command("key", "Make the vendor debug key (ECDSA P-256); install debug.pub.pem on devices.") { keyDir, module, token };
        key.SetAction(result =>
        {
            var written = result.GetValue(module) is { } library
                ? Pkcs11Signer.Generate(result.GetValue(keyDir)!, Role, 1, library,
                    result.GetValue(token) ?? throw new ArgumentException("--token-label is required with --pkcs11-module."))
                : FactoryKeys.Generate(result.GetValue(keyDir)!, Role, 1);
            output.WriteLine($"debug key: {written[0]}");
            return 0;
        });

        var keys = FactoryCli.Required("--keys", "Directory holding the debug key.");
        var serial = FactoryCli.Required("--serial", "The device's serial.");
        var nonce = FactoryCli.Required("--nonce", "The nonce the device issued (POST /api/debug/nonce).");
        var hours = new Option<double>("--hours") { DefaultValueFactory = _ => 1, Description = "How long the console may stay open (at most 24)." };
        var issue = new Command("issue", "Sign a debug unlock token for one device and one nonce.") { keys, serial, nonce, hours };
        issue.SetAction(result =>
        {
            var lifetime = TimeSpan.FromHours(result.GetValue(hours));
            if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
            {
                throw new ArgumentException("--hours must be more than 0 and at most 24.");
            }

            var now = TimeProvider.System.GetUtcNow();
            output.WriteLine(Sign(FactoryKeys.LoadSigners(result.GetValue(keys)!, Role)[0], result.GetValue(serial)!, result.GetValue(nonce)!, now, now + lifetime));
            return 0;
        });
        return new Command("debug-token", "Vendor-signed, device-unique unlock tokens for the debug console.") { key, issue };
    }

    /// <summary>base64url(grant JSON) "." base64url(DER signature): the format Debug/DebugToken.cs verifies.</summary>
    public static string Sign(Iris.Firmware.Metadata.IMetadataSigner signer, string serial, string nonce, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { serial, nonce, issuedAt = issuedAt.ToUnixTimeSeconds(), expiresAt = expiresAt.ToUnixTimeSeconds() }, Json);
        return string.Create(CultureInfo.InvariantCulture, $"{System.Buffers.Text.Base64Url.EncodeToString(payload)}.{System.Buffers.Text.Base64Url.EncodeToString(signer.Sign(payload))}");
    }
}
