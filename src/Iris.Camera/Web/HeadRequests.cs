using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Iris.Camera.Web;

/// <summary>
/// A response to HEAD has headers only. Handlers and problem writers do not special-case HEAD, and Kestrel sends
/// what they write on HTTP/2 (a DATA frame after the HEAD response, which clients treat as a protocol error and
/// reset the stream). So for HEAD the response body is replaced, before anything can write to it, by one that
/// discards every byte; starting and completing the response still reach the server.
/// </summary>
internal static class HeadRequests
{
    public static IApplicationBuilder UseHeadWithoutBody(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                var server = context.Features.Get<IHttpResponseBodyFeature>();
                if (server is not null)
                {
                    context.Features.Set<IHttpResponseBodyFeature>(new DiscardedBody(server));
                }
            }

            return next(context);
        });

    private sealed class DiscardedBody(IHttpResponseBodyFeature server) : IHttpResponseBodyFeature
    {
        public Stream Stream => Stream.Null;

        public PipeWriter Writer { get; } = PipeWriter.Create(Stream.Null);

        public void DisableBuffering() => server.DisableBuffering();

        public Task StartAsync(CancellationToken cancellationToken = default) => server.StartAsync(cancellationToken);

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            server.StartAsync(cancellationToken);

        public Task CompleteAsync() => server.CompleteAsync();
    }
}
