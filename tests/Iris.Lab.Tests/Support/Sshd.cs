using System.Diagnostics;
using System.Globalization;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// Debian's OpenSSH server in the foreground on a loopback port, with a host key made for the test and password
/// logins allowed (as on a camera that ships sshd). A login the test wants accepted is a system account it adds
/// with <see cref="AddAccountAsync"/> and removes when disposed.
/// </summary>
internal sealed class Sshd : IDisposable
{
    private readonly TargetProcess process;
    private readonly List<string> accounts = [];

    private Sshd(TargetProcess process) => this.process = process;

    public int Port => process.Port;

    public static async Task<Sshd> StartAsync(TempDirectory dir)
    {
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.File("host_key"));
        Directory.CreateDirectory("/run/sshd");
        return new Sshd(await TargetProcess.StartAsync("/usr/sbin/sshd", port =>
            ["-D", "-e", "-f", "/dev/null", "-h", dir.File("host_key"),
             "-o", $"ListenAddress=127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "-o", "PasswordAuthentication=yes",
             "-o", "KbdInteractiveAuthentication=no", "-o", "UsePAM=no", "-o", "PidFile=none", "-o", "MaxAuthTries=10"]));
    }

    /// <summary>Adds a system account (no home, no usable shell) that can log in with <paramref name="password"/>.</summary>
    public async Task AddAccountAsync(string name, string password)
    {
        await RunAsync("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        accounts.Add(name);
        var start = new ProcessStartInfo("chpasswd") { RedirectStandardInput = true, UseShellExecute = false };
        using var chpasswd = Process.Start(start)!;
        await chpasswd.StandardInput.WriteLineAsync($"{name}:{password}");
        chpasswd.StandardInput.Close();
        await chpasswd.WaitForExitAsync();
        Assert.Equal(0, chpasswd.ExitCode);
    }

    public void Dispose()
    {
        process.Dispose();
        foreach (var name in accounts)
        {
            using var userdel = Process.Start("userdel", name);
            userdel.WaitForExit();
        }
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {error}");
    }
}
