using Iris.Camera.Accounts;

namespace Iris.Camera.Tests.Support;

/// <summary>A client holding one session: its cookies and anti-CSRF header are sent with every request.</summary>
public sealed class SignedInClient(HttpClient http, string cookieHeader, string csrfToken) : IDisposable
{
    public HttpClient Http { get; } = http;

    public string CookieHeader { get; } = cookieHeader;

    public string CsrfToken { get; } = csrfToken;

    public void Dispose() => Http.Dispose();
}

/// <summary>Captures the default password the camera shows once on its first start.</summary>
public sealed class CapturedDefaultPassword : IDefaultPasswordDisplay
{
    public string? Password { get; private set; }

    public int TimesShown { get; private set; }

    public void Show(string serial, string defaultPassword)
    {
        Password = defaultPassword;
        TimesShown++;
    }
}
