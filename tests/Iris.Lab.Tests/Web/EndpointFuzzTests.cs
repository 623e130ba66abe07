using System.Globalization;
using System.Text.Json;
using Iris.Lab.Ixit;
using Iris.Lab.Network;
using Iris.Lab.Tests.Support;
using Iris.Lab.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Iris.Lab.Tests.Web;

/// <summary>The fuzz of every declared endpoint (5.5.2.1) against a server with a planted 500 and a planted hang.</summary>
public sealed class EndpointFuzzTests
{
    [Fact]
    public async Task PlantedServerErrorAndHang_FailInputValidation_OnTheirOwnEndpoints_WithReproduction()
    {
        await using var server = await PlantedServer.StartAsync();
        var ixit = new
        {
            endpoints = new[]
            {
                new { method = "POST", path = "/api/items", body = "json" },
                new { method = "POST", path = "/api/slow", body = "json" },
                new { method = "POST", path = "/api/careful/{id}", body = "json" },
            },
        };

        // Every generator on every endpoint, so the planted faults are met whatever the seed.
        using var run = await LabRun.AuditAsync($"127.0.0.1:{server.Port}", server.Port.ToString(CultureInfo.InvariantCulture),
            [new ServiceProbe(), new WebProbe()], JsonSerializer.Serialize(ixit), "--fuzz-cases", "100", "--fuzz-seed", "7");

        var findings = run.Report.RootElement.GetProperty("findings").EnumerateArray().ToList();
        run.AssertFinding("5.5.2.1", "Server error on malformed input");
        run.AssertFinding("5.5.2.1", "No answer to malformed input (hang)");
        Assert.All(findings.Where(f => f.GetProperty("title").GetString() == "Server error on malformed input"),
            f => Assert.Contains("POST /api/items,", f.GetProperty("evidence").GetString(), StringComparison.Ordinal));
        var hang = Assert.Single(findings, f => f.GetProperty("title").GetString()!.Contains("hang", StringComparison.Ordinal));
        Assert.Contains("POST /api/slow,", hang.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.Contains("seed 7", hang.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("printf '", hang.GetProperty("reproduce").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(findings, f => f.GetProperty("evidence").GetString()!.Contains("/api/careful", StringComparison.Ordinal));
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task CarefulServer_PassesInputValidation_OnEveryDeclaredEndpoint()
    {
        await using var server = await PlantedServer.StartAsync();
        var ixit = new { endpoints = new[] { new { method = "POST", path = "/api/careful/{id}", body = "json" }, new { method = "GET", path = "/api/careful/{id}", body = "none" } } };

        using var run = await LabRun.AuditAsync($"127.0.0.1:{server.Port}", server.Port.ToString(CultureInfo.InvariantCulture),
            [new ServiceProbe(), new WebProbe()], JsonSerializer.Serialize(ixit), "--fuzz-cases", "100");

        Assert.True(run.Verdict("5.5.2.1") == "pass", run.Evidence("5.5.2.1"));
        Assert.Contains("to the 2 declared endpoints", run.Evidence("5.5.2.1"), StringComparison.Ordinal);
    }

    [Fact]
    public void SameSeed_SameRequests_AndTheBoundHolds()
    {
        var endpoint = new IxitEndpoint("PUT", "/api/users/{id}", "json", "ManageUsers");

        var first = EndpointFuzzer.Cases(endpoint, "cam", new Random(42), 5);
        var again = EndpointFuzzer.Cases(endpoint, "cam", new Random(42), 5);

        Assert.Equal(5, first.Count);
        Assert.Equal(first.Select(c => Convert.ToHexString(c.Bytes)), again.Select(c => Convert.ToHexString(c.Bytes)));
        Assert.All(first, c => Assert.StartsWith("PUT /api/users/", System.Text.Encoding.ASCII.GetString(c.Bytes), StringComparison.Ordinal));
        Assert.Equal(15, EndpointFuzzer.Cases(endpoint, "cam", new Random(1), 100).Select(c => c.Name).Distinct().Count());
    }

    /// <summary>Kestrel with three endpoints: one that lets a JSON parse error escape (500), one that waits forever
    /// for a body that is not JSON (hang), and one that refuses with 400 whatever fails while reading or parsing the body.</summary>
    private sealed class PlantedServer : IAsyncDisposable
    {
        private readonly WebApplication app;

        private PlantedServer(WebApplication app, int port)
        {
            this.app = app;
            Port = port;
        }

        public int Port { get; }

        public static async Task<PlantedServer> StartAsync()
        {
            var port = TargetProcess.FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/api/items", async (HttpRequest request) =>
            {
                using var document = await JsonDocument.ParseAsync(request.Body);
                return Results.Ok(document.RootElement.GetProperty("name").GetString());
            });
            app.MapPost("/api/slow", async (HttpRequest request, CancellationToken cancellationToken) =>
            {
                if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                return Results.BadRequest();
            });
            app.MapMethods("/api/careful/{id}", ["GET", "POST"], async (string id, HttpRequest request) =>
            {
                try
                {
                    using var document = await JsonDocument.ParseAsync(request.Body);
                    return int.TryParse(id, out _) && document.RootElement.ValueKind == JsonValueKind.Object ? Results.Ok() : Results.BadRequest();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Careful: a body that cannot be read (broken framing, overflowing chunk size) or parsed is the client's fault.
                    return Results.BadRequest();
                }
            });
            app.MapFallback(() => Results.NotFound());
            await app.StartAsync();
            return new PlantedServer(app, port);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
