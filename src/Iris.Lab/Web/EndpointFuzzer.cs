using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Iris.Lab.Ixit;

namespace Iris.Lab.Web;

/// <summary>One malformed request: what it tries, and its bytes on the wire.</summary>
internal sealed record FuzzCase(string Name, string Method, string Target, byte[] Bytes)
{
    /// <summary>A command that sends the same bytes again (printf keeps the framing byte for byte).</summary>
    public string Reproduce(string host, int port, bool tls)
    {
        var escaped = string.Concat(Bytes.Select(b => b is >= 0x20 and < 0x7F and not (byte)'\\' and not (byte)'\'' and not (byte)'%' ? ((char)b).ToString() : $"\\x{b:x2}"));
        var client = tls ? $"openssl s_client -quiet -connect {host}:{port}" : $"nc {host} {port}";
        return escaped.Length > 600 ? $"iris-lab audit (web fuzz case '{Name}' on {Method} {Target})" : $"printf '{escaped}' | {client}";
    }
}

/// <summary>
/// Generates a bounded, seeded set of malformed requests for one declared endpoint: broken and hostile bodies of
/// the declared kind, hostile query strings and path parameters, oversized and contradictory headers, and broken
/// chunked framing. The same seed gives the same cases, so a finding reproduces.
/// </summary>
internal static partial class EndpointFuzzer
{
    private static readonly string[] PathValues = ["-1", "0", "99999999999999999999", "%00", "..%2f..%2fetc%2fpasswd", "%27%22%3c", "%ff%fe", new('A', 2000)];

    public static IReadOnlyList<FuzzCase> Cases(IxitEndpoint endpoint, string host, Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(random);
        var method = endpoint.Method is "*" or "" ? "POST" : endpoint.Method;
        var body = endpoint.Body ?? "none";
        var contentType = body switch
        {
            "form" => "application/x-www-form-urlencoded",
            "multipart" => "multipart/form-data; boundary=XyZ",
            "binary" => "application/octet-stream",
            _ => "application/json",
        };
        var generators = new List<Func<FuzzCase>>
        {
            () => Plain("truncated body", method, Path(endpoint, random), contentType, body == "multipart" ? "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc" : "{\"a\":"),
            () => Plain("deeply nested JSON", method, Path(endpoint, random), "application/json", new string('[', 5000) + new string(']', 5000)),
            () => Plain("wrong JSON types and huge numbers", method, Path(endpoint, random), "application/json", "{\"id\":1e400,\"name\":[],\"enabled\":\"maybe\",\"count\":-99999999999999999999,\"x\":{\"\":null}}"),
            () => Plain("100 kB string", method, Path(endpoint, random), contentType, "{\"value\":\"" + new string('x', 100_000) + "\"}"),
            () => Raw("random bytes", method, Path(endpoint, random), contentType, RandomBytes(random)),
            () => Plain("control characters and bad escapes in the query", method, Path(endpoint, random) + "?q=%00%01%ff%fe%c0%af&%zz=1&&=&" + new string('a', 3000) + "=1", contentType, ""),
            () => Plain("unexpected content type", method, Path(endpoint, random), "text/xml", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>"),
            () => Plain("path parameter values", method, Path(endpoint, random, hostile: true), contentType, "{}"),
            () => Plain("32 kB header", method, Path(endpoint, random), contentType, "{}", $"X-Fuzz: {new string('h', 32_768)}\r\n"),
            () => Chunked("malformed chunk size", method, Path(endpoint, random), contentType, "zz\r\n{}\r\n0\r\n\r\n"),
            () => Chunked("chunk extension and trailer", method, Path(endpoint, random), contentType, "2;ext=\"x\"\r\n{}\r\n0\r\nX-Trailer: 1\r\n\r\n"),
            () => Chunked("chunk size overflow", method, Path(endpoint, random), contentType, "fffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
            () => Framing("Content-Length and chunked together", method, Path(endpoint, random), contentType, "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"),
            () => Framing("negative Content-Length", method, Path(endpoint, random), contentType, "Content-Length: -1\r\n", ""),
            () => Plain("invalid UTF-8", method, Path(endpoint, random), contentType, "{\"v\":\"\uFFFD\"}", bodyBytes: [0x7B, 0x22, 0x76, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D]),
        };
        // A seeded shuffle picks which generators run when the bound is below their number.
        var order = generators.OrderBy(_ => random.Next()).Take(Math.Clamp(count, 1, generators.Count)).ToList();
        return [.. order.Select(g => g())];

        FuzzCase Plain(string name, string m, string target, string type, string text, string extraHeaders = "", byte[]? bodyBytes = null) =>
            Raw(name, m, target, type, bodyBytes ?? Encoding.UTF8.GetBytes(text), extraHeaders);

        FuzzCase Raw(string name, string m, string target, string type, byte[] bytes, string extraHeaders = "") =>
            Framing(name, m, target, type, string.Create(CultureInfo.InvariantCulture, $"Content-Length: {bytes.Length}\r\n") + extraHeaders, bytes);

        FuzzCase Chunked(string name, string m, string target, string type, string chunks) =>
            Framing(name, m, target, type, "Transfer-Encoding: chunked\r\n", chunks);

        FuzzCase Framing(string name, string m, string target, string type, string framing, object payload)
        {
            var head = Encoding.ASCII.GetBytes($"{m} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {type}\r\n{framing}Connection: close\r\n\r\n");
            var tail = payload as byte[] ?? Encoding.ASCII.GetBytes((string)payload);
            return new FuzzCase(name, m, target, [.. head, .. tail]);
        }
    }

    /// <summary>The path with each {parameter} filled: a plausible value, or a hostile one.</summary>
    private static string Path(IxitEndpoint endpoint, Random random, bool hostile = false) =>
        Parameter().Replace(endpoint.Path, _ => hostile ? PathValues[random.Next(PathValues.Length)] : "1");

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 2048)];
        random.NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
