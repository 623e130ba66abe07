using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Iris.Camera.Platform;

namespace Iris.Camera.Accounts;

/// <summary>
/// Runs the password hashes of sources an account has not signed in from (the only hashes a spray can reach, one
/// at a time through <see cref="UnfamiliarSourceGate"/>) on one thread of their own, so a spray's hash no longer
/// holds a thread-pool thread for a whole hash. A sign-in from a known source (the owner's) hashes on its request
/// thread as before. With <see cref="AccountsOptions.UnfamiliarSourceHashNice"/> above 0 the thread also runs at a
/// lower scheduling priority, so the kernel gives the owner's hash the CPU first (at a cost to never-seen honest
/// sign-ins during a spray, see the option). The thread starts with the first unfamiliar sign-in, so a camera
/// nobody probes never pays for it.
/// </summary>
internal sealed class UnfamiliarSourceHashing(AccountsOptions options) : IDisposable
{
    private readonly BlockingCollection<Work> _queue = new();
    private readonly Lock _lock = new();
    private Thread? _thread;

    /// <summary>Hashes waiting for the thread (not the one running).</summary>
    public int Queued => _queue.Count;

    /// <summary>
    /// Runs <paramref name="hash"/> on the hashing thread and returns its result. The caller blocks instead of
    /// awaiting on purpose: Linux threads inherit the nice value of the thread that creates them, and completing a
    /// task from the hashing thread would queue its continuation from there, which can make the thread pool start a
    /// new worker from the hashing thread, a worker then serving every request at the lowered priority. Waking
    /// a blocked caller starts no thread. The gate lets one unfamiliar source hash at a time, so this blocks at
    /// most one request thread, as hashing on it did before.
    /// </summary>
    public bool Run(Func<bool> hash)
    {
        var work = new Work(hash);
        lock (_lock)
        {
            if (_thread is null)
            {
                _thread = new Thread(Serve) { IsBackground = true, Name = "iris-unfamiliar-hash" };
                _thread.Start();
            }

            _queue.Add(work);
        }

        return work.Outcome();
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _queue.Dispose();
    }

    private void Serve()
    {
        if (options.UnfamiliarSourceHashNice > 0)
        {
            // At 10 the scheduler weighs the thread about 1:9 against a normal one on the same core.
            NativeMethods.LowerCurrentThreadPriority(options.UnfamiliarSourceHashNice);
        }

        try
        {
            foreach (var work in _queue.GetConsumingEnumerable())
            {
                work.Execute();
            }
        }
        catch (ObjectDisposedException)
        {
            // The daemon is stopping.
        }
    }

    private sealed class Work(Func<bool> hash)
    {
        private readonly object _signal = new();
        private bool _done;
        private bool _result;
        private ExceptionDispatchInfo? _error;

        public void Execute()
        {
            bool result = false;
            ExceptionDispatchInfo? error = null;
            try
            {
                result = hash();
            }
#pragma warning disable CA1031 // The caller gets the failure, as it would have from hashing on its own thread.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ExceptionDispatchInfo.Capture(ex);
            }

            lock (_signal)
            {
                (_result, _error, _done) = (result, error, true);
                Monitor.PulseAll(_signal);
            }
        }

        /// <summary>Blocks until the hash has run; its result, or its exception.</summary>
        public bool Outcome()
        {
            lock (_signal)
            {
                while (!_done)
                {
                    Monitor.Wait(_signal);
                }
            }

            _error?.Throw();
            return _result;
        }
    }
}
