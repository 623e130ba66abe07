using System.Collections.Concurrent;
using System.Security.Cryptography;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Platform;

namespace Iris.Camera.Debug;

/// <summary>Why an unlock was refused (the problem type sent to the client).</summary>
internal enum DebugRefusal
{
    None,
    NoVendorKey,
    BadSignature,
    WrongDevice,
    UnknownNonce,
    Expired,
    TooLong,
}

/// <summary>
/// The debug console's state. Closed at start (state is in memory only, and a flag file left from before is
/// removed), opened only by an administrator with a vendor token for this serial, for a nonce this device issued
/// (single use, valid 10 minutes), lasting at most 24 hours; closed at the token's expiry. Every opening and
/// closing is written to the security log and raised as an alert; every refusal is written to the security log.
/// </summary>
internal sealed class DebugConsole : IDisposable
{
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxGrant = TimeSpan.FromHours(24);

    /// <summary>How far the vendor's clock may run ahead of the device's for a token's issue time.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nonces = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly DebugOptions _options;
    private readonly DeviceIdentity _identity;
    private readonly AlertCenter _alerts;
    private readonly SecurityEventLog _log;
    private readonly TimeProvider _time;
    private readonly ECDsa? _vendorKey;
    private ITimer? _closer;

    public DebugConsole(DebugOptions options, DeviceIdentity identity, AlertCenter alerts, SecurityEventLog log, TimeProvider time)
    {
        (_options, _identity, _alerts, _log, _time) = (options, identity, alerts, log, time);
        if (options.VendorKeyFile is { } keyFile)
        {
            _vendorKey = ECDsa.Create();
            try
            {
                _vendorKey.ImportFromPem(File.ReadAllText(keyFile));
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or CryptographicException)
            {
                _vendorKey.Dispose();
                throw new StartupException($"The vendor debug key '{keyFile}' is missing or not an EC public key.", ex, StartupException.ConfigurationError);
            }
        }

        RemoveFlag();
    }

    public DateTimeOffset? OpenUntil { get; private set; }

    public bool IsOpen => OpenUntil is { } until && _time.GetUtcNow() < until;

    public (string Nonce, DateTimeOffset ExpiresAt) IssueNonce()
    {
        var now = _time.GetUtcNow();
        foreach (var stale in _nonces.Where(n => n.Value <= now).Select(n => n.Key).ToList())
        {
            _nonces.TryRemove(stale, out _);
        }

        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _nonces[nonce] = now + NonceLifetime;
        return (nonce, now + NonceLifetime);
    }

    public DebugRefusal Unlock(string token, string account, string? source)
    {
        var refusal = Check(token, out var grant);
        if (refusal != DebugRefusal.None)
        {
            // Refusals go to the security log only: an alert per refused paste would teach owners to ignore alerts.
            _log.Append("debug-unlock-refused", source, account, $"Debug console unlock refused ({refusal}).");
            return refusal;
        }

        var until = DateTimeOffset.FromUnixTimeSeconds(grant!.ExpiresAt);
        lock (_gate)
        {
            OpenUntil = until;
            _closer?.Dispose();
            _closer = _time.CreateTimer(_ => Close("expired", null, null), null, until - _time.GetUtcNow(), Timeout.InfiniteTimeSpan);
            if (_options.UnlockFlagFile is { } flag)
            {
                AtomicFile.Write(flag, System.Text.Encoding.ASCII.GetBytes(until.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + "\n"));
            }
        }

        Record("debug-console-opened", source, account, $"Debug console opened with a vendor token until {until:u}.");
        return DebugRefusal.None;
    }

    public void Close(string reason, string? account, string? source)
    {
        lock (_gate)
        {
            if (OpenUntil is null)
            {
                return;
            }

            OpenUntil = null;
            _closer?.Dispose();
            _closer = null;
            RemoveFlag();
        }

        Record("debug-console-closed", source, account, $"Debug console closed ({reason}).");
    }

    private void Record(string kind, string? source, string? account, string message)
    {
        _log.Append(kind, source, account, message);
        _alerts.Raise(kind, source, account, message);
    }

    public void Dispose()
    {
        _closer?.Dispose();
        RemoveFlag();
        _vendorKey?.Dispose();
    }

    private DebugRefusal Check(string token, out DebugGrant? grant)
    {
        grant = null;
        if (_vendorKey is null)
        {
            return DebugRefusal.NoVendorKey;
        }

        grant = DebugToken.Verify(token, _vendorKey);
        if (grant is null)
        {
            return DebugRefusal.BadSignature;
        }

        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(grant.Serial), System.Text.Encoding.UTF8.GetBytes(_identity.Serial)))
        {
            return DebugRefusal.WrongDevice;
        }

        // A nonce is spent by the first token that names it, valid or not: a token is never usable twice.
        var now = _time.GetUtcNow();
        if (!_nonces.TryRemove(grant.Nonce, out var nonceExpiry) || nonceExpiry <= now)
        {
            return DebugRefusal.UnknownNonce;
        }

        // The grant is measured from now, not only from the issue time the token claims: a token "issued" in the
        // future would otherwise open the console for longer than 24 hours from today.
        var nowSeconds = now.ToUnixTimeSeconds();
        if (grant.ExpiresAt <= grant.IssuedAt || grant.IssuedAt > nowSeconds + (long)ClockSkew.TotalSeconds
            || grant.ExpiresAt - grant.IssuedAt > (long)MaxGrant.TotalSeconds || grant.ExpiresAt - nowSeconds > (long)MaxGrant.TotalSeconds)
        {
            return DebugRefusal.TooLong;
        }

        return grant.ExpiresAt <= nowSeconds ? DebugRefusal.Expired : DebugRefusal.None;
    }

    private void RemoveFlag()
    {
        if (_options.UnlockFlagFile is { } flag && File.Exists(flag))
        {
            File.Delete(flag);
        }
    }
}
