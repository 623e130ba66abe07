using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// The default password stays out of the journal (issue 11, point 12): shown on an interactive terminal only,
/// otherwise left in &lt;data-dir&gt;/default-password (0600) until the owner sets a password.
/// </summary>
public sealed class DefaultPasswordFileTests
{
    [Fact]
    public async Task DaemonWithoutATerminal_LeavesTheDefaultPasswordInAnOwnerOnlyFile_NotItsOutput_UntilClaimed()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartAsync(data.Path);
        var file = Path.Combine(data.Path, "default-password");
        var defaultPassword = (await File.ReadAllTextAsync(file)).Trim();
        var mode = File.GetUnixFileMode(file);

        using var owner = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, defaultPassword, InProcessCamera.OwnerPassword);
        var output = camera.Process.StandardOutput + camera.Process.StandardError;

        Assert.Matches("^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){4}$", defaultPassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.DoesNotContain(defaultPassword, output, StringComparison.Ordinal);
        Assert.DoesNotContain(defaultPassword.Replace("-", "", StringComparison.Ordinal), output, StringComparison.Ordinal);
        Assert.Contains(file, output, StringComparison.Ordinal); // The log says where, not what.
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task InteractiveTerminal_ShowsTheDefaultPassword_AndWritesNoFile()
    {
        var terminal = new FakeTerminal(interactive: true);
        await using var camera = await InProcessCamera.StartAsync(configure: b => UseRealDisplay(b, terminal));

        var shown = terminal.Written.ToString();
        var password = System.Text.RegularExpressions.Regex.Match(shown, "Default password for user 'admin': (\\S+)").Groups[1].Value;
        var (login, client) = await camera.TrySignInAsync("admin", password);
        client?.Dispose();

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.False(File.Exists(Path.Combine(camera.DataDirectory, "default-password")));
    }

    [Fact]
    public async Task RestartBeforeTheClaim_KeepsTheFile_AndAStaleFileGoesOnceClaimed()
    {
        using var data = new TempDirectory();
        var terminal = new FakeTerminal(interactive: false);
        var file = Path.Combine(data.Path, "default-password");
        string password;
        await using (var camera = await InProcessCamera.StartAsync(data.Path, b => UseRealDisplay(b, terminal)))
        {
            password = (await File.ReadAllTextAsync(file)).Trim();
        }

        await using (var restarted = await InProcessCamera.StartAsync(data.Path, b => UseRealDisplay(b, terminal)))
        {
            Assert.Equal(password, (await File.ReadAllTextAsync(file)).Trim());
            using var restricted = await restarted.SignInAsync("admin", password);
            using var change = await restricted.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = password, newPassword = InProcessCamera.OwnerPassword });
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
            Assert.False(File.Exists(file));
        }

        // As if a crash had come between the change and the delete: the next start removes it.
        await File.WriteAllTextAsync(file, password);
        await using var third = await InProcessCamera.StartAsync(data.Path, b => UseRealDisplay(b, terminal));
        Assert.False(File.Exists(file));
        Assert.Empty(terminal.Written.ToString());
    }

    internal static void UseRealDisplay(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder, IOperatorTerminal terminal)
    {
        builder.Services.AddSingleton(terminal);
        builder.Services.AddSingleton<IDefaultPasswordDisplay, DefaultPasswordDisplay>();
    }

    internal sealed class FakeTerminal(bool interactive) : IOperatorTerminal
    {
        public System.Text.StringBuilder Written { get; } = new();

        public bool IsInteractive => interactive;

        public void Write(string text) => Written.Append(text);
    }
}
