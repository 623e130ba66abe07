using System.Diagnostics;
using System.Globalization;
using Iris.Camera;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Iris.Bench;

/// <summary>
/// Issue 12 benchmark, one side of <c>bench/db-encryption.sh</c>: the database paths the field encryption touches,
/// timed in the composed daemon (no HTTP), so the same file builds in the tree before the encryption and in this
/// one (it resolves the stores from the container and calls only methods both trees share).
/// <list type="bullet">
/// <item><b>login</b>: account lookup by name, a new session (its address sealed), the session looked up by token
/// (the account name opened), i.e. the database part of a sign-in and of the next request. PBKDF2 is left out: it
/// is the same in both trees and would hide the difference.</item>
/// <item><b>append</b>: one security-log record naming an account, an address and a detail (sealed, chained, head signed).</item>
/// </list>
/// Usage: Iris.Bench db-path [ROUNDS] [OPS]; prints "login_us append_us" per round (mean microseconds per operation).
/// </summary>
internal static class DatabasePath
{
    private const int Accounts = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var ops = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
        var directory = Path.Combine(Path.GetTempPath(), "iris-db-path-" + Guid.NewGuid().ToString("N"));
        var app = CameraApp.Build(["--listen", "127.0.0.1:0", "--data-dir", directory], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Accounts:PasswordIterations"] = "1000" });
        });
        await app.StartAsync();
        try
        {
            var accounts = app.Services.GetRequiredService<AccountStore>();
            var sessions = app.Services.GetRequiredService<SessionStore>();
            var log = app.Services.GetRequiredService<SecurityEventLog>();
            var hash = app.Services.GetRequiredService<PasswordHasher>().Hash("bench password for the database path 1");
            for (var i = 0; i < Accounts; i++)
            {
                accounts.Create(Name(i), Role.Viewer, hash, mustChangePassword: false);
            }

            for (var round = 0; round < rounds; round++)
            {
                var login = Stopwatch.StartNew();
                for (var j = 0; j < ops; j++)
                {
                    var account = accounts.Find(Name(j % Accounts)) ?? throw new InvalidOperationException("account not found");
                    var issued = sessions.Create(account.Id, $"10.0.{j % 250}.{(j / 250 % 250) + 1}");
                    _ = sessions.Find(issued.Token) ?? throw new InvalidOperationException("session not found");
                }

                login.Stop();
                var append = Stopwatch.StartNew();
                for (var j = 0; j < ops; j++)
                {
                    log.Append(SecurityEventKinds.LoginSucceeded, $"10.0.{j % 250}.1", Name(j % Accounts), "bench");
                }

                append.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{login.Elapsed.TotalMicroseconds / ops:0.0} {append.Elapsed.TotalMicroseconds / ops:0.0}"));
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private static string Name(int i) => "bench-user-" + i.ToString(CultureInfo.InvariantCulture);
}
