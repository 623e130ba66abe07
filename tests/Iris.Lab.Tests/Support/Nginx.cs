using System.Globalization;

namespace Iris.Lab.Tests.Support;

/// <summary>nginx in the foreground as one process, its configuration, logs and temporary files in a test directory.</summary>
internal static class Nginx
{
    /// <summary>Starts nginx with <paramref name="server"/> as the body of its one server block; "PORT" in it becomes the port.</summary>
    public static Task<TargetProcess> StartAsync(TempDirectory dir, string server, string? extraHttp = null)
    {
        var conf = dir.File($"nginx-{Guid.NewGuid():N}.conf");
        return TargetProcess.StartAsync("nginx", port =>
        {
            File.WriteAllText(conf, $$"""
                daemon off;
                master_process off;
                pid {{dir.File("nginx.pid")}};
                error_log {{dir.File("nginx-error.log")}};
                events { }
                http {
                    access_log off;
                    client_body_temp_path {{dir.Path}}/body;
                    proxy_temp_path {{dir.Path}}/proxy;
                    fastcgi_temp_path {{dir.Path}}/fastcgi;
                    uwsgi_temp_path {{dir.Path}}/uwsgi;
                    scgi_temp_path {{dir.Path}}/scgi;
                    {{extraHttp}}
                    server {
                        {{server.Replace("PORT", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)}}
                    }
                }
                """);
            return ["-c", conf, "-e", dir.File("nginx-error.log"), "-p", dir.Path];
        });
    }
}
