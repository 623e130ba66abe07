using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A fake clock that knows which timers have been set on it. A hosted service sets its timer on its own thread,
/// some time after the host has started; moving the clock before that moves it past nothing, and the timer then
/// counts from the later time. Tests that mean to fire one scheduled timer wait here until it is set, then
/// move the clock once.
/// </summary>
public sealed class TimerAwareTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _lock = new();
    private readonly List<DateTimeOffset> _dueTimes = [];
    private readonly List<(DateTimeOffset DueAt, TaskCompletionSource Set)> _waiters = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            var dueAt = GetUtcNow() + dueTime;
            lock (_lock)
            {
                _dueTimes.Add(dueAt);
                foreach (var waiter in _waiters.Where(w => w.DueAt == dueAt))
                {
                    waiter.Set.TrySetResult();
                }
            }
        }

        return timer;
    }

    /// <summary>
    /// Waits until a timer due <paramref name="step"/> from now has been set, then moves the clock by that step,
    /// so that timer fires. Fails after <paramref name="timeout"/> of real time.
    /// </summary>
    public async Task AdvanceWhenSetAsync(TimeSpan step, TimeSpan timeout)
    {
        var dueAt = GetUtcNow() + step;
        var set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_dueTimes.Contains(dueAt))
            {
                set.TrySetResult();
            }
            else
            {
                _waiters.Add((dueAt, set));
            }
        }

        try
        {
            await set.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no timer due at {dueAt:O} was set within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Set == set);
            }
        }

        Advance(step);
    }
}
