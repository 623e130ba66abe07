using Iris.Camera.Accounts;
using Iris.Camera.Hosting;
using Iris.Camera.Link;
using Iris.Camera.Platform;
using Iris.Camera.Updates;
using Iris.Camera.Vault;
using Iris.Camera.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// Issue 18, Deliver 1: settings are bound by the configuration binding source generator (no reflection the AOT
/// build would trim), with the rules the reflection binder had: unknown keys and wrong types are problems reported
/// together, every value shape the options use is bound.
/// </summary>
public sealed class SettingsBindingTests
{
    private static readonly string[] Sections =
    [
        "Iris:Storage", "Iris:Vault", "Iris:Device", "Iris:Https", "Iris:Privacy", "Iris:Accounts", "Iris:Media",
        "Iris:Updates", "Iris:Telemetry", "Iris:Reset", "Iris:Debug", "Iris:Cloud", "Iris:Rtsp", "Iris:SecurityTxt", "Iris:Boot",
    ];

    [Fact]
    public void EverySettingsClass_BindsThroughGeneratedCode()
    {
        var assembly = typeof(CameraApp).Assembly;
        Assert.Contains(assembly.GetTypes(), t => t.Namespace == "Microsoft.Extensions.Configuration.Binder.SourceGeneration");
        var bound = assembly.GetTypes().Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IBoundSettings<>)))
            .Select(t => (string)t.GetField("SectionName")!.GetValue(null)!).Order(StringComparer.Ordinal);
        Assert.Equal(Sections.Order(StringComparer.Ordinal), bound);
    }

    [Fact]
    public void UnknownKeyInAnySection_IsAProblemNamingSectionAndKey_AllReportedAtOnce()
    {
        var problems = Register(Sections.ToDictionary(s => s + ":NoSuchSetting", _ => (string?)"1")).Problems;

        foreach (var section in Sections)
        {
            Assert.Contains(problems, p => p.StartsWith($"Invalid settings in '{section}'", StringComparison.Ordinal) && p.Contains("NoSuchSetting", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ValueOfTheWrongType_IsAProblem_AndTheSectionKeepsItsDefaults()
    {
        var registration = Register(new() { ["Iris:Https:MaxConnections"] = "many", ["Iris:Accounts:SessionIdleTimeout"] = "soon" });

        Assert.Contains(registration.Problems, p => p.StartsWith("Invalid settings in 'Iris:Https'", StringComparison.Ordinal));
        Assert.Contains(registration.Problems, p => p.StartsWith("Invalid settings in 'Iris:Accounts'", StringComparison.Ordinal));
        Assert.Equal(512, Resolve<HttpsOptions>(registration).MaxConnections);
    }

    [Fact]
    public void EveryValueShape_IsBound()
    {
        var registration = Register(new()
        {
            ["Iris:Https:Listen"] = "127.0.0.1:9443",
            ["Iris:Https:MaxRequestBodyBytes"] = "1024",
            ["Iris:Https:HandshakeTimeout"] = "00:00:03",
            ["Iris:Accounts:LockoutAttempts"] = "7",
            ["Iris:Cloud:HomeAssistantDiscovery"] = "true",
            ["Iris:Cloud:WebhookUrl"] = "https://hooks.example/iris",
            ["Iris:Vault:Pkcs11:KeyLabel"] = "other-key",
            ["Iris:Updates:SlotImages:a"] = "/dev/mmcblk0p2",
            ["Iris:SecurityTxt:Contact:0"] = "mailto:security@vendor.example",
            ["Iris:SecurityTxt:Contact:1"] = "https://vendor.example/security",
            ["Iris:SecurityTxt:Expires"] = DateTimeOffset.UtcNow.AddDays(30).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });

        // Bound without a binding problem (the link's own check wants a CA file with a webhook; not what this tests).
        Assert.DoesNotContain(registration.Problems, p => p.StartsWith("Invalid settings", StringComparison.Ordinal));
        var https = Resolve<HttpsOptions>(registration);
        Assert.Equal("127.0.0.1:9443", https.Listen);
        Assert.Equal(1024, https.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(3), https.HandshakeTimeout);
        Assert.Equal(7, Resolve<AccountsOptions>(registration).LockoutAttempts);
        var cloud = Resolve<CloudOptions>(registration);
        Assert.True(cloud.HomeAssistantDiscovery);
        Assert.Equal(new Uri("https://hooks.example/iris"), cloud.WebhookUrl);
        Assert.Equal("other-key", Resolve<VaultOptions>(registration).Pkcs11.KeyLabel);
        Assert.Equal("/dev/mmcblk0p2", Resolve<UpdateOptions>(registration).SlotImages["a"]);
        Assert.Equal(["mailto:security@vendor.example", "https://vendor.example/security"], Resolve<SecurityTxtOptions>(registration).Contact);
    }

    [Fact]
    public void ValidationProblems_OfEverySection_AreReportedTogether()
    {
        var registration = Register(new() { ["Iris:Storage:DataDirectory"] = " ", ["Iris:Accounts:PasswordIterations"] = "1" });

        Assert.Contains(registration.Problems, p => p.Contains("Iris:Storage:DataDirectory", StringComparison.Ordinal));
        Assert.Contains(registration.Problems, p => p.Contains("PasswordIterations", StringComparison.Ordinal));
    }

    private static ModuleServices Register(Dictionary<string, string?> settings)
    {
        var registration = new ModuleServices(new ServiceCollection(), new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        foreach (var module in CameraApp.Modules)
        {
            module.AddServices(registration);
        }

        return registration;
    }

    private static T Resolve<T>(ModuleServices registration)
        where T : class => (T)registration.Services.Last(s => s.ServiceType == typeof(T)).ImplementationInstance!;
}
