using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Iris.Camera.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Iris.Camera.Web;

/// <summary>The result of reading a request body: a validated value, or the problem to answer with.</summary>
internal readonly record struct BodyRead<T>(T? Value, IResult? Problem)
    where T : class
{
    public bool Succeeded => Problem is null && Value is not null;
}

/// <summary>
/// The shared way every endpoint reads a JSON body (5.5.2.1): strict JSON (no unknown members, no comments, no
/// numbers in strings, bounded depth), then nulls where the type declares none (<see cref="DeclaredNulls"/>), then
/// DataAnnotations on the result (required, lengths, ranges, patterns, <see cref="PlainTextAttribute"/>). Every
/// refusal is a 400 problem naming the field, never an exception.
/// Request size is bounded by Kestrel's MaxRequestBodySize before this runs.
/// </summary>
internal static class JsonBody
{
    public const string MediaType = "application/json";

    public static JsonSerializerOptions StrictOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 8,
        PropertyNameCaseInsensitive = false,
        AllowDuplicateProperties = false,
        Converters = { EnumNames.CamelCase(allowIntegerValues: false) },
    };

    // The strict rules with the application's source-generated metadata (its HTTP JSON resolver chain), made once.
    private static readonly ConditionalWeakTable<IJsonTypeInfoResolver, JsonSerializerOptions> Strict = new();

    private static JsonSerializerOptions StrictFor(HttpContext http) => Strict.GetValue(
        http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions.TypeInfoResolver!,
        resolver => new JsonSerializerOptions(StrictOptions) { TypeInfoResolver = resolver });

    // T's public properties are kept by the trimmer for the reflection that follows the (source-generated) read:
    // DeclaredNulls and DataAnnotations. Every request type also has JSON metadata (HttpJsonContexts).
    public static async Task<BodyRead<T>> ReadAsync<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(mediaType, MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return Fail<T>(Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "The request body must be JSON.", $"Send Content-Type: {MediaType}."));
        }

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(request.Body, StrictFor(request.HttpContext).Info<T>(), cancellationToken);
        }
        catch (JsonException ex)
        {
            return Fail<T>(FieldProblem(ex.Path is null or "$" ? "$" : ex.Path, DescribeJsonError(ex)));
        }

        if (value is null)
        {
            return Fail<T>(FieldProblem("$", "The body must be a JSON object."));
        }

        // Nulls first: validators of the request type may dereference what the type says is never null.
        var errors = DeclaredNulls.Find(value);
        if (errors.Count == 0)
        {
            errors = Validate(value);
        }

        return errors.Count == 0
            ? new BodyRead<T>(value, null)
            : Fail<T>(TypedResults.ValidationProblem(errors, title: "The request has invalid fields.", type: Problems.TypePrefix + "invalid-field"));
    }

    /// <summary>Runs DataAnnotations and keys each error by its JSON field name.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Validator reads the public properties of the request type and their validation attributes; ReadAsync's annotation keeps them (the AOT daemon's request tests show it).")]
    public static Dictionary<string, string[]> Validate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T value)
        where T : class
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            foreach (var member in result.MemberNames.DefaultIfEmpty(string.Empty))
            {
                var field = member.Length == 0 ? "$" : JsonNamingPolicy.CamelCase.ConvertName(member);
                errors[field] = [.. errors.GetValueOrDefault(field, []), result.ErrorMessage ?? "Invalid value."];
            }
        }

        return errors;
    }

    private static string DescribeJsonError(JsonException ex) =>
        ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "This field is not accepted."
        : ex.Message.Contains("maximum configured depth", StringComparison.Ordinal) ? "The body is nested too deeply."
        : ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "This field appears more than once."
        : ex.LineNumber is null ? "The body is not valid JSON."
        : "This field has the wrong type or the body is not valid JSON.";

    private static ValidationProblem FieldProblem(string path, string message)
    {
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        return TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [message] },
            title: "The request body is not acceptable.",
            type: Problems.TypePrefix + "invalid-body");
    }

    private static BodyRead<T> Fail<T>(IResult problem)
        where T : class => new(null, problem);
}

/// <summary>Refuses control characters, lone surrogates and bidirectional overrides in a string field.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class PlainTextAttribute : ValidationAttribute
{
    public PlainTextAttribute()
        : base("The field {0} contains characters that are not allowed.")
    {
    }

    public override bool IsValid(object? value)
    {
        if (value is not string text)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
