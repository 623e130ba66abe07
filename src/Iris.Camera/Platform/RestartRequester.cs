namespace Iris.Camera.Platform;

/// <summary>Asks the launcher for a restart: into a newly installed slot, or to carry out a factory reset.</summary>
public interface IRestartRequester
{
    void RequestRestart();
}

/// <summary>Exits with 75, which Iris.Boot reads as "choose the slot again and start it".</summary>
internal sealed class LauncherRestart(IHostApplicationLifetime lifetime) : IRestartRequester
{
    public void RequestRestart()
    {
        Environment.ExitCode = 75;
        lifetime.StopApplication();
    }
}
