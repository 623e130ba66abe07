using System.Net;
using Iris.Camera.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Web;

/// <summary>IoT-1005-1 5.5.2.1: every endpoint gets generated hostile input and answers 4xx problem details.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public async Task EveryEndpoint_AnswersHostileInputWith4xxProblemDetails_AndStaysUp()
    {
        await using var camera = await InProcessCamera.StartAsync();
        await AssertHostileInputRefusedAsync(camera, camera.Client);
    }

    [Fact]
    public async Task EveryEndpoint_AnswersHostileInputWith4xxProblemDetails_ForASignedInAdministrator()
    {
        // Signed in, hostile input gets past access control and must be stopped by validation.
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        await AssertHostileInputRefusedAsync(camera, admin.Http);

        using var session = await admin.Http.GetAsync(new Uri("/api/auth/session", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
    }

    private static async Task AssertHostileInputRefusedAsync(InProcessCamera camera, HttpClient client)
    {
        var endpoints = camera.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);

        var failures = new List<string>();
        var sent = 0;
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var routeMethods = endpoints
                .Where(e => e.RoutePattern.RawText == endpoint.RoutePattern.RawText)
                .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var request in HostileInput.For(endpoint, methods, routeMethods, seed: 5511))
            {
                using var message = new HttpRequestMessage(request.Method, new Uri(request.Path, UriKind.Relative));
                if (request.Body is not null)
                {
                    // As a careful client does: the device can refuse before the body is sent, instead of
                    // the client seeing a reset while still uploading a body the device will not read.
                    message.Headers.ExpectContinue = true;
                    message.Content = new ByteArrayContent(request.Body);
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }

                using var response = await client.SendAsync(message);
                sent++;
                var status = (int)response.StatusCode;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (status is < 400 or > 499 || (mediaType != "application/problem+json" && !request.RejectedByHttpParser))
                {
                    failures.Add($"{request.Method} {endpoint.RoutePattern.RawText} [{request.Description}] -> {status} {mediaType}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile requests were not 4xx problem details:\n" + string.Join("\n", failures.Take(40)));
        Assert.True(sent > 100 * endpoints.Count / 2, $"only {sent} requests generated");

        using var health = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task OversizedHeaders_AreRefusedAndTheDaemonStaysUp()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/device", UriKind.Relative));
        message.Headers.TryAddWithoutValidation("X-Filler", new string('a', 32 * 1024));

        using var response = await camera.Client.SendAsync(message);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        using var health = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
