using System.Net;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// Issue 18 point 4: what the owner's sign-in waited for during a wrong-password flood. Its writes (session,
/// known source, security record, alert) queue in-process behind the flood's writers instead of sleeping in
/// SQLite's busy handler, and the unfamiliar-source hashes a flood can reach run on their own lower-priority
/// thread, never ahead of the owner's hash. Driven through seams (held turns, queue counts), not timings.
/// </summary>
public sealed class SignInUnderFloodTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TheOwnersSignInWrites_QueueInProcessBehindAFloodCommit_NotInSqlitesBusyHandler()
    {
        await using var camera = await InProcessCamera.StartAsync();
        (await camera.ClaimAsync()).Dispose();
        var services = camera.App.Services;
        var database = services.GetRequiredService<CameraDatabase>();
        var sessions = services.GetRequiredService<SessionStore>();
        var known = services.GetRequiredService<KnownSources>();
        var events = services.GetRequiredService<SecurityEventLog>();
        var alerts = services.GetRequiredService<AlertCenter>();
        var owner = services.GetRequiredService<AccountStore>().Find("admin")!;

        using var turnTaken = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        // A flood writer in the middle of its commit: it holds its turn and SQLite's write lock.
        var flood = OnOwnThread(() => database.Writers.Run(() =>
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction(deferred: false);
            turnTaken.Release();
            Assert.True(release.Wait(Patience));
            transaction.Commit();
            return true;
        }));
        Assert.True(await turnTaken.WaitAsync(Patience));

        var session = OnOwnThread(() => sessions.Create(owner.Id, "127.0.0.1"));
        var remembered = OnOwnThread(() =>
        {
            known.Remember("admin", "127.0.0.9");
            return true;
        });
        var record = OnOwnThread(() => events.Append(SecurityEventKinds.LoginSucceeded, "127.0.0.9", "admin"));
        var alert = OnOwnThread(() => alerts.Raise(AlertKinds.NewSource, "127.0.0.9", "admin", "Login to 'admin' from 127.0.0.9."));

        // All four wait for their turn in the queue: none has gone into SQLite to meet the lock and its busy handler.
        await UntilAsync(() => database.Writers.Waiting == 4);
        Assert.False(session.IsCompleted || remembered.IsCompleted || record.IsCompleted || alert.IsCompleted);
        release.Release();

        Assert.True(await flood);
        Assert.NotNull(sessions.Find((await session).Token));
        Assert.True(await remembered);
        Assert.True(known.IsKnown("admin", "127.0.0.9"));
        var recorded = await record;
        var raised = await alert;
        Assert.Contains(events.Read(0, 1000), e => e.Id == recorded.Id && e.Kind == SecurityEventKinds.LoginSucceeded);
        Assert.Contains(alerts.Inbox(includeAcknowledged: true, 100), a => a.Id == raised.Id);
        Assert.True(events.Verify().Intact);
    }

    [Fact]
    public void UnfamiliarSourceHashes_RunOnTheirOwnThread_AtALowerPriority_AndLeaveTheCallersPriorityAlone()
    {
        using var hashing = new UnfamiliarSourceHashing(new AccountsOptions { UnfamiliarSourceHashNice = 10 });
        var callerBefore = File.ReadAllText("/proc/thread-self/stat");
        string? hashThread = null;
        var hashManagedThread = 0;

        var result = hashing.Run(() =>
        {
            hashThread = File.ReadAllText("/proc/thread-self/stat");
            hashManagedThread = Environment.CurrentManagedThreadId;
            return true;
        });
        var callerAfter = File.ReadAllText("/proc/thread-self/stat");

        Assert.True(result);
        Assert.NotEqual(Environment.CurrentManagedThreadId, hashManagedThread);
        Assert.Equal(Math.Min(19, NiceOf(callerBefore) + 10), NiceOf(hashThread!));
        Assert.Equal(NiceOf(callerBefore), NiceOf(callerAfter));
    }

    [Fact]
    public void AHashThatThrows_FailsItsCaller_AndTheThreadServesTheNextOne()
    {
        using var hashing = new UnfamiliarSourceHashing(new AccountsOptions());

        Assert.Throws<InvalidOperationException>(() => hashing.Run(() => throw new InvalidOperationException("hash failed")));
        Assert.True(hashing.Run(() => true));
    }

    /// <summary>Outside review of issue 18 (F9): a caller queued when the daemon stops used to wait for a thread that was gone.</summary>
    [Fact]
    public async Task Stopping_FailsTheQueuedHashes_LetsTheRunningOneFinish_AndTakesNoMore()
    {
        var hashing = new UnfamiliarSourceHashing(new AccountsOptions());
        using var hashRunning = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var running = Task.Factory.StartNew(() => hashing.Run(() =>
        {
            hashRunning.Release();
            Assert.True(release.Wait(Patience));
            return true;
        }), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(await hashRunning.WaitAsync(Patience));
        var queuedRan = false;
        var queued = Task.Factory.StartNew(() => hashing.Run(() => queuedRan = true), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await UntilAsync(() => hashing.Queued == 1);

        hashing.Dispose();

        await Assert.ThrowsAsync<OperationCanceledException>(() => queued.WaitAsync(Patience));
        Assert.Throws<OperationCanceledException>(() => hashing.Run(() => true));
        release.Release();
        Assert.True(await running.WaitAsync(Patience));
        Assert.False(queuedRan);
    }

    [Fact]
    public async Task AnOwnerSignIn_FromAKnownSource_IsServed_WhileFloodHashesWaitAtTheUnfamiliarSourceHash()
    {
        const int Flood = 4;
        await using var camera = await InProcessCamera.StartAsync();
        (await camera.ClaimAsync()).Dispose();
        var hashing = camera.App.Services.GetRequiredService<UnfamiliarSourceHashing>();
        var gate = camera.App.Services.GetRequiredService<UnfamiliarSourceGate>();

        using var hashRunning = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        // The hash in progress for an unfamiliar source holds the hashing thread until released.
        var held = Task.Factory.StartNew(() => hashing.Run(() =>
        {
            hashRunning.Release();
            Assert.True(release.Wait(Patience));
            return false;
        }), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(await hashRunning.WaitAsync(Patience));

        var sources = Enumerable.Range(1, Flood).Select(i => LoopbackSource.At(camera, $"127.0.6.{i}")).ToList();
        try
        {
            var flood = sources.Select((s, i) => s.SignInAsync("admin", $"wrong guess {i}")).ToList();
            // One flood hash queued behind the one running, the rest waiting for their turn at the gate.
            await UntilAsync(() => hashing.Queued == 1 && gate.Waiting == Flood - 1);

            var (response, client) = await camera.TrySignInAsync("admin", InProcessCamera.OwnerPassword);
            client?.Dispose();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.All(flood, f => Assert.False(f.IsCompleted));
            release.Release();
            Assert.False(await held);
            Assert.All(await Task.WhenAll(flood), status => Assert.NotEqual(HttpStatusCode.OK, status));
        }
        finally
        {
            release.Release();
            sources.ForEach(s => s.Dispose());
        }
    }

    /// <summary>The nice value: field 19 of /proc/…/stat, counted after the command name's closing parenthesis.</summary>
    private static int NiceOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);

    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the sign-in path did not reach the expected state in time");
            await Task.Delay(10);
        }
    }
}
