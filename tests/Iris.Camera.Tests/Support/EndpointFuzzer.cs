using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// One generated malformed request. <see cref="MustRefuse"/> marks requests the device must answer 4xx whoever
/// sends them (a malformation the contract refuses: wrong method, undeclared or repeated query parameter, a body
/// where none is taken, broken JSON or framing, an id that cannot exist). Others may be valid input (a null for
/// an optional field, an odd value of a declared parameter): they must not fail, but may succeed.
/// </summary>
public sealed record FuzzCase(
    string Endpoint,
    string Description,
    string Method,
    string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    bool MustRefuse,
    bool RawFraming = false)
{
    public bool IsHead => Method == "HEAD";

    /// <summary>The request as bytes on the wire; header values are Latin-1 so a case can carry any byte.</summary>
    public byte[] ToBytes(string authority, SignedInClient? session)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{Method} {Target} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {authority}\r\n");
        if (session is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Cookie: {session.CookieHeader}\r\n")
                .Append(CultureInfo.InvariantCulture, $"X-CSRF-Token: {session.CsrfToken}\r\n");
        }

        foreach (var (name, value) in Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (Body is not null && !RawFraming)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {Body.Length}\r\n");
        }

        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. Body ?? []];
    }

    public override string ToString()
    {
        var target = Target.Length > 160 ? Target[..160] + $"…({Target.Length} chars)" : Target;
        var headers = string.Join("; ", Headers.Select(h => h.Key + ": " + (h.Value.Length > 60 ? h.Value[..60] + $"…({h.Value.Length} chars)" : h.Value)));
        var body = Body is null ? "" : " body " + Preview(Body);
        return $"{Method} {target} [{Description}]{(headers.Length > 0 ? " headers " + headers : "")}{body}";
    }

    private static string Preview(byte[] body)
    {
        var text = new StringBuilder();
        foreach (var b in body.Take(120))
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return $"({body.Length} bytes) {text}{(body.Length > 120 ? "…" : "")}";
    }
}

/// <summary>
/// Generates malformed requests for every endpoint from its metadata: route pattern and parameter constraints,
/// methods, access rule, accepted content types and request type (IAcceptsMetadata), declared query parameters.
/// Bodies (wrong JSON types, nulls, null elements, huge and non-finite numbers, deep nesting, huge strings,
/// invalid UTF-8, wrong content types), query strings (undeclared, repeated, empty, huge), paths (bad ids, %00,
/// %2e, very long), headers (oversized, duplicated, malformed) and chunked framing (bad sizes). Every choice
/// comes from the given <see cref="Random"/>, so a seed reproduces a run.
/// </summary>
public static class EndpointFuzzer
{
    private static readonly string[] HostileStrings =
    [
        "' OR '1'='1", "\"; DROP TABLE accounts; --", "<script>alert(1)</script>", "../../../../etc/passwd", "\0", "\u0007",
        "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "\u202Egnp.exe", "\uFEFF", "%00", "\r\nSet-Cookie: a=b", "😀", "\u0000\uFFFF",
    ];

    private static readonly string[] OtherMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FUZZ"];

    /// <summary>Every case for every endpoint, each endpoint's list shuffled; then interleaved so any prefix covers all endpoints.</summary>
    public static IReadOnlyList<FuzzCase> Generate(IReadOnlyList<RouteEndpoint> endpoints, Random random)
    {
        var perEndpoint = endpoints
            .Select(e => For(e, endpoints, random).ToList())
            .Select(list => list.OrderBy(_ => random.Next()).ToList())
            .ToList();
        var interleaved = new List<FuzzCase>();
        for (var i = 0; perEndpoint.Any(l => i < l.Count); i++)
        {
            interleaved.AddRange(perEndpoint.Where(l => i < l.Count).Select(l => l[i]));
        }

        return interleaved;
    }

    public static IEnumerable<FuzzCase> For(RouteEndpoint endpoint, IReadOnlyList<RouteEndpoint> all, Random random)
    {
        var pattern = endpoint.RoutePattern;
        var name = pattern.RawText ?? "/";
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
        var method = methods[0];
        var rule = endpoint.Metadata.GetMetadata<AccessRule>();
        var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
        var query = endpoint.Metadata.GetMetadata<AllowedQueryMetadata>()?.Names.Order(StringComparer.Ordinal).ToList() ?? [];
        var safe = method is "GET";
        var path = Path(pattern, p => Nonexistent(p, random));
        FuzzCase Case(string description, string target, bool mustRefuse, byte[]? body = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null, string? m = null, bool raw = false) =>
            new(name, description, m ?? method, target, headers ?? [], body, mustRefuse, raw);

        // Methods the path does not take.
        var routeMethods = all.Where(e => e.RoutePattern.RawText == pattern.RawText)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var other in OtherMethods.Where(m => !routeMethods.Contains(m)))
        {
            yield return Case($"method {other}", path, mustRefuse: true, m: other);
        }

        // Query strings.
        foreach (var value in Pick(random, HostileStrings, 3).Append(new string('q', 3000)))
        {
            yield return Case($"undeclared query name {Show(value)}", path + "?" + Uri.EscapeDataString(value) + "=1", mustRefuse: true);
        }

        yield return Case("undeclared query name, repeated", path + "?zz=1&zz=2", mustRefuse: true);
        yield return Case("empty query name", path + "?=1", mustRefuse: true);
        yield return Case("query name of invalid UTF-8", path + "?%C3%28%FF=1", mustRefuse: true);
        yield return Case("raw space and quote in the query", path + "?a=\"b c\"", mustRefuse: true);
        foreach (var declared in query)
        {
            yield return Case($"declared query '{declared}' repeated", $"{path}?{declared}=1&{declared}=2", mustRefuse: true);
            yield return Case($"declared query '{declared}' with an undeclared one", $"{path}?{declared}=1&zz=1", mustRefuse: true);
            if (safe)
            {
                yield return Case($"declared query '{declared}' empty", $"{path}?{declared}=", mustRefuse: false);
                yield return Case($"declared query '{declared}' huge", $"{path}?{declared}={new string('9', 6000)}", mustRefuse: false);
                foreach (var value in Pick(random, HostileStrings, 3).Concat(["-1", "99999999999999999999999", "NaN", "1e309", "2024-13-45T99:99:99Z", "true false"]))
                {
                    yield return Case($"declared query '{declared}' = {Show(value)}", $"{path}?{declared}={Uri.EscapeDataString(value)}", mustRefuse: false);
                }
            }
        }

        // Paths: bad route values, then bad suffixes. None of these can name an existing resource.
        foreach (var parameter in pattern.Parameters)
        {
            foreach (var value in Pick(random, HostileStrings, 4).Select(Uri.EscapeDataString)
                .Concat(["%00", "..%2f..%2f", "%2f", "-1", "0", "99999999999999999999", "1.5", "%FF%FE", "%20", new string('x', 3000)]))
            {
                yield return Case($"route value {{{parameter.Name}}} = {Show(value)}", Path(pattern, p => p.Name == parameter.Name ? value : Nonexistent(p, random)), mustRefuse: true);
            }

            // A dot segment, even percent-encoded, is removed before routing (RFC 3986 5.2.4): the path then names
            // its parent, which may well exist. Only safe to send where the method changes nothing.
            if (safe)
            {
                foreach (var value in new[] { "%2e", "%2e%2e", "%2E%2e%2f" })
                {
                    yield return Case($"route value {{{parameter.Name}}} = dot segment {Show(value)}", Path(pattern, p => p.Name == parameter.Name ? value : Nonexistent(p, random)), mustRefuse: false);
                }
            }
        }

        yield return Case("NUL in the path", path + "/%00", mustRefuse: true);
        yield return Case("encoded dot segments", path + "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", mustRefuse: true);
        yield return Case("very long path", path + "/" + new string('p', 9000), mustRefuse: true);
        yield return Case("long path segment", path + "/" + new string('p', 4000), mustRefuse: true);
        yield return Case("double slash", path.Replace("/api/", "/api//", StringComparison.Ordinal) + "//", mustRefuse: true);

        // Headers Kestrel or the access check must refuse.
        yield return Case("oversized header", path, mustRefuse: true, headers: [new("X-Fuzz", new string('h', 20 * 1024))]);
        yield return Case("too many headers", path, mustRefuse: true, headers: [.. Enumerable.Range(0, 80).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", "1"))]);
        yield return Case("duplicated Host", path, mustRefuse: true, headers: [new("Host", "other.example")]);
        yield return Case("duplicated Content-Length", path, mustRefuse: true, body: "{}"u8.ToArray(), raw: true, headers: [new("Content-Length", "2"), new("Content-Length", "3")]);
        yield return Case("non-numeric Content-Length", path, mustRefuse: true, body: [], raw: true, headers: [new("Content-Length", "abc")]);
        yield return Case("huge Content-Length", path, mustRefuse: true, body: [], raw: true, headers: [new("Content-Length", "99999999999999999999")]);
        yield return Case("header name with a space", path, mustRefuse: true, headers: [new("X Fuzz", "1")]);
        yield return Case("NUL in a header value", path, mustRefuse: true, headers: [new("X-Fuzz", "a\0b")]);
        yield return Case("folded header", path, mustRefuse: true, headers: [new("X-Fuzz", "a\r\n b")]);
        yield return Case("non-ASCII header value", path, mustRefuse: true, headers: [new("X-Fuzz", "\u00C3\u0028\u00FF")]);
        if (rule?.Kind is not AccessKind.Anonymous && !safe)
        {
            yield return Case("duplicated anti-forgery header", path, mustRefuse: true, headers: [new("X-CSRF-Token", "a"), new("X-CSRF-Token", "b")]);
        }

        if (safe)
        {
            yield return Case("duplicated Accept and odd Accept-Encoding", path, mustRefuse: false, headers: [new("Accept", "application/xml"), new("Accept", "*/*;q=abc"), new("Accept-Encoding", "gzip;q=2, br;q=-1")]);
            yield return Case("malformed cookies", path, mustRefuse: false, headers: [new("Cookie", "__Host-iris-session=" + new string('%', 200) + "; =; ;;a")]);
            yield return Case("Range header", path, mustRefuse: false, headers: [new("Range", "bytes=99999999999999999999-1,-5,a-b")]);
        }

        // Chunked framing the server must refuse.
        foreach (var (description, framing, te) in new[]
        {
            ("chunk size that overflows", "FFFFFFFFFFFFFFFFFFFF\r\n", "chunked"),
            ("negative chunk size", "-1\r\n\r\n", "chunked"),
            ("non-hex chunk size", "zz\r\n\r\n", "chunked"),
            ("0x chunk size", "0x10\r\n\r\n", "chunked"),
            ("chunk longer than its size", "3\r\nabcdef\r\n0\r\n\r\n", "chunked"),
            ("chunk size with a bad extension", "1;\0\r\n[\r\n0\r\n\r\n", "chunked"),
            ("transfer coding not ending in chunked", "1\r\n[\r\n0\r\n\r\n", "gzip"),
            ("unknown transfer coding", "1\r\n[\r\n0\r\n\r\n", "fuzz, chunked"),
        })
        {
            var content = JsonBody.MediaType;
            yield return Case(description, path, mustRefuse: true, body: Encoding.Latin1.GetBytes(framing), raw: true,
                headers: [new("Content-Type", content), new("Transfer-Encoding", te)]);
        }

        yield return Case("chunked and Content-Length together", path, mustRefuse: true, body: "1\r\n[\r\n0\r\n\r\n"u8.ToArray(), raw: true,
            headers: [new("Content-Type", JsonBody.MediaType), new("Transfer-Encoding", "chunked"), new("Content-Length", "3")]);

        // Bodies.
        if (accepts is null)
        {
            yield return Case("body where none is taken (JSON)", path, mustRefuse: true, body: "{}"u8.ToArray(), headers: [new("Content-Type", "application/json")]);
            yield return Case("body where none is taken (random bytes)", path, mustRefuse: true, body: RandomBytes(random, 512), headers: [new("Content-Type", "application/octet-stream")]);
            yield return Case("body where none is taken (no type)", path, mustRefuse: true, body: "x"u8.ToArray());
            yield break;
        }

        foreach (var (description, body, mustRefuse) in Bodies(accepts.RequestType, random))
        {
            yield return Case(description, path, mustRefuse, body: body, headers: [new("Content-Type", accepts.ContentTypes.Count > 0 ? accepts.ContentTypes[0] : JsonBody.MediaType)]);
        }

        var broken = "{\"a\":"u8.ToArray();
        foreach (var contentType in new[] { "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "APPLICATION/JSON", "application/json, text/plain", "", "application/json;;;=;" })
        {
            yield return Case($"broken JSON as '{contentType}'", path, mustRefuse: true, body: broken, headers: contentType.Length == 0 ? [] : [new("Content-Type", contentType)]);
        }
    }

    /// <summary>Whole-body and per-field malformations for a JSON request type.</summary>
    private static IEnumerable<(string Description, byte[] Body, bool MustRefuse)> Bodies(Type? requestType, Random random)
    {
        yield return ("invalid UTF-8", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D], true);
        yield return ("truncated JSON", "{\"a\":\"abc"u8.ToArray(), true);
        yield return ("empty body", [], true);
        yield return ("JSON null", "null"u8.ToArray(), true);
        yield return ("JSON array", "[]"u8.ToArray(), true);
        yield return ("JSON string", "\"x\""u8.ToArray(), true);
        yield return ("JSON number", "1e999"u8.ToArray(), true);
        yield return ("deep nesting", Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000)), true);
        yield return ("deep object nesting", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)), true);
        yield return ("unknown member", "{\"isAdmin\":true,\"__proto__\":{}}"u8.ToArray(), true);
        yield return ("comment", "{/* c */}"u8.ToArray(), true);
        yield return ("trailing comma", "{\"a\":1,}"u8.ToArray(), true);
        yield return ("single quotes", "{'a':1}"u8.ToArray(), true);
        yield return ("NaN literal", "{\"a\":NaN}"u8.ToArray(), true);
        yield return ("byte order mark and garbage", [0xEF, 0xBB, 0xBF, 0x00, 0x01], true);
        yield return ("body over the size limit", Encoding.ASCII.GetBytes("{\"a\":\"" + new string('a', 70 * 1024) + "\"}"), true);
        yield return ("random bytes", RandomBytes(random, 300), true);
        yield return ("empty object", "{}"u8.ToArray(), false);
        if (requestType is null)
        {
            yield break;
        }

        foreach (var (field, type, nullable) in Fields(requestType, depth: 0))
        {
            foreach (var (description, json, mustRefuse) in Mutations(type, nullable, random))
            {
                yield return ($"field '{field}': {description}", Encoding.UTF8.GetBytes(Nest(field, json)), mustRefuse);
            }
        }
    }

    /// <summary>The fields of a request type, nested ones as "a.b" and list elements as "a[].b" (one level deep).</summary>
    private static IEnumerable<(string Field, Type Type, bool Nullable)> Fields(Type type, int depth)
    {
        var nullability = new NullabilityInfoContext();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null || nullability.Create(property).WriteState != NullabilityState.NotNull;
            yield return (name, property.PropertyType, nullable);
            var element = ElementType(property.PropertyType);
            var inner = element ?? property.PropertyType;
            if (depth == 0 && inner.IsClass && inner != typeof(string) && inner.Assembly == typeof(JsonBody).Assembly)
            {
                foreach (var (field, fieldType, fieldNullable) in Fields(inner, depth + 1))
                {
                    yield return ((element is null ? name + "." : name + "[].") + field, fieldType, fieldNullable);
                }
            }
        }
    }

    private static IEnumerable<(string Description, string Json, bool MustRefuse)> Mutations(Type type, bool nullable, Random random)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        yield return ("null", "null", !nullable);
        yield return ("deep nesting", new string('[', 64) + new string(']', 64), true);
        if (underlying == typeof(string))
        {
            yield return ("number", "12345", true);
            yield return ("object", "{}", true);
            yield return ("huge string", JsonSerializer.Serialize(new string('s', 60 * 1024 - 64)), false);
            foreach (var value in Pick(random, HostileStrings, 4))
            {
                yield return ($"string {Show(value)}", JsonSerializer.Serialize(value), false);
            }

            yield return ("lone surrogate", "\"a\\ud800b\"", false);
        }
        else if (underlying == typeof(bool))
        {
            yield return ("string", "\"yes\"", true);
            yield return ("number", "1", true);
        }
        else if (underlying.IsEnum)
        {
            yield return ("number", "5", true);
            yield return ("unknown name", "\"no-such-value\"", true);
            yield return ("empty name", "\"\"", true);
        }
        else if (IsNumber(underlying))
        {
            yield return ("number too large for any type", "1e999", true);
            yield return ("integer beyond 64 bits", "99999999999999999999999", true);
            yield return ("NaN as a string", "\"NaN\"", true);
            yield return ("Infinity as a string", "\"-Infinity\"", true);
            yield return ("number in a string", "\"12\"", true);
            yield return ("boolean", "true", true);
            yield return ("extreme value", Pick(random, ["-1", "0", "2147483648", "-9223372036854775808", "1e308", "5e-324", "-0"], 1)[0], false);
        }
        else if (ElementType(type) is { } element)
        {
            yield return ("object instead of a list", "{}", true);
            yield return ("string instead of a list", "\"x\"", true);
            yield return ("null element", "[null]", false);
            yield return ("many elements", "[" + string.Join(",", Enumerable.Repeat(element == typeof(string) ? "\"e\"" : IsNumber(element) ? "1" : "{}", 2000)) + "]", false);
            yield return ("nested lists", "[[[[[]]]]]", true);
        }
        else
        {
            yield return ("list instead of an object", "[]", true);
            yield return ("string instead of an object", "\"x\"", true);
            yield return ("empty object", "{}", false);
        }
    }

    private static string Nest(string field, string json)
    {
        // "a.b" -> {"a":{"b":json}}, "a[].b" -> {"a":[{"b":json}]}
        var parts = field.Split('.');
        var result = json;
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            var part = parts[i];
            result = part.EndsWith("[]", StringComparison.Ordinal)
                ? $"{{\"{part[..^2]}\":[{result}]}}"
                : $"{{\"{part}\":{result}}}";
        }

        return result;
    }

    private static string Path(RoutePattern pattern, Func<RoutePatternParameterPart, string> value)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => value(parameter),
                    _ => string.Empty,
                });
            }
        }

        // A pattern mapped as "/api/x/" (a group's root) ends with a slash.
        return pattern.RawText?.EndsWith('/') == true && path.Length > 1 ? path + "/" : path.Length == 0 ? "/" : path.ToString();
    }

    private static string Nonexistent(RoutePatternParameterPart parameter, Random random) =>
        parameter.ParameterPolicies.Any(p => p.Content is "long" or "int")
            ? (900_000_000 + random.Next(99_999_999)).ToString(CultureInfo.InvariantCulture)
            : "no-such-" + new string([.. Enumerable.Range(0, 8).Select(_ => (char)('a' + random.Next(26)))]);

    private static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0]
        : null;

    private static bool IsNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float) || type == typeof(decimal)
        || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong);

    private static IReadOnlyList<string> Pick(Random random, IReadOnlyList<string> values, int count) =>
        [.. values.OrderBy(_ => random.Next()).Take(count)];

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Show(string value) => value.Length > 24 ? $"({value.Length} chars)" : JsonSerializer.Serialize(value);
}
