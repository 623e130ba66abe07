namespace Iris.Camera.Web;

/// <summary>
/// The request body as handlers read it. A failure to read the body is the client's (framing Kestrel cannot parse,
/// a chunk size that overflows, a body over the size limit or arriving too slowly, a reset connection), whatever
/// exception type the server raised for it: it surfaces as a 4xx <see cref="BadHttpRequestException"/> (an
/// <see cref="IOException"/>, so existing handling still applies), and <see cref="Faulted"/> stays set so the
/// <see cref="ErrorBoundary"/> answers 4xx even if a handler wrapped or replaced the exception.
/// </summary>
internal sealed class RequestBodyMonitor(Stream inner) : Stream
{
    public bool Faulted { get; private set; }

    public bool WasRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        WasRead = true;
        try
        {
            return inner.Read(buffer);
        }
        catch (IOException ex)
        {
            throw Fault(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WasRead = true;
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException ex)
        {
            throw Fault(ex);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private BadHttpRequestException Fault(IOException ex)
    {
        Faulted = true;
        return ex as BadHttpRequestException ?? new BadHttpRequestException("The request body could not be read.", StatusCodes.Status400BadRequest, ex);
    }
}
