// A deliberately bad module graph for ArchitectureTests: Low uses High and High uses Low (a cycle), and Lambda
// reaches High only inside a lambda. Nothing in the daemon references these types.
namespace Iris.Camera.Tests.Architecture.Fixture.Low
{
    internal static class LowService
    {
        public static int Use() => High.HighService.Value + 1;
    }
}

namespace Iris.Camera.Tests.Architecture.Fixture.High
{
    internal static class HighService
    {
        public static int Value => 41;

        public static int Back() => Low.LowService.Use();
    }
}

namespace Iris.Camera.Tests.Architecture.Fixture.Lambda
{
    internal static class LambdaService
    {
        public static Func<int> Later() => () => High.HighService.Value;
    }
}
