namespace Iris.Camera.Media;

/// <summary>
/// Whether the frame source delivers a picture, and if not, why: a broken source is reported ("no signal:
/// REASON") instead of showing a blank picture. Each capture run has a generation; news from an older run (one
/// that was just replaced by new settings) is ignored. Reasons never hold a stream URL or its credentials.
/// </summary>
public sealed class VideoSignal
{
    private readonly Lock _lock = new();
    private int _generation;
    private string _state = NotChecked;
    private TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public const string Ok = "ok";
    public const string NotChecked = "not checked yet";

    /// <summary>"ok", "no signal: REASON", or "not checked yet".</summary>
    public string State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>A capture run began; with <paramref name="settingsChanged"/> the last state no longer says anything.</summary>
    internal void Started(int generation, bool settingsChanged)
    {
        lock (_lock)
        {
            _generation = generation;
            _lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (settingsChanged)
            {
                _state = NotChecked;
            }
        }
    }

    /// <summary>The settings changed while nothing captures: what was known is about the old source.</summary>
    internal void SettingsChanged()
    {
        lock (_lock)
        {
            _state = NotChecked;
        }
    }

    internal void Frame(int generation)
    {
        lock (_lock)
        {
            if (generation == _generation)
            {
                _state = Ok;
            }
        }
    }

    internal void Lost(int generation, string reason)
    {
        TaskCompletionSource<string> lost;
        lock (_lock)
        {
            if (generation != _generation)
            {
                return;
            }

            _state = "no signal: " + reason;
            lost = _lost;
        }

        lost.TrySetResult(reason);
    }

    /// <summary>Completes with the reason when capture run <paramref name="generation"/> loses its source.</summary>
    internal Task<string> LostAsync(int generation)
    {
        lock (_lock)
        {
            return generation == _generation ? _lost.Task : Task.FromResult("the capture was restarted");
        }
    }
}
