namespace Iris.Camera.Storage;

/// <summary>
/// One in-process queue for the writers that meet under a sign-in flood (security log, alert inbox, sessions,
/// known sources). SQLite lets one writer at a time into the WAL; a second connection that wants to write gets
/// SQLITE_BUSY, and its busy handler sleeps 1 to 100 ms between retries however soon the first one commits, so
/// under a flood the owner's session insert could sleep through several of the flood's commits. A writer that
/// takes its turn here waits on a lock instead and is woken the moment the writer before it is done, so it waits
/// for the transactions ahead of it, not for a busy handler's sleep. Writers that do not use it are unchanged
/// (they meet the busy handler as before), so it is a fast path, not a rule every write must follow.
/// </summary>
internal sealed class WriterQueue
{
    private readonly Lock _lock = new();
    private int _waiting;

    /// <summary>Writers waiting for their turn now (not the one writing).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Runs <paramref name="write"/> (one whole transaction) when no other queued writer is writing.</summary>
    public T Run<T>(Func<T> write)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            _lock.Enter();
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        try
        {
            return write();
        }
        finally
        {
            _lock.Exit();
        }
    }
}
