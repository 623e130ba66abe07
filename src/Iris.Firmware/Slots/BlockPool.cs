using System.Buffers;

namespace Iris.Firmware.Slots;

/// <summary>
/// Fixed-size blocks for the directory installer's pipe, kept for reuse. The pipe's default pool is
/// <see cref="ArrayPool{T}.Shared"/>, which keeps a few dozen arrays of a size; a pipe holding megabytes of 4 KiB
/// segments therefore got a new array for nearly every 4 KiB written, as many bytes of garbage as the bundle
/// holds, and the GC's budget rather than the pipe's threshold set the daemon's memory during an install. This
/// pool keeps the blocks the pipe has in flight (its threshold, one write, some slack), so an install allocates
/// them once, whatever the bundle size.
/// </summary>
internal sealed class BlockPool(int blockSize, int maxRetained) : MemoryPool<byte>
{
    private readonly Stack<byte[]> _free = new();

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        byte[]? block;
        lock (_free)
        {
            _free.TryPop(out block);
        }

        return new Lease(this, block ?? new byte[blockSize]);
    }

    protected override void Dispose(bool disposing)
    {
        lock (_free)
        {
            _free.Clear();
        }
    }

    private void Return(byte[] block)
    {
        lock (_free)
        {
            if (_free.Count < maxRetained)
            {
                _free.Push(block);
            }
        }
    }

    private sealed class Lease(BlockPool pool, byte[] block) : IMemoryOwner<byte>
    {
        private byte[]? _block = block;

        public Memory<byte> Memory => _block ?? throw new ObjectDisposedException(nameof(Lease));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _block, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
