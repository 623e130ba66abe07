using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Events;

/// <summary>
/// Issue 18 point 4: a wrong-password flood writes security events (failures, throttling, lockouts) that the
/// owner's sign-in used to queue behind one fsynced transaction each. Writers that arrive while a commit runs now
/// share the next one; each still returns only once its own record is committed.
/// </summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WritersArrivingDuringACommit_ShareTheNextCommit_AndReturnOnlyAfterIt()
    {
        using var firstCommitEntered = new SemaphoreSlim(0);
        using var releaseFirstCommit = new SemaphoreSlim(0);
        var batches = new List<int[]>();
        var group = new GroupCommit<int, string>(items =>
        {
            lock (batches)
            {
                batches.Add([.. items]);
            }

            if (items.Contains(0))
            {
                firstCommitEntered.Release();
                releaseFirstCommit.Wait(Patience);
            }

            return [.. items.Select(i => $"committed {i}")];
        });

        var first = OnOwnThread(() => group.Submit(0));
        Assert.True(await firstCommitEntered.WaitAsync(Patience));
        var later = Enumerable.Range(1, 10).Select(i => OnOwnThread(() => group.Submit(i))).ToList();
        await UntilAsync(() => group.Waiting == 10);

        Assert.All(later, t => Assert.False(t.IsCompleted));
        releaseFirstCommit.Release();

        Assert.Equal("committed 0", await first);
        for (var i = 0; i < later.Count; i++)
        {
            Assert.Equal($"committed {i + 1}", await later[i]);
        }

        Assert.Equal(2, group.Commits);
        Assert.Equal([0], batches[0]);
        Assert.Equal(Enumerable.Range(1, 10), batches[1].Order());
    }

    [Fact]
    public async Task AFailedCommit_FailsEveryWriterInIt_AndTheNextBatchIsStillWritten()
    {
        using var firstCommitEntered = new SemaphoreSlim(0);
        using var releaseFirstCommit = new SemaphoreSlim(0);
        var group = new GroupCommit<int, int>(items =>
        {
            if (items.Contains(0))
            {
                firstCommitEntered.Release();
                releaseFirstCommit.Wait(Patience);
                throw new IOException("disk full");
            }

            return [.. items];
        });

        var first = OnOwnThread(() => group.Submit(0));
        Assert.True(await firstCommitEntered.WaitAsync(Patience));
        var second = OnOwnThread(() => group.Submit(7));
        await UntilAsync(() => group.Waiting == 1);
        releaseFirstCommit.Release();

        await Assert.ThrowsAsync<IOException>(() => first);
        Assert.Equal(7, await second);
    }

    [Fact]
    public async Task SecurityEvents_AppendedWhileTheDatabaseIsBusy_GoInOneCommit_AndTheSignedChainVerifies()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var data = new TempDirectory();
        var database = CameraDatabase.Open(data.Combine("iris.db"), CameraApp.Schema());
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var certificate = DeviceCertificate.CreateSelfSigned(key, "DEV-TESTSERIAL1", "Iris", time.GetUtcNow());
        using var identity = new DeviceIdentity("DEV-TESTSERIAL1", "model", IdentityOrigin.Development, certificate.CopyWithPrivateKey(key));
        using var head = new SecurityLogHead(identity, time);
        var log = new SecurityEventLog(database, identity, head, time, new EventFields(new MemoryDataKeys()));
        log.Append(SecurityEventKinds.LoginSucceeded, "10.0.0.1", "admin");

        Task<SecurityEvent> first;
        List<Task<SecurityEvent>> flood;
        using (var holder = new SqliteConnection($"Data Source={data.Combine("iris.db")};Pooling=False"))
        {
            // Another writer holds the database: the first append waits for it, the flood's queue behind that one.
            holder.Open();
            using var busy = holder.BeginTransaction(deferred: false);
            first = OnOwnThread(() => log.Append(SecurityEventKinds.LoginFailed, "10.1.0.0", null));
            await UntilAsync(() => log.GroupCommits.Writing);
            flood = [.. Enumerable.Range(1, 20).Select(i => OnOwnThread(() => log.Append(SecurityEventKinds.LoginFailed, $"10.1.0.{i}", null)))];
            await UntilAsync(() => log.GroupCommits.Waiting == 20);
            Assert.False(first.IsCompleted);
            busy.Commit();
        }

        var written = new[] { await first }.Concat(await Task.WhenAll(flood)).ToList();

        Assert.Equal(3, log.GroupCommits.Commits);
        Assert.Equal(21, written.Select(e => e.Id).Distinct().Count());
        var stored = log.Read(0, 100);
        Assert.Equal(22, stored.Count);
        Assert.Equal(
            written.Select(e => e.Source).Order(StringComparer.Ordinal),
            stored.Skip(1).Select(e => e.Source).Order(StringComparer.Ordinal));
        Assert.All(written, e => Assert.Equal(e.Hash, stored.Single(s => s.Id == e.Id).Hash));
        Assert.True(log.Verify().Intact);
    }

    [Fact]
    public async Task Alerts_RaisedWhileTheDatabaseIsBusy_GoInOneCommit_EachWithItsOwnId_AndEachIsPushed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var data = new TempDirectory();
        var database = CameraDatabase.Open(data.Combine("iris.db"), CameraApp.Schema());
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var certificate = DeviceCertificate.CreateSelfSigned(key, "DEV-TESTSERIAL1", "Iris", time.GetUtcNow());
        using var identity = new DeviceIdentity("DEV-TESTSERIAL1", "model", IdentityOrigin.Development, certificate.CopyWithPrivateKey(key));
        using var head = new SecurityLogHead(identity, time);
        var fields = new EventFields(new MemoryDataKeys());
        var log = new SecurityEventLog(database, identity, head, time, fields);
        var channel = new RecordingChannel();
        var alerts = new AlertCenter(database, identity, log, time, [channel], Microsoft.Extensions.Logging.Abstractions.NullLogger<AlertCenter>.Instance, fields);

        Task<SecurityAlert> first;
        List<Task<SecurityAlert>> flood;
        using (var holder = new SqliteConnection($"Data Source={data.Combine("iris.db")};Pooling=False"))
        {
            // The flood's first alert waits for another writer; the brute-force and lockout alerts of 20 more
            // sources queue behind it.
            holder.Open();
            using var busy = holder.BeginTransaction(deferred: false);
            first = OnOwnThread(() => alerts.Raise(AlertKinds.BruteForce, "10.1.0.0", "admin", "5 failed logins from 10.1.0.0"));
            await UntilAsync(() => alerts.Inserts.Writing);
            flood = [.. Enumerable.Range(1, 20).Select(i => OnOwnThread(() =>
                alerts.Raise(i % 2 == 0 ? AlertKinds.BruteForce : AlertKinds.Lockout, $"10.1.0.{i}", "admin", $"alert for 10.1.0.{i}")))];
            await UntilAsync(() => alerts.Inserts.Waiting == 20);
            Assert.False(first.IsCompleted);
            busy.Commit();
        }

        var raised = new[] { await first }.Concat(await Task.WhenAll(flood)).ToList();

        Assert.Equal(2, alerts.Inserts.Commits);
        Assert.Equal(21, raised.Select(a => a.Id).Distinct().Count());
        var inbox = alerts.Inbox(includeAcknowledged: true, 100);
        Assert.Equal(21, inbox.Count);
        Assert.All(raised, a =>
        {
            var stored = inbox.Single(s => s.Id == a.Id);
            Assert.Equal((a.Kind, a.Source, a.Message, "DEV-TESTSERIAL1"), (stored.Kind, stored.Source, stored.Message, stored.Serial));
        });
        Assert.Equal(raised.Select(a => a.Id).Order(), channel.Received.Select(a => a.Id).Order());
    }

    // Each writer blocks (as a request thread does on its commit), so each gets a thread of its own.
    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the writers did not reach the expected state in time");
            await Task.Delay(10);
        }
    }

    private sealed class RecordingChannel : IAlertChannel
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<SecurityAlert> _received = new();

        public IReadOnlyCollection<SecurityAlert> Received => _received;

        public Task SendAsync(SecurityAlert alert, CancellationToken cancellationToken)
        {
            _received.Enqueue(alert);
            return Task.CompletedTask;
        }
    }
}
