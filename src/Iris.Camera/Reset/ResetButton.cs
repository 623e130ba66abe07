using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Platform;

namespace Iris.Camera.Reset;

/// <summary>A digital input line (the reset button). Boards map it to a GPIO; tests to a file they write.</summary>
public interface ILineInput
{
    /// <summary>True while the button is pressed; null when the line cannot be read.</summary>
    bool? IsActive();
}

/// <summary>
/// A line read from a value file: the sysfs GPIO interface (<c>/sys/class/gpio/gpioN/value</c>, after exporting the
/// line) or any file holding "0" or "1", such as one a board-support daemon keeps up to date from libgpiod.
/// </summary>
public sealed class ValueFileLineInput(string path, bool activeLow) : ILineInput
{
    public bool? IsActive()
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text switch
            {
                "1" => !activeLow,
                "0" => activeLow,
                _ => null,
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Settings of the reset paths (section Iris:Reset).</summary>
public sealed class ResetOptions : Platform.ISettings, IBoundSettings<ResetOptions>
{
    public const string SectionName = "Iris:Reset";

    public static ResetOptions? Bind(IConfiguration section) => section.Get<ResetOptions>(SettingsBinding.Strict);

    /// <summary>Value file of the reset button's line; without one there is no physical reset.</summary>
    public string? ButtonValueFile { get; set; }

    public bool ActiveLow { get; set; }

    /// <summary>How long the button must be held: long enough that a knock does not wipe the camera.</summary>
    public TimeSpan HoldTime { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Validate()
    {
        if (HoldTime < TimeSpan.FromSeconds(3) || HoldTime > TimeSpan.FromMinutes(1))
        {
            yield return $"{SectionName}:HoldTime must be 3 to 60 seconds.";
        }
    }
}

/// <summary>Starts a factory reset: stops recording, records the request, and restarts the daemon to carry it out.</summary>
internal sealed class FactoryResetService(DataDirectory data, Recorder recorder, SecurityEventLog events, StepUpAuthentication stepUp, IRestartRequester restart)
{
    /// <summary>An administrator's request: starts the reset only once their own password is confirmed (throttled, logged).</summary>
    public async Task<StepUpOutcome> RequestConfirmedAsync(CameraSession session, string password, string source, CancellationToken cancellationToken)
    {
        var confirmed = stepUp.Verify(session, password, source, "factory reset");
        if (confirmed.Result == StepUpResult.Verified)
        {
            await RequestAsync(session.Username, source, "administrator", cancellationToken);
        }

        return confirmed;
    }

    public async Task RequestAsync(string? actor, string? source, string how, CancellationToken cancellationToken)
    {
        events.Append(SecurityEventKinds.FactoryReset, source, actor, $"requested ({how}); the device restarts and erases the owner's data");
        await recorder.StopAndWaitAsync(cancellationToken);
        FactoryReset.Request(data);
        restart.RequestRestart();
    }
}

/// <summary>Watches the reset button; holding it for <see cref="ResetOptions.HoldTime"/> starts a factory reset.</summary>
internal sealed class ResetButtonWatcher(ResetOptions options, ILineInput line, FactoryResetService reset, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? pressedSince = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (line.IsActive() == true)
            {
                pressedSince ??= now;
                if (now - pressedSince >= options.HoldTime)
                {
                    await reset.RequestAsync(null, "reset button", $"button held {options.HoldTime.TotalSeconds:0} s", stoppingToken);
                    return;
                }
            }
            else
            {
                pressedSince = null;
            }

            try
            {
                await Task.Delay(Poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
