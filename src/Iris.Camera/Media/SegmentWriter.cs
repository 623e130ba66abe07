using System.Security.Cryptography;

namespace Iris.Camera.Media;

/// <summary>Appends sealed frames to one segment file; <see cref="Complete"/> makes it durable and visible.</summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly RecordingStore _store;
    private readonly string _file;
    private readonly byte[] _segmentId;
    private readonly AesGcm _aead;
    private readonly FileStream _stream;
    private readonly int _generation;
    private long _index;
    private DateTimeOffset _last;
    private bool _done;

    public SegmentWriter(RecordingStore store, long id, string file, FileStream stream, byte[] segmentId, byte[] key, int generation, byte version = SegmentFormat.RandomKeyVersion)
    {
        _store = store;
        Id = id;
        _file = file;
        _stream = stream;
        _segmentId = segmentId;
        _generation = generation;
        _aead = new AesGcm(key, 16);
        CryptographicOperations.ZeroMemory(key);
        _stream.Write(SegmentFormat.Header(segmentId, version));
    }

    public long Id { get; }

    public DateTimeOffset StartedAt { get; private set; }

    public int Frames => (int)_index;

    public void Append(VideoFrame frame) => Append(frame.CapturedAt, frame.Jpeg.Span);

    /// <summary>Appends one record: a JPEG (format 2), or the init segment then whole fragments (format 3).</summary>
    public void Append(DateTimeOffset capturedAt, ReadOnlySpan<byte> payload)
    {
        if (_store.Generation != _generation)
        {
            return; // everything was deleted meanwhile: write nothing more; Complete abandons the file
        }

        if (_index == 0)
        {
            StartedAt = capturedAt;
        }

        // Sealed in memory first: no plaintext byte of a frame is ever written to the file.
        _stream.Write(SegmentFormat.SealRecord(_aead, _segmentId, _index++, capturedAt, payload));
        _stream.Flush();
        _last = capturedAt;
    }

    public void Complete()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _stream.Flush(flushToDisk: true);
        var bytes = _stream.Length;
        _stream.Dispose();
        _aead.Dispose();
        if (_index == 0)
        {
            _store.Abandon(Id, _file);
            return;
        }

        _store.Finish(Id, _file, _last, (int)_index, bytes, _generation);
    }

    public void Dispose() => Complete();
}
