using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iris.Camera.Web;

/// <summary>
/// Finds the nulls a request type says cannot be there: a property of non-nullable reference type, or an element
/// of a collection whose element type is non-nullable (<c>List&lt;Zone&gt;</c>, <c>Zone[]</c>), in nested request
/// objects too. JSON allows null anywhere and System.Text.Json stores it in such places, where validators and
/// handlers would then dereference it: without this, a null sent by a client becomes a server error.
/// </summary>
internal static class DeclaredNulls
{
    private const string Message = "This field must not be null.";
    private const int MaxDepth = 16;
    private static readonly ConcurrentDictionary<Type, Rule[]> Rules = new();

    /// <summary>Every declared-non-null place that holds null, keyed by its JSON path ("zones[2]", "a.b").</summary>
    public static Dictionary<string, string[]> Find(object value)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Walk(value, string.Empty, errors, 0);
        return errors;
    }

    private static void Walk(object value, string prefix, Dictionary<string, string[]> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var rule in RulesFor(value.GetType()))
        {
            var field = prefix + rule.JsonName;
            var member = rule.Property.GetValue(value);
            if (member is null)
            {
                if (rule.NotNull)
                {
                    errors[field] = [Message];
                }
            }
            else if (member is IEnumerable items and not string)
            {
                var index = 0;
                foreach (var item in items)
                {
                    var itemField = $"{field}[{index++}]";
                    if (item is null)
                    {
                        if (rule.ElementsNotNull)
                        {
                            errors[itemField] = [Message];
                        }
                    }
                    else if (IsRequestObject(item.GetType()))
                    {
                        Walk(item, itemField + ".", errors, depth + 1);
                    }
                }
            }
            else if (IsRequestObject(member.GetType()))
            {
                Walk(member, field + ".", errors, depth + 1);
            }
        }
    }

    // Only the daemon's own request types are walked; framework and primitive values are not.
    private static bool IsRequestObject(Type type) =>
        type.IsClass && type != typeof(string) && type.Assembly == typeof(DeclaredNulls).Assembly;

    // The types walked are request types and the objects in their properties, all built by the JSON deserializer from
    // source-generated metadata, which names each property it sets (so the trimmer keeps it); the root type's
    // public properties are also kept by JsonBody.ReadAsync's annotation. NullabilityInfoContext is switched on for
    // the trimmed build in the project file (NullabilityInfoContextSupport).
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "See above: the walked types' public properties are kept.")]
    private static Rule[] RulesFor(Type type) => Rules.GetOrAdd(type, static t =>
    {
        // NullabilityInfoContext is not thread-safe: one per computation.
        var nullability = new NullabilityInfoContext();
        return [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p =>
            {
                var info = nullability.Create(p);
                var element = info.ElementType ?? (info.GenericTypeArguments.Length == 1 ? info.GenericTypeArguments[0] : null);
                return new Rule(
                    p,
                    p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                    NotNull: !p.PropertyType.IsValueType && info.WriteState == NullabilityState.NotNull,
                    ElementsNotNull: element is not null && !element.Type.IsValueType && element.ReadState == NullabilityState.NotNull);
            })];
    });

    private sealed record Rule(PropertyInfo Property, string JsonName, bool NotNull, bool ElementsNotNull);
}
