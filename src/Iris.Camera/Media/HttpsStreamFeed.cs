using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>
/// The network side of an https:// stream source. The daemon itself opens the stream with its one client TLS
/// policy (<see cref="ClientTls"/>: TLS 1.2/1.3, ECDHE + AES-GCM, the server certificate must chain to
/// <see cref="MediaOptions.StreamCaCertificateFile"/>, no redirects, no proxy) and copies the body into ffmpeg's
/// standard input; ffmpeg itself gets no network or file access at all. Credentials in the URL are sent as HTTP
/// authentication (Basic or Digest, as the server asks) inside that TLS connection, never given to ffmpeg.
/// Every failure becomes a <see cref="FrameSourceException"/> whose reason names neither the URL nor a secret.
/// </summary>
internal sealed class HttpsStreamFeed : IDisposable
{
    /// <summary>The reason for a stream the server closed normally (ffmpeg's own complaint about it, if any, tells more).</summary>
    public const string Ended = "the stream server ended the stream";

    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;

    private HttpsStreamFeed(HttpClient client, HttpResponseMessage response, Stream body, TimeSpan idleTimeout, TimeProvider time) =>
        (_client, _response, _body, _idleTimeout, _time) = (client, response, body, idleTimeout, time);

    /// <summary>Connects and checks the answer; throws <see cref="FrameSourceException"/> when there is no stream to read.</summary>
    public static async Task<HttpsStreamFeed> OpenAsync(string url, string caCertificateFile, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var uri = new Uri(url, UriKind.Absolute);
        var handler = ClientTls.CreateHandler(ClientTls.LoadTrust(caCertificateFile), time);
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            handler.Credentials = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }

        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        HttpResponseMessage? response = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(uri) { UserName = "", Password = "" }.Uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
            using var answered = new CancellationTokenSource(timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, answered.Token);
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (answered.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new FrameSourceException(string.Create(CultureInfo.InvariantCulture, $"the stream server did not answer within {timeout.TotalSeconds:0} s"));
            }
            catch (HttpRequestException ex)
            {
                throw new FrameSourceException(Describe(ex));
            }

            if (!response.IsSuccessStatusCode)
            {
                var code = (int)response.StatusCode;
                throw new FrameSourceException(code is 401 or 403
                    ? string.Create(CultureInfo.InvariantCulture, $"the stream server refused access ({code}): check the user name and password in the stream URL")
                    : string.Create(CultureInfo.InvariantCulture, $"the stream server answered {code}"));
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new HttpsStreamFeed(client, response, body, timeout, time);
        }
        catch
        {
            response?.Dispose();
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the stream into <paramref name="destination"/> (ffmpeg's input) and closes it at the end. Returns why
    /// the feed ended: the server closed the stream, or sent nothing for the idle timeout.
    /// </summary>
    public async Task<string> CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var idle = new CancellationTokenSource(_idleTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
                int read;
                try
                {
                    read = await _body.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"the stream server sent nothing for {_idleTimeout.TotalSeconds:0} s");
                }

                if (read == 0)
                {
                    return Ended;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "";
        }
        catch (HttpRequestException ex)
        {
            return Describe(ex);
        }
        catch (HttpIOException)
        {
            return "the connection to the stream server broke";
        }
        catch (IOException)
        {
            // ffmpeg stopped reading (it exited); its own reason is the one to report.
            return "";
        }
        finally
        {
            try
            {
                destination.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    public void Dispose()
    {
        _body.Dispose();
        _response.Dispose();
        _client.Dispose();
    }

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the stream server's name does not resolve",
        HttpRequestError.ConnectionError => "no connection to the stream server",
        HttpRequestError.SecureConnectionError => "no TLS connection to the stream server: its certificate is not trusted or does not name it, or it offers no allowed protocol or cipher",
        HttpRequestError.ResponseEnded => "the stream server closed the connection",
        _ => "the stream server did not answer as an HTTPS stream",
    };
}
