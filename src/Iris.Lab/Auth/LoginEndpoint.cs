using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Audit;
using Iris.Lab.Ixit;

namespace Iris.Lab.Auth;

/// <summary>Where the declared HTTP login interface is reached: the target's port (or the first TLS port), over TLS if the TLS probe found it there.</summary>
internal sealed record LoginEndpoint(IxitLogin Login, Uri BaseAddress, X509Certificate2? Certificate)
{
    /// <summary>The endpoint, or why the login cannot be tested.</summary>
    public static LoginEndpoint? Find(AuditContext context, out string why)
    {
        ArgumentNullException.ThrowIfNull(context);
        var login = context.Ixit?.Login;
        var port = context.Target.Port ?? context.TlsPorts.Select(t => t.Port).FirstOrDefault();
        why = login is null ? "the IXIT declares no login interface" : port == 0 ? "no port to reach it on" : $"login kind '{login.Kind}' is not one the lab speaks";
        if (login is null || port == 0 || !LoginClient.Kinds.Contains(login.Kind))
        {
            return null;
        }

        var tls = context.TlsPorts.FirstOrDefault(t => t.Port == port);
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(tls is null ? "http" : "https")}://{context.Target.Host}:{port}/"));
        return new LoginEndpoint(login, baseAddress, tls?.Leaf);
    }

    public HttpClient CreateHttp(TimeSpan timeout) => LoginClient.CreateHttp(BaseAddress, timeout, Certificate);
}
