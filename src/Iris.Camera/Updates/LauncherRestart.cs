namespace Iris.Camera.Updates;

/// <summary>Asks the launcher for a restart into the newly installed slot.</summary>
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
