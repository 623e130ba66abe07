using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>
/// The update client's only way out (5.3.1.2): HTTPS with TLS 1.2/1.3, ECDHE with AES-GCM only, and a server
/// certificate that must chain to the configured update CA (the system store is not consulted) and name the
/// repository host. Every fetch has a length cap and the slow-retrieval limits; bundle downloads resume with an
/// HTTP range.
/// </summary>
internal sealed class HttpsUpdateTransport : IRepositoryTransport, IBundleDownloader, IDisposable
{
    /// <summary>A metadata fetch is small; it gets this long in all, however the server paces it.</summary>
    public static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(60);

    private readonly Uri _base;
    private readonly HttpClient _client;
    private readonly TimeProvider _time;
    private readonly SlowRetrievalLimits _limits;

    public HttpsUpdateTransport(Uri repository, X509Certificate2Collection trust, TimeProvider time, SlowRetrievalLimits? limits = null)
    {
        _base = repository.AbsoluteUri.EndsWith('/') ? repository : new Uri(repository.AbsoluteUri + "/");
        _time = time;
        _limits = limits ?? SlowRetrievalLimits.Default;
        var handler = Web.ClientTls.CreateHandler(trust, time);
        // No whole-request timeout: a bundle may take hours on a slow link. The guard bounds every wait instead.
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<FetchResult> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(MetadataTimeout, _time);
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var guard = new SlowRetrievalGuard(_limits, _time, overall.Token);
        try
        {
            using var response = await guard.WaitAsync(token => _client.GetAsync(new Uri(_base, path), HttpCompletionOption.ResponseHeadersRead, token));
            // Object storage (S3 and the like) answers 403 for an object that does not exist unless listing is public;
            // for the next root, which is normally absent, python-tuf reads 403 as 404 too.
            if (response.StatusCode == HttpStatusCode.NotFound
                || (response.StatusCode == HttpStatusCode.Forbidden && path.EndsWith(".root.json", StringComparison.Ordinal)))
            {
                return FetchResult.Missing(path);
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return FetchResult.Failed(new UpdateOutcome(UpdateCode.Unreachable, $"{path}: the repository answered {(int)response.StatusCode}"));
            }

            if (response.Content.Headers.ContentLength > maxLength)
            {
                return FetchResult.Failed(TooLarge(path, maxLength));
            }

            await using var body = await response.Content.ReadAsStreamAsync(guard.Token);
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await guard.ReadAsync(body, chunk)) > 0)
            {
                if (buffer.Length + read > maxLength)
                {
                    return FetchResult.Failed(TooLarge(path, maxLength));
                }

                buffer.Write(chunk, 0, read);
                if (guard.CheckRate(path) is { } slow)
                {
                    return FetchResult.Failed(slow);
                }
            }

            return FetchResult.Found(buffer.ToArray());
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && guard.Stalled)
        {
            return FetchResult.Failed(guard.StalledOutcome(path));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed(Describe(e));
        }
    }

    public async Task<UpdateOutcome> DownloadAsync(string path, string destination, long signedLength, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var existing = File.Exists(destination) ? new FileInfo(destination).Length : 0;
        if (existing > signedLength)
        {
            File.Delete(destination);
            existing = 0;
        }

        if (existing == signedLength)
        {
            return UpdateOutcome.Ok;
        }

        using var guard = new SlowRetrievalGuard(_limits, _time, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, path));
            if (existing > 0)
            {
                request.Headers.Range = new RangeHeaderValue(existing, null);
            }

            using var response = await guard.WaitAsync(token => _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token));
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                File.Delete(destination);
                return new UpdateOutcome(UpdateCode.Unreachable, "the repository refused to resume the download; it starts again at the next attempt");
            }

            var resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == existing;
            if (!resumed && response.StatusCode != HttpStatusCode.OK)
            {
                return new UpdateOutcome(UpdateCode.Unreachable, $"{path}: the repository answered {(int)response.StatusCode}");
            }

            var written = resumed ? existing : 0;
            if (written + (response.Content.Headers.ContentLength ?? 0) > signedLength)
            {
                return TooLarge(path, signedLength);
            }

            await using var body = await response.Content.ReadAsStreamAsync(guard.Token);
            await using var output = new FileStream(destination, new FileStreamOptions
            {
                Mode = resumed ? FileMode.Append : FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = DurableFile.OwnerOnly,
                BufferSize = 0,
            });
            // Below the large-object threshold: a TLS read returns one record (16 KiB) at most, so a larger buffer
            // only moved this array to the large-object heap, collected with gen 2 only.
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await guard.ReadAsync(body, buffer)) > 0)
            {
                if (written + read > signedLength)
                {
                    return TooLarge(path, signedLength);
                }

                // A plain write: this file is not opened for asynchronous I/O, so WriteAsync would only hand the same
                // blocking write to another pool thread, at an allocation per TLS read (issue 18, installer budget).
                output.Write(buffer, 0, read);
                written += read;
                progress?.Report(written);
                if (guard.CheckRate(path) is { } slow)
                {
                    // What arrived so far is kept for resuming.
                    output.Flush(flushToDisk: true);
                    return slow;
                }
            }

            output.Flush(flushToDisk: true);
            return written == signedLength
                ? UpdateOutcome.Ok
                : new UpdateOutcome(UpdateCode.Unreachable, $"download stopped at {written} of {signedLength} bytes; it resumes at the next attempt");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && guard.Stalled)
        {
            return guard.StalledOutcome(path);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Describe(e);
        }
    }

    private static UpdateOutcome TooLarge(string path, long cap) =>
        new(UpdateCode.TooLarge, $"{path} is longer than the {cap} bytes allowed (endless data)");

    private static UpdateOutcome Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
            {
                return new UpdateOutcome(UpdateCode.TransportRefused,
                    $"the repository's TLS was refused (only TLS 1.2/1.3 with ECDHE and AES-GCM, and a certificate from the update CA, are accepted): {inner.Message}");
            }
        }

        return new UpdateOutcome(UpdateCode.Unreachable, $"the repository could not be reached: {e.Message}");
    }

    public void Dispose() => _client.Dispose();
}
