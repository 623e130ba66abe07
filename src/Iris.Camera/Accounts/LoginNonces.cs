using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Accounts;

public sealed record IssuedNonce(string Nonce, DateTimeOffset ExpiresAt);

/// <summary>A nonce, or the time the source may ask again.</summary>
public readonly record struct NonceIssue(IssuedNonce? Issued, DateTimeOffset RetryAt);

public enum NonceCheck
{
    Accepted,
    Invalid,
    Replayed,
    SourceFlooding,
}

/// <summary>
/// Login nonces (5.1.1.3) that are not a shared, scarce resource. A nonce is self-contained and MAC-protected
/// (HMAC-SHA-256 under a key made at each start): it carries its expiry and the source's epoch, and its MAC
/// covers the source it was issued to, so it is useless from anywhere else, after its lifetime, or after a
/// restart. Issuing stores nothing per nonce; each source has a small record: a token bucket that limits how
/// fast it gets nonces, and the nonces it has used (the replay cache), kept only until they expire, so a used
/// nonce is refused. Records of sources an account has signed in from are kept apart and never evicted; when
/// the table of unfamiliar sources is full, the busiest of a few sampled sources is evicted, and with its
/// record go the nonces it still holds (its epoch is gone), so eviction never opens a replay. The record of a
/// source can hold no more used nonces than it could have been issued in a lifetime; past that, only that
/// source is refused.
/// </summary>
internal sealed class LoginNonces(TimeProvider time, AccountsOptions options, KnownSources known, LoginRefusals refusals)
{
    private const int EpochBytes = 8;
    private const int IdBytes = 16;
    private const int ExpiryBytes = 8;
    private const int PayloadBytes = EpochBytes + IdBytes + ExpiryBytes;
    private const int MacBytes = 32;
    private const int EvictionSample = 8;

    /// <summary>Length of a nonce as sent: hex of epoch, id, expiry and MAC.</summary>
    public const int TextLength = 2 * (PayloadBytes + MacBytes);

    private static readonly byte[] Purpose = "iris login nonce v1"u8.ToArray();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SourceRecord> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceRecord> _unfamiliar = new(StringComparer.Ordinal);
    private readonly List<SourceRecord> _unfamiliarSlots = [];
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Used nonces one source can hold: all it can be issued within a lifetime, plus one.</summary>
    public int UsedPerSource => options.LoginNonceBurst + (int)(options.LoginNonceLifetime / options.LoginNonceInterval) + 1;

    public NonceIssue Issue(string source)
    {
        var now = time.GetUtcNow();
        var isKnown = known.IsKnownSource(source);
        ulong epoch;
        DateTimeOffset retryAt;
        bool granted;
        lock (_lock)
        {
            var record = GetOrCreate(source, isKnown, now);
            granted = record.TryTake(now, options, out retryAt);
            epoch = record.Epoch;
        }

        if (!granted)
        {
            refusals.Refused(source, LoginRefusal.NonceRate);
            return new NonceIssue(null, retryAt);
        }

        var expiresAt = now + options.LoginNonceLifetime;
        Span<byte> payload = stackalloc byte[PayloadBytes];
        BinaryPrimitives.WriteUInt64BigEndian(payload, epoch);
        RandomNumberGenerator.Fill(payload.Slice(EpochBytes, IdBytes));
        BinaryPrimitives.WriteInt64BigEndian(payload[(EpochBytes + IdBytes)..], expiresAt.ToUnixTimeMilliseconds());
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac(payload, source, mac);
        return new NonceIssue(new IssuedNonce(Convert.ToHexStringLower(payload) + Convert.ToHexStringLower(mac), expiresAt), now);
    }

    /// <summary>Accepted exactly once per nonce issued to this source, before it expires.</summary>
    public NonceCheck Consume(string nonce, string source)
    {
        var check = Check(nonce, source);
        if (check == NonceCheck.SourceFlooding)
        {
            refusals.Refused(source, LoginRefusal.NonceFlood);
        }

        return check;
    }

    private NonceCheck Check(string nonce, string source)
    {
        Span<byte> bytes = stackalloc byte[PayloadBytes + MacBytes];
        if (nonce.Length != TextLength || Convert.FromHexString(nonce, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return NonceCheck.Invalid;
        }

        var payload = bytes[..PayloadBytes];
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(payload, source, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[PayloadBytes..]))
        {
            return NonceCheck.Invalid;
        }

        var now = time.GetUtcNow();
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload[(EpochBytes + IdBytes)..]));
        if (expiresAt <= now || expiresAt > now + options.LoginNonceLifetime)
        {
            return NonceCheck.Invalid;
        }

        var epoch = BinaryPrimitives.ReadUInt64BigEndian(payload);
        var id = new UInt128(BinaryPrimitives.ReadUInt64BigEndian(payload[EpochBytes..]), BinaryPrimitives.ReadUInt64BigEndian(payload[(EpochBytes + 8)..]));
        lock (_lock)
        {
            if ((_known.GetValueOrDefault(source) ?? _unfamiliar.GetValueOrDefault(source)) is not { } record || record.Epoch != epoch)
            {
                return NonceCheck.Invalid; // Issued before the source's record was evicted: refused, never replayable.
            }

            record.PruneUsed(now);
            if (record.Used.ContainsKey(id))
            {
                return NonceCheck.Replayed;
            }

            if (record.Used.Count >= UsedPerSource)
            {
                return NonceCheck.SourceFlooding;
            }

            record.Used[id] = expiresAt;
            return NonceCheck.Accepted;
        }
    }

    private void Mac(ReadOnlySpan<byte> payload, string source, Span<byte> destination)
    {
        var sourceBytes = Encoding.UTF8.GetBytes(source);
        var input = new byte[Purpose.Length + 2 + sourceBytes.Length + payload.Length];
        Purpose.CopyTo(input, 0);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(Purpose.Length), (ushort)sourceBytes.Length);
        sourceBytes.CopyTo(input, Purpose.Length + 2);
        payload.CopyTo(input.AsSpan(Purpose.Length + 2 + sourceBytes.Length));
        HMACSHA256.HashData(_key, input, destination);
    }

    private SourceRecord GetOrCreate(string source, bool isKnown, DateTimeOffset now)
    {
        if (_known.TryGetValue(source, out var record))
        {
            return record;
        }

        if (_unfamiliar.TryGetValue(source, out record))
        {
            if (isKnown)
            {
                RemoveUnfamiliar(record);
                _known[source] = record;
            }

            return record;
        }

        record = new SourceRecord(source, BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(EpochBytes)), options.LoginNonceBurst, now);
        if (isKnown)
        {
            _known[source] = record;
            return record;
        }

        MakeRoom(now);
        record.Slot = _unfamiliarSlots.Count;
        _unfamiliarSlots.Add(record);
        _unfamiliar[source] = record;
        return record;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_unfamiliar.Count < options.LoginNonceSources)
        {
            return;
        }

        // At most once a second, drop records whose nonces have all expired: forgetting them loses nothing.
        if (now - _lastSweep >= TimeSpan.FromSeconds(1))
        {
            _lastSweep = now;
            foreach (var idle in _unfamiliar.Values.Where(r => now - r.LastIssued >= options.LoginNonceLifetime).ToList())
            {
                RemoveUnfamiliar(idle);
            }

            foreach (var idle in _known.Where(r => now - r.Value.LastIssued >= options.LoginNonceLifetime).Select(r => r.Key).ToList())
            {
                _known.Remove(idle);
            }
        }

        if (_unfamiliar.Count < options.LoginNonceSources)
        {
            return;
        }

        SourceRecord? busiest = null;
        for (var i = 0; i < EvictionSample; i++)
        {
            var candidate = _unfamiliarSlots[RandomNumberGenerator.GetInt32(_unfamiliarSlots.Count)];
            if (busiest is null || candidate.Activity(options) > busiest.Activity(options))
            {
                busiest = candidate;
            }
        }

        RemoveUnfamiliar(busiest!);
    }

    private void RemoveUnfamiliar(SourceRecord record)
    {
        _unfamiliar.Remove(record.Source);
        var last = _unfamiliarSlots[^1];
        _unfamiliarSlots[record.Slot] = last;
        last.Slot = record.Slot;
        _unfamiliarSlots.RemoveAt(_unfamiliarSlots.Count - 1);
    }

    private sealed class SourceRecord(string source, ulong epoch, int tokens, DateTimeOffset now)
    {
        public string Source { get; } = source;

        public ulong Epoch { get; } = epoch;

        public int Slot { get; set; }

        public double Tokens { get; private set; } = tokens;

        public DateTimeOffset LastRefill { get; private set; } = now;

        public DateTimeOffset LastIssued { get; private set; } = now;

        public Dictionary<UInt128, DateTimeOffset> Used { get; } = [];

        /// <summary>How much of its share the source is using: nonces taken from its bucket plus nonces used.</summary>
        public double Activity(AccountsOptions options) => options.LoginNonceBurst - Tokens + Used.Count;

        public bool TryTake(DateTimeOffset now, AccountsOptions options, out DateTimeOffset retryAt)
        {
            var refill = (now - LastRefill) / options.LoginNonceInterval;
            if (refill > 0)
            {
                Tokens = Math.Min(options.LoginNonceBurst, Tokens + refill);
                LastRefill = now;
            }

            if (Tokens < 1)
            {
                retryAt = now + (options.LoginNonceInterval * (1 - Tokens));
                return false;
            }

            Tokens--;
            LastIssued = now;
            retryAt = now;
            return true;
        }

        public void PruneUsed(DateTimeOffset now)
        {
            if (Used.Count == 0)
            {
                return;
            }

            foreach (var (id, expiresAt) in Used)
            {
                if (expiresAt <= now)
                {
                    Used.Remove(id);
                }
            }
        }
    }
}
