using Iris.Firmware.Durable;

namespace Iris.Firmware.Tests.Support;

/// <summary>Thrown when the simulated power goes.</summary>
public sealed class PowerCutException : IOException
{
    public PowerCutException() : base("power cut")
    {
    }
}

/// <summary>
/// The real file system with a fault-injecting seam: after <c>cutAfter</c> mutating operations (each write call,
/// fsync, create, rename, delete, mkdir) every further operation throws. <see cref="LoseUnsyncedData"/> then
/// models what the power cut takes away: each file written since its last fsync is cut back to its synced
/// length. (Renames and deletions are modelled as durable when made; the installer fsyncs the directory after
/// each one anyway.)
/// </summary>
public sealed class PowerCutFileSystem(long cutAfter) : IDurableFileSystem
{
    private readonly Dictionary<string, long> _syncedLength = new(StringComparer.Ordinal);
    private readonly DiskFileSystem _disk = DiskFileSystem.Instance;

    public long Operations { get; private set; }

    public bool Cut { get; private set; }

    public Stream Create(string path, UnixFileMode mode)
    {
        Tick();
        var stream = _disk.Create(path, mode);
        _syncedLength[Path.GetFullPath(path)] = 0;
        return new TickingStream(this, stream, Path.GetFullPath(path));
    }

    public Stream OpenForOverwrite(string path)
    {
        Tick();
        return new TickingStream(this, _disk.OpenForOverwrite(path), Path.GetFullPath(path));
    }

    public void Flush(Stream stream)
    {
        Tick();
        var ticking = (TickingStream)stream;
        _disk.Flush(ticking.Inner);
        _syncedLength[ticking.FullPath] = ticking.Inner.Length;
    }

    public void CreateDirectory(string path)
    {
        Tick();
        _disk.CreateDirectory(path);
    }

    public void DeleteTree(string path)
    {
        Tick();
        _disk.DeleteTree(path);
        var prefix = Path.GetFullPath(path);
        foreach (var key in _syncedLength.Keys.Where(k => k == prefix || k.StartsWith(prefix + "/", StringComparison.Ordinal)).ToList())
        {
            _syncedLength.Remove(key);
        }
    }

    public void Rename(string source, string destination)
    {
        Tick();
        _disk.Rename(source, destination);
        var from = Path.GetFullPath(source);
        var to = Path.GetFullPath(destination);
        foreach (var key in _syncedLength.Keys.Where(k => k == from || k.StartsWith(from + "/", StringComparison.Ordinal)).ToList())
        {
            _syncedLength[to + key[from.Length..]] = _syncedLength[key];
            _syncedLength.Remove(key);
        }
    }

    public void FlushDirectory(string path)
    {
        Tick();
        _disk.FlushDirectory(path);
    }

    /// <summary>After the cut: unsynced file data is gone.</summary>
    public void LoseUnsyncedData()
    {
        foreach (var (path, synced) in _syncedLength)
        {
            if (File.Exists(path) && new FileInfo(path).Length > synced)
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                file.SetLength(synced);
            }
        }
    }

    private void Tick()
    {
        if (Cut || ++Operations > cutAfter)
        {
            Cut = true;
            throw new PowerCutException();
        }
    }

    private sealed class TickingStream(PowerCutFileSystem fs, Stream inner, string fullPath) : Stream
    {
        public Stream Inner => inner;

        public string FullPath => fullPath;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            fs.Tick();
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            fs.Tick();
            inner.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            fs.Tick();
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
