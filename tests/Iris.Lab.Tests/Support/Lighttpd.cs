using System.Diagnostics;
using System.Globalization;

namespace Iris.Lab.Tests.Support;

/// <summary>
/// lighttpd in the foreground, asking for HTTP Digest (MD5, qop=auth, the algorithm most cameras offer) on every
/// path: the Digest login target nginx cannot be. Its password file is written with openssl, not the lab's code.
/// </summary>
internal static class Lighttpd
{
    public const string Realm = "camera";

    public static async Task<TargetProcess> StartDigestAsync(TempDirectory dir, string user, string password)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "dgst", "-md5", "-r" })
        {
            start.ArgumentList.Add(a);
        }

        using (var process = Process.Start(start)!)
        {
            await process.StandardInput.WriteAsync($"{user}:{Realm}:{password}");
            process.StandardInput.Close();
            var hash = (await process.StandardOutput.ReadToEndAsync()).Split(' ')[0];
            await process.WaitForExitAsync();
            await File.WriteAllTextAsync(dir.File("htdigest"), $"{user}:{Realm}:{hash}\n");
        }

        Directory.CreateDirectory(dir.File("www"));
        await File.WriteAllTextAsync(dir.File("www/index.html"), "live");
        var conf = dir.File("lighttpd.conf");
        return await TargetProcess.StartAsync("lighttpd", port =>
        {
            File.WriteAllText(conf, $$"""
                server.document-root = "{{dir.File("www")}}"
                server.port = {{port.ToString(CultureInfo.InvariantCulture)}}
                server.bind = "127.0.0.1"
                server.errorlog = "{{dir.File("lighttpd-error.log")}}"
                server.modules = ("mod_auth", "mod_authn_file")
                auth.backend = "htdigest"
                auth.backend.htdigest.userfile = "{{dir.File("htdigest")}}"
                auth.require = ( "/" => ( "method" => "digest", "realm" => "{{Realm}}", "require" => "valid-user" ) )
                """);
            return ["-D", "-f", conf];
        });
    }
}
