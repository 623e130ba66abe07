using System.Reflection;
using Iris.Camera.Media;
using Iris.Camera.Telemetry;

namespace Iris.Camera.Tests.Telemetry;

/// <summary>Telemetry reads Media only through <see cref="IMediaStatus"/>: no recorder, store or privacy switch within its reach.</summary>
public sealed class TelemetryBoundaryTests
{
    [Fact]
    public void TelemetryTypes_UseNoMediaTypeButIMediaStatus()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var telemetry = typeof(TelemetryService).Assembly.GetTypes().Where(t => t.Namespace == typeof(TelemetryService).Namespace).ToList();
        Assert.Contains(typeof(TelemetryCounters), telemetry);

        var used = telemetry.SelectMany(t =>
                t.GetFields(all).Select(f => f.FieldType)
                .Concat(t.GetProperties(all).Select(p => p.PropertyType))
                .Concat(t.GetConstructors(all).SelectMany(c => c.GetParameters()).Select(p => p.ParameterType))
                .Concat(t.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))))
            .SelectMany(Unwrap)
            .Where(t => t.Namespace == typeof(IMediaStatus).Namespace)
            .Distinct()
            .ToList();

        Assert.Equal([typeof(IMediaStatus)], used);
    }

    private static IEnumerable<Type> Unwrap(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Unwrap).Append(type)
        : type.HasElementType ? Unwrap(type.GetElementType()!)
        : [type];
}
