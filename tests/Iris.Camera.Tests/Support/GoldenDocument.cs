using Iris.Camera.Tests.Web;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A document in docs/ that the code generates. The test fails whenever the file differs from what the code
/// generates; with IRIS_UPDATE_DOCS=1 it rewrites the file and still fails, so a run with the switch on can never
/// pass over a stale document.
/// </summary>
internal static class GoldenDocument
{
    public static void AssertMatches(string relativePath, string generated)
    {
        var path = Path.Combine(ServiceManifestTests.RepositoryRoot(), relativePath);
        var current = File.Exists(path) ? File.ReadAllText(path) : null;
        if (current == generated)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("IRIS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
            Assert.Fail($"{relativePath} was out of date and has been regenerated; review it and run the tests again.");
        }

        Assert.Equal(generated, current);
    }
}
