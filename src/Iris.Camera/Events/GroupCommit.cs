using System.Runtime.ExceptionServices;

namespace Iris.Camera.Events;

/// <summary>
/// Group commit for a log whose every write is a durable transaction: a caller returns only once its own item is
/// committed (the durability rule does not change), but items that arrive while a commit is running are written
/// together in the next one, so a flood of writers costs one fsync (and one head signature) per batch instead of
/// one each, and a late writer waits for at most the commit in progress and its own, not for every writer queued
/// ahead of it. There is no writer thread: the first caller leads and writes one batch, then hands the lead to
/// the oldest waiting caller, so no request thread writes other requests' records for longer than one batch.
/// </summary>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> write)
{
    private readonly Lock _lock = new();
    private List<Entry> _queue = [];
    private bool _leading;
    private volatile bool _writing;
    private long _commits;

    /// <summary>Batches written so far (each one transaction).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Whether a batch is being written now.</summary>
    public bool Writing => _writing;

    /// <summary>Items queued behind the commit in progress.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Writes <paramref name="item"/> (with whatever else is queued) and returns once it is committed.</summary>
    public TResult Submit(TItem item)
    {
        var entry = new Entry(item);
        bool lead;
        lock (_lock)
        {
            _queue.Add(entry);
            lead = !_leading;
            _leading = true;
        }

        if (!lead && !entry.WaitUntilDoneOrLeading())
        {
            return entry.Outcome();
        }

        WriteOneBatch();
        return entry.Outcome();
    }

    private void WriteOneBatch()
    {
        List<Entry> batch;
        lock (_lock)
        {
            batch = _queue;
            _queue = [];
            _writing = true;
        }

        try
        {
            var results = write([.. batch.Select(e => e.Item)]);
            Interlocked.Increment(ref _commits);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(results[i], null);
            }
        }
#pragma warning disable CA1031 // Every caller in the failed batch gets the failure, as it would have from its own write.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var entry in batch)
            {
                entry.Complete(default, ExceptionDispatchInfo.Capture(ex));
            }
        }
        finally
        {
            Entry? next = null;
            lock (_lock)
            {
                _writing = false;
                if (_queue.Count > 0)
                {
                    next = _queue[0];
                }
                else
                {
                    _leading = false;
                }
            }

            next?.Lead();
        }
    }

    private sealed class Entry(TItem item)
    {
        private readonly object _signal = new();
        private bool _done;
        private bool _leading;
        private TResult? _result;
        private ExceptionDispatchInfo? _error;

        public TItem Item { get; } = item;

        /// <summary>Blocks until the item is committed (false) or this caller is to write the next batch (true).</summary>
        public bool WaitUntilDoneOrLeading()
        {
            lock (_signal)
            {
                while (!_done && !_leading)
                {
                    Monitor.Wait(_signal);
                }

                return !_done;
            }
        }

        public void Lead()
        {
            lock (_signal)
            {
                _leading = true;
                Monitor.PulseAll(_signal);
            }
        }

        public void Complete(TResult? result, ExceptionDispatchInfo? error)
        {
            lock (_signal)
            {
                (_result, _error, _done) = (result, error, true);
                Monitor.PulseAll(_signal);
            }
        }

        public TResult Outcome()
        {
            _error?.Throw();
            return _result!;
        }
    }
}
