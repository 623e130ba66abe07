using System.Text;
using Microsoft.AspNetCore.Routing;

namespace Iris.Camera.Tests.Support;

/// <summary>One generated hostile request against one endpoint.</summary>
/// <remarks>
/// <see cref="RejectedByHttpParser"/> marks requests Kestrel itself refuses before any application code runs
/// (for example a NUL byte in the path); those answer 4xx without a problem body.
/// </remarks>
public sealed record HostileRequest(string Description, HttpMethod Method, string Path, byte[]? Body, string? ContentType, bool RejectedByHttpParser = false);

/// <summary>
/// Generates hostile requests for any endpoint from its route pattern and methods: malformed, over-long and
/// hostile bodies, content types, query strings, route values and methods. Seeded, so a failure reproduces.
/// </summary>
public static class HostileInput
{
    private static readonly string[] HostileStrings =
    [
        "' OR '1'='1", "\"; DROP TABLE users; --", "<script>alert(1)</script>", "../../../../etc/passwd", "%00", "\0",
        "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "\u202Egnp.exe", "\uD800", "A" + new string('A', 5000), "-1",
        "99999999999999999999999", "NaN", "1e309", "null", "[]", "{}", "true", "\r\nSet-Cookie: a=b",
    ];

    /// <param name="routeMethods">Every method any endpoint serves on this route: those are not "wrong" methods.</param>
    public static IEnumerable<HostileRequest> For(RouteEndpoint endpoint, IReadOnlyList<string> methods, IReadOnlySet<string> routeMethods, int seed)
    {
        var random = new Random(seed);
        var pattern = endpoint.RoutePattern.RawText ?? "/";
        var path = "/" + pattern.TrimStart('/');
        var method = new HttpMethod(methods[0]);

        foreach (var (description, body) in Bodies(random))
        {
            foreach (var contentType in new[] { "application/json", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded" })
            {
                yield return new HostileRequest($"{description} as {contentType}", method, Fill(path, "1"), body, contentType);
            }
        }

        foreach (var value in HostileStrings)
        {
            yield return new HostileRequest($"query value {Describe(value)}", method, Fill(path, "1") + "?q=" + Uri.EscapeDataString(value), null, null);
            yield return new HostileRequest($"query name {Describe(value)}", method, Fill(path, "1") + "?" + Uri.EscapeDataString(value) + "=1", null, null);
            if (path.Contains('{', StringComparison.Ordinal))
            {
                var escaped = Uri.EscapeDataString(value);
                yield return new HostileRequest($"route value {Describe(value)}", method, Fill(path, escaped), null, null,
                    RejectedByHttpParser: escaped.Contains("%00", StringComparison.Ordinal));
            }
        }

        yield return new HostileRequest("encoded dot-dot segment", method, Fill(path, "1") + "/%2e%2e/%2e%2e/etc/passwd", null, null);
        yield return new HostileRequest("encoded NUL in path", method, Fill(path, "1") + "%00", null, null, RejectedByHttpParser: true);
        yield return new HostileRequest("over-long path segment", method, Fill(path, "1") + "/" + new string('x', 4000), null, null);

        foreach (var other in new[] { "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND" })
        {
            if (!routeMethods.Contains(other))
            {
                yield return new HostileRequest($"method {other}", new HttpMethod(other), Fill(path, "1"), null, null);
            }
        }
    }

    private static IEnumerable<(string, byte[])> Bodies(Random random)
    {
        yield return ("random bytes", RandomBytes(random, 256));
        yield return ("random bytes (large)", RandomBytes(random, 48 * 1024));
        yield return ("oversized JSON", Encoding.UTF8.GetBytes("{\"name\":\"" + new string('a', 200 * 1024) + "\"}"));
        yield return ("deeply nested JSON", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)));
        yield return ("invalid UTF-8", [0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]);
        yield return ("truncated JSON", "{\"name\":\"abc"u8.ToArray());
        yield return ("JSON with unknown members", "{\"isAdmin\":true,\"role\":\"administrator\",\"__proto__\":{}}"u8.ToArray());
        yield return ("JSON with wrong types", "{\"name\":[1,2,3],\"count\":\"many\",\"enabled\":\"yes\"}"u8.ToArray());
        yield return ("JSON huge number", "{\"count\":1e999999}"u8.ToArray());
        foreach (var value in HostileStrings.Take(8))
        {
            yield return ($"JSON string {Describe(value)}", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { name = value, password = value })));
        }
    }

    private static string Fill(string pattern, string value)
    {
        var builder = new StringBuilder();
        var depth = 0;
        foreach (var c in pattern)
        {
            if (c == '{')
            {
                if (depth++ == 0)
                {
                    builder.Append(value);
                }
            }
            else if (c == '}')
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Describe(string value) => value.Length > 24 ? $"({value.Length} chars)" : System.Text.Json.JsonSerializer.Serialize(value);
}
