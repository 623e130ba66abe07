using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Iris.Lab.Alerts;
using Iris.Lab.Audit;
using Iris.Lab.Ixit;
using Iris.Lab.Tests.Support;

namespace Iris.Lab.Tests.Alerts;

/// <summary>5.8.1.1 on a webhook: the lab's HTTPS receiver keeps what a device posts and checks its HMAC-SHA-256 signature.</summary>
public sealed class WebhookReceiverTests : IDisposable
{
    private const string Serial = "CAM-HOOK-0007";
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task SignedAlertNamingTheDevice_Passes()
    {
        var outcome = await PostThenJudgeAsync(body => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Key, body)));

        Assert.True(outcome.Verdict == Verdict.Pass, outcome.Evidence);
        Assert.Contains("with a valid HMAC-SHA-256 signature", outcome.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertSignedWithAnotherKey_FailsAsUnverifiable()
    {
        var outcome = await PostThenJudgeAsync(body => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), body)));

        Assert.Equal(Verdict.Fail, outcome.Verdict);
        Assert.Contains("Webhook alert signature does not verify", outcome.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsignedAlert_FailsAsUnverifiable_WhenTheIxitGivesAKey()
    {
        var outcome = await PostThenJudgeAsync(_ => null);

        Assert.Equal(Verdict.Fail, outcome.Verdict);
        Assert.Contains("Webhook alert signature does not verify", outcome.Evidence, StringComparison.Ordinal);
    }

    /// <summary>Opens the receiver as an audit does, posts one alert as a device would, and returns the 5.8.1.1 verdict.</summary>
    private async Task<(Verdict Verdict, string Evidence)> PostThenJudgeAsync(Func<byte[], string?> sign)
    {
        var (cert, key, caPem) = TestCertificates.IssuedByCa(dir, "receiver");
        var pem = dir.File("receiver.pem");
        await File.WriteAllTextAsync(pem, await File.ReadAllTextAsync(cert) + "\n" + await File.ReadAllTextAsync(key));
        var port = TargetProcess.FreePort();
        var channel = new IxitAlertChannel("webhook", null, null, $"https://127.0.0.1:{port}/alerts", Convert.ToBase64String(Key).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        var context = new AuditContext(new AuditTarget("127.0.0.1", 1), new IxitDeclaration { DeviceIdentifier = Serial, Alerts = [channel] }, TimeProvider.System)
        {
            AlertClientCertificate = pem,
            AlertWait = TimeSpan.FromSeconds(2),
        };
        var recorder = new ProbeRecorder("alert");
        await new AlertListenProbe().RunAsync(context, recorder, CancellationToken.None);
        context.WrongLoginsSent = 5;

        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Issuer == ca.Subject,
        };
        using var http = new HttpClient(handler);
        var body = Encoding.UTF8.GetBytes($"{{\"serial\":\"{Serial}\",\"kind\":\"brute-force\"}}");
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (sign(body) is { } signature)
        {
            request.Headers.Add("Iris-Signature", signature);
        }

        using (var response = await http.SendAsync(request))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await new AlertProbe().RunAsync(context, recorder, CancellationToken.None);
        var observation = Assert.Single(recorder.Observations, o => o.Item == "5.8.1.1");
        return (observation.Verdict, observation.Evidence);
    }
}
