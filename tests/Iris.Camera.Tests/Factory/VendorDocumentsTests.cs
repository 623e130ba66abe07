using System.Text.RegularExpressions;
using Iris.Camera.Tests.Web;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// Issue 13, point 6: the vendor documents kept with the code have what the issue lists, and the threat model has a
/// row for every network service the camera declares, so a new service cannot ship without one.
/// </summary>
public sealed partial class VendorDocumentsTests
{
    [Fact]
    public void TheDisclosurePolicy_HasContactScopeTimelinesCoordinationSafeHarbourAndAdvisories_AndSecurityMdLinksIt()
    {
        var policy = Read("docs/vulnerability-disclosure.md");
        var security = Read("SECURITY.md");

        Assert.Equal(["How to report", "Scope", "What we do and when", "Coordinated disclosure", "Safe harbour", "Advisories and CVE assignment"], Headings(policy));
        Assert.Contains("security.txt", policy, StringComparison.Ordinal);
        Assert.Contains("[docs/vulnerability-disclosure.md](docs/vulnerability-disclosure.md)", security, StringComparison.Ordinal);
        Assert.Contains("| Acknowledgement of your report | within 5 working days |", security, StringComparison.Ordinal);
        Assert.Contains("| Fix released for Critical / High | within 30 / 60 days |", security, StringComparison.Ordinal);
    }

    [Fact]
    public void SecureDevelopment_HasEverySection_AndItsThreatModelNamesEveryDeclaredNetworkService()
    {
        var document = Read("docs/secure-development.md");
        var manifest = Read("docs/service-manifest.md");
        var threatModel = document[document.IndexOf("## Threat model per interface", StringComparison.Ordinal)..document.IndexOf("## Reviews", StringComparison.Ordinal)];
        // Every service row of the generated manifest, and RTSPS, which the default settings leave off.
        var services = ServiceRow().Matches(manifest).Select(m => m.Groups["name"].Value).Append("rtsps").Distinct().ToList();

        Assert.Equal(["Threat model per interface", "Reviews", "Tests", "Release gates", "Key ceremonies", "Incident response"], Headings(document));
        Assert.Contains("https", services);
        Assert.Contains("update-repository", services);
        Assert.All(services, service => Assert.Contains($"`{service}`", threatModel, StringComparison.Ordinal));
    }

    [Fact]
    public void TheOwnersSetupGuide_CoversTheSameTopics_InEnglishAndTraditionalChinese()
    {
        Assert.Equal(["First start", "Passwords", "Updates", "Privacy", "Reset", "Disposal", "Support period"], Headings(Read("docs/setup-guide.md")));
        Assert.Equal(["首次啟動", "密碼", "更新", "隱私", "回復原廠設定", "報廢", "支援期間"], Headings(Read("docs/setup-guide.zh-TW.md")));
    }

    private static string Read(string relative) => File.ReadAllText(Path.Combine(ServiceManifestTests.RepositoryRoot(), relative));

    private static string[] Headings(string markdown) => [.. SecondLevel().Matches(markdown).Select(m => m.Groups["title"].Value.Trim())];

    [GeneratedRegex(@"^## (?<title>.+)$", RegexOptions.Multiline)]
    private static partial Regex SecondLevel();

    [GeneratedRegex(@"^\| (?<name>[a-z][a-z0-9-]*) \| (tcp|udp) \|", RegexOptions.Multiline)]
    private static partial Regex ServiceRow();
}
