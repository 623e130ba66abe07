using Iris.Camera.Accounts;

namespace Iris.Camera.Media;

public enum AdmissionResult
{
    Admitted,
    SessionLimit,
    AccountLimit,
    ReservedForAdministrators,
    Full,
}

/// <summary>
/// Decides who may open one more live stream, so that nobody can take every slot (see Media/README.md): at most
/// <see cref="MediaOptions.MaxStreamsPerSession"/> per session and <see cref="MediaOptions.MaxStreamsPerAccount"/>
/// per account, <see cref="MediaOptions.MaxViewers"/> in all, and the last
/// <see cref="MediaOptions.AdministratorReservedStreams"/> of those only for administrators.
/// </summary>
internal sealed class LiveViewAdmission(MediaOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perSession = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _perAccount = [];
    private int _total;

    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Takes a slot for <paramref name="session"/>; disposing <paramref name="lease"/> gives it back.</summary>
    public AdmissionResult TryAdmit(CameraSession session, out IDisposable? lease)
    {
        lease = null;
        var sessionKey = Convert.ToHexString(session.TokenHash);
        lock (_lock)
        {
            var result =
                _perSession.GetValueOrDefault(sessionKey) >= options.MaxStreamsPerSession ? AdmissionResult.SessionLimit
                : _perAccount.GetValueOrDefault(session.AccountId) >= options.MaxStreamsPerAccount ? AdmissionResult.AccountLimit
                : _total >= options.MaxViewers ? AdmissionResult.Full
                : session.Role != Role.Administrator && _total >= options.MaxViewers - options.AdministratorReservedStreams ? AdmissionResult.ReservedForAdministrators
                : AdmissionResult.Admitted;
            if (result != AdmissionResult.Admitted)
            {
                return result;
            }

            _perSession[sessionKey] = _perSession.GetValueOrDefault(sessionKey) + 1;
            _perAccount[session.AccountId] = _perAccount.GetValueOrDefault(session.AccountId) + 1;
            _total++;
        }

        lease = new Lease(this, sessionKey, session.AccountId);
        return AdmissionResult.Admitted;
    }

    private void Release(string sessionKey, long accountId)
    {
        lock (_lock)
        {
            Decrement(_perSession, sessionKey);
            Decrement(_perAccount, accountId);
            _total--;
        }
    }

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
    {
        if (--counts[key] == 0)
        {
            counts.Remove(key);
        }
    }

    private sealed class Lease(LiveViewAdmission owner, string sessionKey, long accountId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(sessionKey, accountId);
            }
        }
    }
}
