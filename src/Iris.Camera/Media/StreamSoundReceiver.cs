using System.Net.Sockets;

namespace Iris.Camera.Media;

/// <summary>
/// The sound inside a network stream, on its way from the source's ffmpeg to the frames it belongs with. ffmpeg
/// writes it as 16-bit mono PCM at <see cref="EncoderArguments.SampleRate"/> to a Unix socket in an owner-only
/// temporary directory (the only place its second output may go: <c>-protocol_whitelist unix</c>); each captured
/// frame takes what arrived since the frame before (<see cref="Take"/>). At most a second is held: a reader that
/// stops taking loses the oldest sound, memory never grows.
/// </summary>
internal sealed class StreamSoundReceiver : IAsyncDisposable
{
    private const int MaxBufferedBytes = EncoderArguments.SampleRate * 2;
    private readonly DirectoryInfo _directory;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly byte[] _buffer = new byte[MaxBufferedBytes];
    private int _count;
    private Task _receiving = Task.CompletedTask;

    private StreamSoundReceiver(DirectoryInfo directory, Socket listener, string socketPath) =>
        (_directory, _listener, SocketPath) = (directory, listener, socketPath);

    /// <summary>The socket ffmpeg connects to and writes the PCM into.</summary>
    public string SocketPath { get; }

    public static StreamSoundReceiver Start()
    {
        // CreateTempSubdirectory makes the directory owner-only (0700): no other user can reach the socket.
        var directory = Directory.CreateTempSubdirectory("iris-sound-");
        var path = Path.Combine(directory.FullName, "sound.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var receiver = new StreamSoundReceiver(directory, listener, path);
        receiver._receiving = receiver.ReceiveAsync();
        return receiver;
    }

    /// <summary>The whole samples that arrived since the last call (little-endian s16), or null when none did.</summary>
    public byte[]? Take()
    {
        lock (_lock)
        {
            var whole = _count & ~1;
            if (whole == 0)
            {
                return null;
            }

            var taken = _buffer.AsSpan(0, whole).ToArray();
            _buffer.AsSpan(whole, _count - whole).CopyTo(_buffer);
            _count -= whole;
            return taken;
        }
    }

    private async Task ReceiveAsync()
    {
        try
        {
            using var connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await connection.ReceiveAsync(chunk, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
            {
                Append(chunk.AsSpan(0, read));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // Stopped, or ffmpeg is gone (its exit ends the capture run).
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (data.Length >= MaxBufferedBytes)
            {
                data = data[^(MaxBufferedBytes & ~1)..];
                _count = 0;
            }

            // Drop the oldest whole samples to make room: the newest sound is the one that goes with the next frame.
            var overflow = _count + data.Length - MaxBufferedBytes;
            if (overflow > 0)
            {
                overflow += overflow & 1;
                _buffer.AsSpan(overflow, _count - overflow).CopyTo(_buffer);
                _count -= overflow;
            }

            data.CopyTo(_buffer.AsSpan(_count));
            _count += data.Length;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _receiving.ConfigureAwait(false);
        _listener.Dispose();
        _stop.Dispose();
        _directory.Delete(recursive: true);
    }
}
