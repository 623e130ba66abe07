namespace Iris.Lab.Tests.Support;

/// <summary>A clock that moves only when a test moves it, so timings can be asserted exactly.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long ticks = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero).UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
