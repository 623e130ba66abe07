using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>
/// How many ffmpeg children the recordings endpoints may run at once, device-wide: <see cref="Exports"/> range
/// exports (a re-encode of up to 10 minutes, its parts held in RAM). One
/// more is refused at once (503 <c>media-busy</c> with Retry-After), never queued: a Viewer asking for exports in a
/// loop must not take the CPU the live encoder and the recording need, nor grow memory.
/// </summary>
internal sealed class MediaWorkLimit : IDisposable
{
    public const int Exports = 1;

    private readonly SemaphoreSlim _exports = new(Exports, Exports);

    /// <summary>A slot for one export, or null when all are taken; dispose it when done.</summary>
    public IDisposable? TryExport() => TryTake(_exports);

    /// <summary>The refusal when every slot is taken: 503 <c>media-busy</c> with Retry-After.</summary>
    public static IResult Busy(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = "5";
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, "media-busy", "The camera is busy preparing other recordings.", detail);
    }

    public void Dispose()
    {
        _exports.Dispose();
    }

    private static Slot? TryTake(SemaphoreSlim slots) => slots.Wait(0) ? new Slot(slots) : null;

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
