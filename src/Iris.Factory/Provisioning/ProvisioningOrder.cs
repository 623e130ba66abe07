using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Shared;

namespace Iris.Factory.Provisioning;

/// <summary>
/// One production order: what is built (model name and serial prefix, vendor), how many, and where the owner
/// sets the camera up (printed in the label's QR code). Read from a JSON file the planning system writes.
/// </summary>
internal sealed record ProvisioningOrder(string Order, string Model, string Prefix, string Vendor, int Count, string SetupUrl)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static ProvisioningOrder Load(string path)
    {
        var order = JsonSerializer.Deserialize<ProvisioningOrder>(File.ReadAllBytes(path), Json)
            ?? throw new InvalidDataException($"'{path}' is not an order.");
        var problems = order.Validate().ToList();
        return problems.Count == 0 ? order : throw new InvalidDataException($"Order '{path}': {string.Join("; ", problems)}");
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Order) || Order.Length > 64)
        {
            yield return "order must be 1-64 characters";
        }

        if (string.IsNullOrWhiteSpace(Model) || Model.Length > 64)
        {
            yield return "model must be 1-64 characters";
        }

        if (!FactorySerial.IsValidPrefix(Prefix ?? ""))
        {
            yield return "prefix must be 2-6 capital letters or digits, starting with a letter, not DEV";
        }

        if (string.IsNullOrWhiteSpace(Vendor) || Vendor.Length > 64)
        {
            yield return "vendor must be 1-64 characters";
        }

        if (Count is < 1 or > 100_000)
        {
            yield return "count must be between 1 and 100000";
        }

        if (!Uri.TryCreate(SetupUrl, UriKind.Absolute, out var setup) || setup.Scheme != Uri.UriSchemeHttps)
        {
            yield return "setupUrl must be an absolute https URL";
        }
    }
}
