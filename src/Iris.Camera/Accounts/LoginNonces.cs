using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Iris.Camera.Accounts;

/// <summary>
/// Single-use login nonces with a short lifetime (5.1.1.3): a login request carries one, and using it consumes
/// it, so a captured login request replayed later is refused. Bounded, so issuing nonces cannot exhaust memory.
/// </summary>
internal sealed class LoginNonces(TimeProvider time, AccountsOptions options)
{
    public const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _live = new(StringComparer.Ordinal);

    /// <summary>A new nonce, or null when too many are outstanding (the caller answers 429).</summary>
    public (string Nonce, DateTimeOffset ExpiresAt)? Issue()
    {
        var now = time.GetUtcNow();
        if (_live.Count >= Capacity)
        {
            foreach (var (key, expiry) in _live)
            {
                if (expiry <= now)
                {
                    _live.TryRemove(key, out _);
                }
            }

            if (_live.Count >= Capacity)
            {
                return null;
            }
        }

        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var expiresAt = now + options.LoginNonceLifetime;
        _live[nonce] = expiresAt;
        return (nonce, expiresAt);
    }

    /// <summary>True exactly once per issued, unexpired nonce.</summary>
    public bool Consume(string nonce) =>
        _live.TryRemove(nonce, out var expiresAt) && expiresAt > time.GetUtcNow();
}
