using Iris.Camera.Platform;
using Iris.Camera.Hosting;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Hosting;

/// <summary>Every condition that must stop the daemon gives a message and a non-zero exit, and changes no data.</summary>
public sealed class StartupFailureTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UnknownOption_ExitsWithUsageError()
    {
        using var process = ChildProcess.Start("Iris.Camera", ["--listne", "0.0.0.0:443"]);

        Assert.Equal(StartupException.UsageError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Unknown option '--listne'", process.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:99999")]
    public async Task InvalidListenAddress_ExitsWithConfigurationError(string listen)
    {
        using var data = new TempDirectory();
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", listen, "--data-dir", data.Path]);

        Assert.Equal(StartupException.ConfigurationError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Listen", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataDirectoryThatIsAFile_ExitsWithConfigurationError()
    {
        using var data = new TempDirectory();
        var file = data.Combine("file");
        await File.WriteAllTextAsync(file, "not a directory");
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", file]);

        Assert.Equal(StartupException.ConfigurationError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("is a file", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwritableDataDirectory_ExitsWithConfigurationError()
    {
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", "/proc/iris-cannot-be-here"]);

        Assert.Equal(StartupException.ConfigurationError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("not usable", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DamagedDeviceKey_StopsTheDaemonAndIsNotReplaced()
    {
        using var data = new TempDirectory();
        using (var camera = await CameraProcess.StartAsync(data.Path))
        {
        }

        var sealedKey = data.Combine("vault", "device-key.sealed");
        var bytes = await File.ReadAllBytesAsync(sealedKey);
        bytes[^5] ^= 0x40;
        await File.WriteAllBytesAsync(sealedKey, bytes);

        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Path]);

        Assert.Equal(StartupException.DataError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("cannot be unsealed", process.StandardError, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(sealedKey));
    }

    [Fact]
    public async Task DatabaseFromNewerSoftware_StopsTheDaemon()
    {
        using var data = new TempDirectory();
        using (var camera = await CameraProcess.StartAsync(data.Path))
        {
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={data.Combine("iris.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 999;";
            command.ExecuteNonQuery();
        }

        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Path]);

        Assert.Equal(StartupException.DataError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("newer than this software", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignOpenSslConfiguration_IsRefused()
    {
        // Another OpenSSL configuration could re-enable X25519, CBC or TLS 1.0 for every TLS context.
        using var data = new TempDirectory();
        var foreign = data.Combine("openssl.cnf");
        await File.WriteAllTextAsync(foreign, "openssl_conf = x\n[x]\n");
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Combine("d")],
            new Dictionary<string, string> { ["OPENSSL_CONF"] = foreign });

        Assert.Equal(StartupException.ConfigurationError, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("runs only with its TLS profile", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_PrintsUsageAndExitsZero()
    {
        using var process = ChildProcess.Start("Iris.Camera", ["--help"]);

        Assert.Equal(0, await process.WaitForExitAsync(ExitTimeout));
        Assert.Contains("--data-dir", process.StandardError + process.StandardOutput, StringComparison.Ordinal);
    }
}
