using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Hosting;

/// <summary>
/// The daemon's few command-line switches, mapped onto configuration keys. Anything unknown is an error rather
/// than silently ignored, so a typo such as <c>--listne</c> cannot leave the daemon on a default address.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: Iris.Camera [--listen ADDRESS:PORT] [--data-dir DIR] [--provisioning request]

          --listen ADDRESS:PORT   HTTPS address (default 127.0.0.1:8443; use 0.0.0.0:443 on a device)
          --data-dir DIR          data directory (default ./data)
          --provisioning request  make the device key and a signing request for the factory station, then stop
          --help                  show this text

        Every other setting comes from appsettings.json or IRIS__* environment variables.
        """;

    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--listen"] = HttpsOptions.SectionName + ":" + nameof(HttpsOptions.Listen),
        ["--data-dir"] = StorageOptions.SectionName + ":" + nameof(StorageOptions.DataDirectory),
        ["--provisioning"] = Identity.DeviceOptions.SectionName + ":" + nameof(Identity.DeviceOptions.Provisioning),
    };

    /// <summary>Returns configuration overrides, or null when --help was asked for.</summary>
    public static Dictionary<string, string?>? Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return null;
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
                value = i + 1 < args.Count ? args[++i] : null;
            }

            if (!Switches.TryGetValue(name, out var key))
            {
                throw new StartupException($"Unknown option '{name}'.\n{Usage}", StartupException.UsageError);
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                throw new StartupException($"Option '{name}' needs a value.\n{Usage}", StartupException.UsageError);
            }

            values[key] = value;
        }

        return values;
    }
}
