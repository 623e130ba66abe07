using Iris.Camera.Accounts;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// Every write to a live viewer (MJPEG and fragmented MP4) is bounded by <see cref="MediaOptions.LiveWriteTimeout"/>:
/// a client that stops reading fills the socket, the write waits, and without a bound its viewer slot
/// (<see cref="LiveViewAdmission"/>) would stay taken for as long as the connection lives (attack finding A10). When
/// the bound passes, the stream ends, the connection is aborted (a response that cannot be written cannot be ended
/// politely) and the caller's slot is given back; the event is logged with the account, never with a token.
/// </summary>
internal sealed partial class LiveViewerWrites(MediaOptions options, TimeProvider time, ILogger<LiveViewerWrites> logger)
{
    /// <summary>Runs <paramref name="write"/>; false when the client did not take it in time (the connection is then aborted).</summary>
    public async Task<bool> TryWriteAsync(HttpContext http, string stream, Func<CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(options.LiveWriteTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        try
        {
            await write(linked.Token);
            return true;
        }
        // Not "and the caller's token is not cancelled": Kestrel aborts the connection when a write is cancelled, which
        // cancels the request's own token too, before this filter runs.
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            LogStalled(logger, stream, http.CurrentSession()?.Username ?? "?", options.LiveWriteTimeout.TotalSeconds);
            http.Abort();
            return false;
        }
    }

    [LoggerMessage(EventId = 4420, Level = LogLevel.Warning, Message = "Live view: the {Stream} client of {Account} took nothing for {Seconds} s; its stream ended and its slot is free again.")]
    private static partial void LogStalled(ILogger logger, string stream, string account, double seconds);
}
