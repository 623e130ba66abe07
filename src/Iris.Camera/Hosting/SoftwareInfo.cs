using System.Reflection;

namespace Iris.Camera.Hosting;

/// <summary>The running software's version, from the assembly (set once in Directory.Build.props).</summary>
public sealed class SoftwareInfo
{
    public string Version { get; } =
        typeof(SoftwareInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
