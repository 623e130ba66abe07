using Iris.Camera.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// The fair gate at the password hash for unfamiliar sources (issue 11, point 3), driven directly with a fake
/// clock: the queue shrinks to the hashes that fit in the configured wait, a refused attempt counts as a turn, and
/// so after a spray's first burst a source that has not tried yet is served next.
/// </summary>
public sealed class UnfamiliarSourceGateTests
{
    private static readonly TimeSpan Hash = TimeSpan.FromMilliseconds(250);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private UnfamiliarSourceGate NewGate(int queue = 32) => new(_time, new AccountsOptions
    {
        UnfamiliarSourceQueue = queue,
        UnfamiliarSourceQueueWait = TimeSpan.FromSeconds(1),
        UnfamiliarSourceMaxWait = TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task QueuePlaces_FollowTheMeasuredLengthOfATurn()
    {
        var gate = NewGate();
        await TakeTurnAsync(gate, "warm-up"); // 250 ms per hash: 4 places fit in 1 s.

        using var running = await gate.EnterAsync("runner", CancellationToken.None);
        Assert.NotNull(running);
        var attempts = Enumerable.Range(1, 10).Select(i => gate.EnterAsync($"sprayer{i}", CancellationToken.None).AsTask()).ToList();

        var refused = attempts.Count(a => a.IsCompleted);
        Assert.Equal(6, refused);
        Assert.All(attempts.Where(a => a.IsCompleted), a => Assert.Null(a.Result));
        // Which attempts wait is taken before the turn is freed: the next waiter's turn completes on the thread
        // pool, and one completing between the free and the filter was never disposed, so the rest waited forever.
        var queued = attempts.Where(a => !a.IsCompleted).ToList();
        running.Dispose();
        foreach (var waiting in queued)
        {
            (await waiting)!.Dispose();
        }
    }

    [Fact]
    public async Task WithoutMeasuredTurns_TheConfiguredQueueIsTheLimit()
    {
        var gate = NewGate(queue: 3);
        using var running = await gate.EnterAsync("runner", CancellationToken.None);
        var attempts = Enumerable.Range(1, 5).Select(i => gate.EnterAsync($"s{i}", CancellationToken.None).AsTask()).ToList();

        Assert.Equal(2, attempts.Count(a => a.IsCompleted));
        var queued = attempts.Where(a => !a.IsCompleted).ToList();
        running!.Dispose();
        foreach (var waiting in queued)
        {
            (await waiting)!.Dispose();
        }
    }

    [Fact]
    public async Task AfterTheFirstBurst_ANewSourceIsServedNext_AheadOfSprayersThatWereRefused()
    {
        var gate = NewGate();
        await TakeTurnAsync(gate, "warm-up");

        // The spray's first burst: one hash runs, four sources get places, the rest are refused ("busy").
        var running = await gate.EnterAsync("sprayer0", CancellationToken.None);
        var firstBurst = Enumerable.Range(1, 12).Select(i => (Source: $"sprayer{i}", Turn: gate.EnterAsync($"sprayer{i}", CancellationToken.None).AsTask())).ToList();
        var placed = firstBurst.Where(a => !a.Turn.IsCompleted).ToList();
        Assert.Equal(4, placed.Count);

        // The refused sprayers try again at once; the queue is full of sources that have not had a turn, so
        // they are refused again and their refusals count.
        var bounced = firstBurst.Where(a => a.Turn.IsCompleted).Select(a => a.Source).ToList();
        foreach (var source in bounced)
        {
            Assert.Null(await gate.EnterAsync(source, CancellationToken.None));
        }

        // The first burst is served within the queue's wait; each freed place goes to a sprayer trying again.
        var retried = new List<Task<IDisposable?>>();
        foreach (var (source, turn) in placed)
        {
            _time.Advance(Hash);
            running!.Dispose();
            running = await turn;
            Assert.NotNull(running);
            retried.Add(gate.EnterAsync(bounced[retried.Count], CancellationToken.None).AsTask());
            Assert.False(retried[^1].IsCompleted, "a freed place goes to the sprayer asking for it");
        }

        // Now a source that has never tried arrives: the queue is full of sprayers that were refused before, so
        // it takes the place of one of them and is served at the very next turn.
        var newcomer = gate.EnterAsync("owner's phone", CancellationToken.None).AsTask();
        Assert.False(newcomer.IsCompleted, "the newcomer was refused");
        var pushedOut = await Task.WhenAny(retried);
        Assert.Null(await pushedOut);
        _time.Advance(Hash);
        running!.Dispose();

        using var ownersTurn = await newcomer;
        Assert.NotNull(ownersTurn);
        var stillWaiting = retried.Where(r => r != pushedOut).ToList();
        Assert.Equal(3, stillWaiting.Count(r => !r.IsCompleted));

        ownersTurn.Dispose();
        foreach (var waiting in stillWaiting)
        {
            (await waiting)!.Dispose();
        }
    }

    private async Task TakeTurnAsync(UnfamiliarSourceGate gate, string source)
    {
        using var turn = await gate.EnterAsync(source, CancellationToken.None);
        Assert.NotNull(turn);
        _time.Advance(Hash);
    }
}
