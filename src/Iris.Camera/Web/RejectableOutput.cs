using System.Buffers;
using System.IO.Pipelines;

namespace Iris.Camera.Web;

/// <summary>
/// A connection's decrypted output, passed through unchanged until <see cref="KestrelRejections"/> says Kestrel
/// is about to write its bare answer to a request it rejected. From then on Kestrel's bytes (that answer only:
/// Kestrel ends the connection after it) are discarded, and the device's answer is written in their place at the
/// next flush. Kestrel writes to a connection from one request loop at a time, which is where the mark is set.
/// </summary>
internal sealed class RejectableOutput(PipeWriter inner) : PipeWriter
{
    private readonly Lock _lock = new();
    private byte[]? _replacement;
    private ArrayBufferWriter<byte>? _discarded;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => Discarding ? 0 : inner.UnflushedBytes;

    private bool Discarding
    {
        get
        {
            lock (_lock)
            {
                return _discarded is not null;
            }
        }
    }

    public void ReplaceNextAnswer(byte[] answer)
    {
        lock (_lock)
        {
            _replacement = answer;
            _discarded ??= new ArrayBufferWriter<byte>(256);
        }
    }

    public override void Advance(int bytes)
    {
        var discarded = Discarded();
        if (discarded is null)
        {
            inner.Advance(bytes);
        }
        else
        {
            discarded.Advance(bytes);
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Discarded()?.GetMemory(sizeHint) ?? inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        var discarded = Discarded();
        return discarded is null ? inner.GetSpan(sizeHint) : discarded.GetSpan(sizeHint);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        WriteReplacement();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        WriteReplacement();
        inner.Complete(exception);
    }

    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        if (WriteReplacement())
        {
            await inner.FlushAsync();
        }

        await inner.CompleteAsync(exception);
    }

    private ArrayBufferWriter<byte>? Discarded()
    {
        lock (_lock)
        {
            return _discarded;
        }
    }

    private bool WriteReplacement()
    {
        byte[]? answer;
        lock (_lock)
        {
            answer = _replacement;
            _replacement = null;
            // What Kestrel wrote is dropped; its answer has no body, so this never holds more than a few headers.
            _discarded?.ResetWrittenCount();
        }

        if (answer is null)
        {
            return false;
        }

        inner.Write(answer);
        return true;
    }
}
