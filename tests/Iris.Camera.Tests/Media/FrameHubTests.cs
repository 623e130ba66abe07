using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Iris.Camera.Media;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iris.Camera.Tests.Media;

/// <summary>Fan-out: a slow viewer never stalls the others or grows memory; capture runs only on demand.</summary>
public sealed class FrameHubTests
{
    [Fact]
    public async Task SlowViewer_LosesOnlyItsOwnOldFrames_AndOthersGetEveryFrame()
    {
        var source = new ManualSource();
        await using var hub = new FrameHub(source, new MediaOptions { ViewerBufferFrames = 2 }, TimeProvider.System, NullLogger<FrameHub>.Instance);
        Assert.Equal(SubscribeResult.Subscribed, hub.TrySubscribe(true, out var slow));
        Assert.Equal(SubscribeResult.Subscribed, hub.TrySubscribe(true, out var fast));

        var received = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            await source.EmitAsync(i);
            received.Add((await fast!.Frames.ReadAsync()).Sequence);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), received);
        Assert.Equal(2, slow!.Frames.Count);
        Assert.True(slow.Frames.TryRead(out var oldest));
        Assert.Equal(48, oldest.Sequence);
        slow.Dispose();
        fast!.Dispose();
    }

    [Fact]
    public async Task Capture_RunsOnlyWhileSomeoneWatches()
    {
        var source = new ManualSource();
        await using var hub = new FrameHub(source, new MediaOptions(), TimeProvider.System, NullLogger<FrameHub>.Instance);
        Assert.False(hub.IsCapturing);

        hub.TrySubscribe(true, out var viewer);
        Assert.True(hub.IsCapturing);
        viewer!.Dispose();

        Assert.False(hub.IsCapturing);
    }

    [Fact]
    public async Task PrivacyMode_RefusesNewViewers_AndEndsOpenOnes()
    {
        var source = new ManualSource();
        await using var hub = new FrameHub(source, new MediaOptions(), TimeProvider.System, NullLogger<FrameHub>.Instance);
        hub.TrySubscribe(true, out var viewer);

        hub.SetPrivacy(true);

        Assert.False(await viewer!.Frames.WaitToReadAsync());
        Assert.Equal(SubscribeResult.PrivacyMode, hub.TrySubscribe(true, out _));
        Assert.False(hub.IsCapturing);
    }

    /// <summary>A source the test drives frame by frame.</summary>
    private sealed class ManualSource : IFrameSource
    {
        private readonly Channel<VideoFrame> _frames = Channel.CreateUnbounded<VideoFrame>();
        private readonly Channel<bool> _delivered = Channel.CreateUnbounded<bool>();

        public string Name => "manual";

        public async Task EmitAsync(long sequence)
        {
            await _frames.Writer.WriteAsync(new VideoFrame(sequence, DateTimeOffset.UnixEpoch, 2, 2, new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }));
            await _delivered.Reader.ReadAsync();
        }

        public async IAsyncEnumerable<VideoFrame> CaptureAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (await _frames.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_frames.Reader.TryRead(out var frame))
                {
                    yield return frame;
                    await _delivered.Writer.WriteAsync(true, cancellationToken);
                }
            }
        }
    }
}
