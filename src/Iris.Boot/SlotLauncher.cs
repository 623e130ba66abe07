using System.Diagnostics;
using System.Runtime.InteropServices;
using Iris.Firmware.Slots;

namespace Iris.Boot;

/// <summary>
/// Runs the chosen slot and watches its trial: the daemon must mark its slot good (after its own health
/// checks) within the health timeout, or the attempt fails; when a slot runs out of tries, the record rolls
/// back to the other slot. A trial whose tries were used up by power cuts (nothing recorded their end) is
/// rolled back here, with its reason, before the next choice. An orderly stop (SIGTERM, SIGINT) during a trial
/// gives the try back: it is not a failed start. Exit code 75 from a good daemon means "restart me" (after
/// installing an update). Any other exit of a good daemon ends the launcher with the same code, for systemd to
/// restart.
/// </summary>
public sealed partial class SlotLauncher(SlotRecordStore store, TimeSpan healthTimeout, TimeProvider time, TextWriter output, TextWriter error) : IDisposable
{
    public const int RestartRequested = 75;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly CancellationTokenSource _stopping = new();
    private PosixSignalRegistration? _term;
    private PosixSignalRegistration? _int;
    private readonly Lock _childLock = new();
    private Process? _child;
    private bool _stopReachedRunningChild;

    private enum Trial
    {
        Healthy,
        Failed,
        Stopped,
    }

    public async Task<int> RunAsync(string[] daemonArgs)
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        while (!_stopping.IsCancellationRequested)
        {
            var record = store.Load();
            if (record is not null && BootDecisions.GiveUpSpentTrials(record, null, time.GetUtcNow()) is var givenUp && givenUp != record)
            {
                record = store.Save(givenUp);
                await error.WriteLineAsync($"Iris.Boot: {record.LastRollback?.Reason}");
            }

            var choice = record is null ? null : BootDecisions.Choose(record);
            if (record is null || choice is null)
            {
                await error.WriteLineAsync(record is null ? "Iris.Boot: no valid slot record" : "Iris.Boot: no bootable slot");
                return BootCommand.ExitNoBootableSlot;
            }

            if (choice.Trial)
            {
                store.Save(BootDecisions.BeginAttempt(record, choice));
            }

            await output.WriteLineAsync($"Iris.Boot: starting slot {choice.Slot} (version {choice.State.Version}{(choice.Trial ? ", on trial" : "")})");
            Process child;
            try
            {
                child = Start(choice, daemonArgs);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
            {
                Fail(choice.Slot, $"could not start: {e.Message}");
                continue;
            }

            using (child)
            {
                Adopt(child);
                var trial = Trial.Healthy;
                if (choice.Trial)
                {
                    string? failure;
                    (trial, failure) = await WatchTrialAsync(child, choice.Slot);
                    if (trial == Trial.Failed)
                    {
                        Release();
                        Fail(choice.Slot, failure!);
                        continue;
                    }

                    if (trial == Trial.Healthy)
                    {
                        await output.WriteLineAsync($"Iris.Boot: slot {choice.Slot} reported healthy");
                    }
                }

                await child.WaitForExitAsync(CancellationToken.None);
                Release();
                if (_stopping.IsCancellationRequested)
                {
                    if (trial == Trial.Stopped && store.Load() is { } current)
                    {
                        store.Save(BootDecisions.AttemptStopped(current, choice.Slot));
                        await output.WriteLineAsync($"Iris.Boot: stopped during the trial of slot {choice.Slot}; that try does not count");
                    }

                    return 0;
                }

                if (child.ExitCode == RestartRequested)
                {
                    await output.WriteLineAsync("Iris.Boot: daemon asked for a restart");
                    continue;
                }

                return child.ExitCode;
            }
        }

        return 0;
    }

    /// <summary>How the trial ended: healthy (the slot marked itself good), failed (and why), or stopped in an orderly way.</summary>
    private async Task<(Trial Result, string? Failure)> WatchTrialAsync(Process child, string slot)
    {
        var deadline = time.GetUtcNow() + healthTimeout;
        while (true)
        {
            if (store.Load() is { } record && record[slot].Successful)
            {
                return (Trial.Healthy, null);
            }

            // Checked before the exit: the daemon ends because it was told to, which is not a crash. A daemon that
            // had already died when the stop came failed on its own.
            if (_stopping.IsCancellationRequested && StopReachedRunningChild)
            {
                return (Trial.Stopped, null);
            }

            if (child.HasExited)
            {
                return (Trial.Failed, $"the daemon exited with code {child.ExitCode} before reporting healthy");
            }

            if (time.GetUtcNow() >= deadline)
            {
                Stop(child);
                return (Trial.Failed, $"the daemon did not report healthy within {healthTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(Poll, time);
        }
    }

    private void Fail(string slot, string reason)
    {
        error.WriteLine($"Iris.Boot: slot {slot}: {reason}");
        if (store.Load() is { } record)
        {
            store.Save(BootDecisions.AttemptFailed(record, slot, reason, time.GetUtcNow()));
        }
    }

    private Process Start(BootChoice choice, string[] daemonArgs)
    {
        var slotDir = Path.Combine(store.BootDirectory, "slots", choice.Slot);
        var entry = Path.Combine(slotDir, choice.State.Entry);
        var start = entry.EndsWith(".dll", StringComparison.Ordinal) ? new ProcessStartInfo("dotnet") { ArgumentList = { entry } } : new ProcessStartInfo(entry);
        foreach (var arg in daemonArgs)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        start.WorkingDirectory = slotDir;
        start.Environment["Iris__Boot__Directory"] = store.BootDirectory;
        start.Environment["Iris__Boot__Slot"] = choice.Slot;
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {entry}");
    }

    private bool StopReachedRunningChild
    {
        get
        {
            lock (_childLock)
            {
                return _stopReachedRunningChild;
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="child"/> the one a stop signal is passed to. A signal that came while it was being
    /// started (it may already be running its first lines) is passed on now, so it is never missed.
    /// </summary>
    private void Adopt(Process child)
    {
        lock (_childLock)
        {
            _child = child;
            if (_stopping.IsCancellationRequested && !child.HasExited)
            {
                _stopReachedRunningChild = true;
                _ = Kill(child.Id, 15);
            }
        }
    }

    private void Release()
    {
        lock (_childLock)
        {
            _child = null;
        }
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_childLock)
        {
            _stopping.Cancel();
            if (_child is { HasExited: false } child)
            {
                _stopReachedRunningChild = true;
                _ = Kill(child.Id, 15);
            }
        }
    }

    private static void Stop(Process child)
    {
        try
        {
            _ = Kill(child.Id, 15);
            if (!child.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                child.Kill(entireProcessTree: true);
            }

            child.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        _term?.Dispose();
        _int?.Dispose();
        _stopping.Dispose();
    }
}
