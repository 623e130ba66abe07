using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Lab.Auth;

/// <summary>
/// An HTTP (RFC 7616) or RTSP Digest challenge and the answer to it. The lab speaks Digest because cameras do:
/// MD5 is the algorithm most of them offer, so the lab must compute it to test them; it never protects anything
/// of the lab's own with it.
/// </summary>
internal sealed class DigestChallenge
{
    private readonly Dictionary<string, string> parameters;

    private DigestChallenge(Dictionary<string, string> parameters) => this.parameters = parameters;

    public string Realm => parameters.GetValueOrDefault("realm", "");

    public string Nonce => parameters.GetValueOrDefault("nonce", "");

    public string Algorithm => parameters.GetValueOrDefault("algorithm", "MD5");

    /// <summary>Reads the parameters of a "Digest ..." challenge (quoted values may hold commas); null if it is not one.</summary>
    public static DigestChallenge? Parse(string? header)
    {
        if (header is null || !header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = header["Digest ".Length..];
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = text[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                close = close < 0 ? text.Length : close;
                value = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var comma = text.IndexOf(',', i);
                comma = comma < 0 ? text.Length : comma;
                value = text[i..comma].Trim();
                i = comma;
            }

            values[name] = value;
        }

        return values.ContainsKey("nonce") ? new DigestChallenge(values) : null;
    }

    /// <summary>The Authorization value for <paramref name="method"/> on <paramref name="uri"/> (qop "auth" when offered, nc 1).</summary>
    public string Answer(string username, string password, string method, string uri)
    {
        var qop = parameters.TryGetValue("qop", out var offered) && offered.Split(',').Any(q => q.Trim() == "auth") ? "auth" : null;
        var cnonce = RandomNumberGenerator.GetHexString(16, lowercase: true);
        const string nc = "00000001";
        var ha1 = Hash($"{username}:{Realm}:{password}");
        var ha2 = Hash($"{method}:{uri}");
        var response = qop is null ? Hash($"{ha1}:{Nonce}:{ha2}") : Hash($"{ha1}:{Nonce}:{nc}:{cnonce}:{qop}:{ha2}");
        var answer = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"Digest username=\"{username}\", realm=\"{Realm}\", nonce=\"{Nonce}\", uri=\"{uri}\", algorithm={Algorithm}, response=\"{response}\""));
        if (qop is not null)
        {
            answer.Append(CultureInfo.InvariantCulture, $", qop={qop}, nc={nc}, cnonce=\"{cnonce}\"");
        }

        if (parameters.TryGetValue("opaque", out var opaque))
        {
            answer.Append(CultureInfo.InvariantCulture, $", opaque=\"{opaque}\"");
        }

        return answer.ToString();
    }

    private string Hash(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
#pragma warning disable CA5351 // MD5 is the target's protocol (RFC 2617 Digest): the lab must compute it to log in and test it.
        var digest = Algorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase) ? SHA256.HashData(bytes) : MD5.HashData(bytes);
#pragma warning restore CA5351
        return Convert.ToHexStringLower(digest);
    }
}
