namespace Iris.Camera.Media;

/// <summary>
/// Reading one query parameter strictly: absent means "not given", but a parameter that is present must carry
/// exactly one non-empty value. "?from=" or "?from=a&amp;from=b" is an error (400), never quietly "no bound":
/// on a deletion that would widen what is deleted.
/// </summary>
internal static class MediaQuery
{
    /// <summary>False when the parameter is present but empty or repeated; otherwise its value, or null when absent.</summary>
    public static bool TryGetSingle(HttpRequest request, string name, out string? value)
    {
        value = null;
        if (!request.Query.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return false;
        }

        value = values[0];
        return true;
    }
}
