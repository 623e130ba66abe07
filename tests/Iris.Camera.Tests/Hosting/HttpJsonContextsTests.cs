using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Iris.Camera.Hosting;
using Iris.Camera.Web;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// Issue 18, Deliver 1: the daemon's HTTP JSON comes from source-generated contexts only. Every type an endpoint
/// reads (<c>JsonBody.ReadAsync&lt;T&gt;</c>) or answers with (<c>TypedResults.Ok/Created/Accepted&lt;T&gt;</c>) is
/// found in the compiled IL and must resolve through the application's JSON options, which hold no reflection
/// resolver: what passes here serializes the same in the Native AOT daemon.
/// </summary>
public sealed class HttpJsonContextsTests
{
    private static readonly string[] ResultFactories = ["Ok", "Created", "Accepted"];

    [Fact]
    public void HttpJsonOptions_HaveNoReflectionResolver()
    {
        var options = HttpOptions();

        Assert.DoesNotContain(options.TypeInfoResolverChain, r => r is DefaultJsonTypeInfoResolver);
        Assert.Throws<NotSupportedException>(() => options.GetTypeInfo(typeof(UnlistedType)));
    }

    [Fact]
    public void EveryRequestAndResultTypeOfAnEndpoint_HasGeneratedMetadata()
    {
        var (requests, results) = EndpointJsonTypes();
        Assert.True(requests.Count >= 15, $"found only {requests.Count} request types: the IL scan is broken");
        Assert.True(results.Count >= 30, $"found only {results.Count} result types: the IL scan is broken");
        var options = HttpOptions();

        var missing = requests.Concat(results).Where(t => !Resolves(options, t)).Select(t => t.ToString()).Order(StringComparer.Ordinal).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void AResultDeclaredAsAnInterfaceCollection_ResolvesAsItsListToo()
    {
        // ASP.NET Core writes a result whose declared type is not sealed through the metadata of its runtime type
        // (as object); the stores return List<T> behind IReadOnlyList<T>.
        var options = HttpOptions();
        var interfaces = EndpointJsonTypes().Results.Where(t => t.IsInterface && t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)).ToList();
        Assert.NotEmpty(interfaces);

        Assert.True(Resolves(options, typeof(object)));
        Assert.All(interfaces, t => Assert.True(Resolves(options, typeof(List<>).MakeGenericType(t.GetGenericArguments())), t.ToString()));
    }

    [Fact]
    public void EveryEnumWithAConverterOnItsType_NamesTheGenericStringConverter()
    {
        // The HTTP options' camel-case converter (Platform/EnumNames.cs) makes EnumConverter<T> by reflection. The
        // Native AOT binary holds that type only where generated metadata instantiates it: an enum with no converter
        // on its type, or JsonStringEnumConverter<T>. An enum with a converter of its own failed every request that
        // carried it, under AOT only (RecordingMode did).
        var enums = typeof(CameraApp).Assembly.GetTypes()
            .Select(t => (Type: t, Converter: t.GetCustomAttribute<JsonConverterAttribute>(inherit: false)?.ConverterType))
            .Where(e => e.Type.IsEnum && e.Converter is not null).ToList();
        Assert.True(enums.Count >= 4, $"found only {enums.Count} enums with a converter: the scan is broken");

        var others = enums.Where(e => e.Converter != typeof(JsonStringEnumConverter<>).MakeGenericType(e.Type)).Select(e => e.Type.ToString()).ToList();

        Assert.Empty(others);
    }

    private static JsonSerializerOptions HttpOptions()
    {
        var services = new ServiceCollection();
        services.AddIrisProblemDetails();
        services.AddHttpJsonContexts();
        return services.BuildServiceProvider().GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
    }

    private static bool Resolves(JsonSerializerOptions options, Type type)
    {
        try
        {
            return options.GetTypeInfo(type) is not null;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static (IReadOnlySet<Type> Requests, IReadOnlySet<Type> Results) EndpointJsonTypes()
    {
        using var assembly = AssemblyDefinition.ReadAssembly(typeof(CameraApp).Assembly.Location);
        var requests = new HashSet<Type>();
        var results = new HashSet<Type>();
        foreach (var method in assembly.MainModule.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            foreach (var call in method.Body.Instructions.Where(i => i.OpCode == OpCodes.Call).Select(i => i.Operand).OfType<GenericInstanceMethod>())
            {
                var declaring = call.ElementMethod.DeclaringType.FullName;
                if (declaring == typeof(JsonBody).FullName && call.Name == nameof(JsonBody.ReadAsync))
                {
                    requests.Add(ToType(call.GenericArguments[0]));
                }
                else if (declaring == "Microsoft.AspNetCore.Http.TypedResults" && ResultFactories.Contains(call.Name) && call.GenericArguments.Count == 1)
                {
                    results.Add(ToType(call.GenericArguments[0]));
                }
            }
        }

        return (requests, results);
    }

    private static Type ToType(TypeReference type) => type switch
    {
        GenericInstanceType generic => ToType(generic.ElementType).MakeGenericType([.. generic.GenericArguments.Select(ToType)]),
        ArrayType array => ToType(array.ElementType).MakeArrayType(),
        _ => typeof(CameraApp).Assembly.GetType(type.FullName.Replace('/', '+'))
            ?? Type.GetType($"{type.FullName.Replace('/', '+')}, {type.Scope.Name}")
            ?? throw new InvalidOperationException($"Cannot load {type.FullName} from {type.Scope.Name}."),
    };

    private sealed record UnlistedType(string Name);
}
