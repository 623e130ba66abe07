using System.Text.Json.Serialization.Metadata;
using Iris.Camera.Accounts;
using Iris.Camera.Debug;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Link;
using Iris.Camera.Media;
using Iris.Camera.Privacy;
using Iris.Camera.Reset;
using Iris.Camera.Rtsp;
using Iris.Camera.Telemetry;
using Iris.Camera.Updates;
using Iris.Camera.Web;

namespace Iris.Camera.Hosting;

/// <summary>
/// Every module's source-generated JSON metadata, as the only resolvers of the HTTP JSON options (issue 18): request
/// bodies and results are read and written without the reflection-based serializer, which the Native AOT daemon
/// does not have. A type no context lists fails in the JIT build's tests too (the daemon sets
/// <c>JsonSerializerIsReflectionEnabledByDefault=false</c>), not first on a device.
/// </summary>
internal static class HttpJsonContexts
{
    public static IReadOnlyList<IJsonTypeInfoResolver> Resolvers { get; } =
    [
        WebJson.Default, IdentityJson.Default, EventsJson.Default, AccountsJson.Default, MediaJson.Default, UpdatesJson.Default,
        TelemetryJson.Default, PrivacyJson.Default, ResetJson.Default, DebugJson.Default, LinkMessageJson.Default, RtspJson.Default,
        HostingJson.Default,
    ];

    /// <summary>Replaces the resolver chain (ASP.NET Core's problem-details metadata is added after this runs).</summary>
    public static IServiceCollection AddHttpJsonContexts(this IServiceCollection services) => services.ConfigureHttpJsonOptions(options =>
    {
        var chain = options.SerializerOptions.TypeInfoResolverChain;
        chain.Clear();
        foreach (var resolver in Resolvers)
        {
            chain.Add(resolver);
        }
    });
}
