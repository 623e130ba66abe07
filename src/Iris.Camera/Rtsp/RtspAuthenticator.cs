using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Web;

namespace Iris.Camera.Rtsp;

internal enum RtspAuthResult
{
    Accepted,

    /// <summary>No credentials, or not Basic: 401 with the challenge.</summary>
    Missing,

    /// <summary>Wrong password, unknown or disabled account: 401, as for every failure.</summary>
    Failed,

    /// <summary>Too many failures: 503 with Retry-After.</summary>
    Throttled,

    /// <summary>Signed in, but the role may not watch or the account must first change its password: 403.</summary>
    Forbidden,
}

/// <summary>An RTSPS connection's sign-in: an ordinary camera session, ended with the connection.</summary>
internal sealed record RtspLogin(CameraSession Session, byte[] CredentialHash);

internal sealed record RtspAuthOutcome(RtspAuthResult Result, RtspLogin? Login = null, DateTimeOffset? RetryAt = null);

/// <summary>
/// Authentication of RTSPS clients with the camera's accounts (see Rtsp/README.md for why Basic inside TLS and not
/// Digest): each connection signs in once through <see cref="LoginService"/>, so the same throttle, lockout,
/// security events and alerts apply as to a web login, and gets a real session, so disabling the account, changing
/// its password or revoking its sessions ends the stream. Later requests on the connection must carry the same
/// credentials, compared as SHA-256 hashes in constant time; different ones sign in again.
/// </summary>
internal sealed class RtspAuthenticator(LoginService logins, SessionStore sessions)
{
    private const int MaxCredentialLength = 512;

    /// <summary>How the security log names sign-ins over RTSPS (in each record's detail), apart from web logins.</summary>
    public const string Channel = "rtsps";

    public static string Challenge => "Basic realm=\"Iris camera\", charset=\"UTF-8\"";

    /// <summary>Whether this request carries the credentials the connection signed in with.</summary>
    public static bool Matches(RtspLogin login, string? authorization) =>
        authorization is { Length: <= MaxCredentialLength } && CryptographicOperations.FixedTimeEquals(Hash(authorization), login.CredentialHash);

    public async Task<RtspAuthOutcome> SignInAsync(string? authorization, string source, CancellationToken cancellationToken)
    {
        if (!TryReadBasic(authorization, out var username, out var password))
        {
            return new RtspAuthOutcome(RtspAuthResult.Missing);
        }

        var outcome = await logins.AttemptWithoutNonceAsync(username, password, source, Channel, cancellationToken);
        switch (outcome.Result)
        {
            case LoginResult.Succeeded:
                break;
            case LoginResult.Throttled:
            case LoginResult.Busy:
                return new RtspAuthOutcome(RtspAuthResult.Throttled, RetryAt: outcome.RetryAt);
            default:
                return new RtspAuthOutcome(RtspAuthResult.Failed);
        }

        var session = sessions.Find(outcome.Session!.Token);
        if (session is null)
        {
            return new RtspAuthOutcome(RtspAuthResult.Failed);
        }

        // The same rule as the live-view endpoint: a full session whose role grants LiveView.
        if (!PermissionTable.Allows(new AccessRule(AccessKind.Permission, Privilege.LiveView, "RTSPS live video"), session))
        {
            sessions.Revoke(session.TokenHash);
            return new RtspAuthOutcome(RtspAuthResult.Forbidden);
        }

        return new RtspAuthOutcome(RtspAuthResult.Accepted, new RtspLogin(session, Hash(authorization!)));
    }

    private static bool TryReadBasic(string? authorization, out string username, out string password)
    {
        username = password = "";
        if (authorization is null || authorization.Length > MaxCredentialLength ||
            !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var decoded = new byte[MaxCredentialLength];
        if (!Convert.TryFromBase64String(authorization[6..].Trim(), decoded, out var length))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        username = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    private static byte[] Hash(string authorization) => SHA256.HashData(Encoding.UTF8.GetBytes(authorization));
}
