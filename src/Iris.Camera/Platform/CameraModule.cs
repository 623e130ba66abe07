namespace Iris.Camera.Platform;

/// <summary>A settings section: bound from configuration and checked, every problem reported at once.</summary>
public interface ISettings
{
    /// <summary>Every problem with these settings, each naming its key; empty when they are usable.</summary>
    IEnumerable<string> Validate();
}

/// <summary>
/// One capability of the daemon (a folder under src/Iris.Camera). The composition root lists the modules in
/// dependency order; each registers its own settings, services, hosted services and endpoints, and declares its
/// network services and stored data through the contribution interfaces of the layers below it.
/// </summary>
internal abstract class CameraModule
{
    /// <summary>Registers settings (through <see cref="ModuleServices.Settings{T}"/>), services and hosted services.</summary>
    public virtual void AddServices(ModuleServices module)
    {
    }

    /// <summary>
    /// Finishes work a crash or power cut interrupted on disk, before any module opens its state (a pending
    /// factory reset, for example). Runs for every module before any <see cref="Open"/>.
    /// </summary>
    public virtual void Recover(IServiceProvider services)
    {
    }

    /// <summary>Opens this module's state, so a bad data directory stops the daemon before it listens.</summary>
    public virtual void Open(IServiceProvider services)
    {
    }

    /// <summary>Maps this module's HTTP endpoints; each one states its permission where it is mapped.</summary>
    public virtual void MapEndpoints(IEndpointRouteBuilder routes)
    {
    }
}

/// <summary>What a module registers into: the service collection, and settings bound with problems collected.</summary>
internal sealed class ModuleServices(IServiceCollection services, IConfiguration configuration)
{
    private readonly List<string> _problems = [];

    public IServiceCollection Services { get; } = services;

    /// <summary>Every settings problem found so far, across all modules.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>
    /// Binds the section (unknown keys are an error), validates it, registers it as a singleton and returns it.
    /// Problems are collected, not thrown, so one restart can fix them all.
    /// </summary>
    public T Settings<T>(string sectionName, Func<T, IEnumerable<string>>? validate = null)
        where T : class, IBoundSettings<T>, new()
    {
        T settings;
        try
        {
            settings = T.Bind(configuration.GetSection(sectionName)) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            _problems.Add($"Invalid settings in '{sectionName}': {ex.Message}");
            settings = new T();
        }

        _problems.AddRange(validate?.Invoke(settings) ?? (settings as ISettings)?.Validate() ?? []);
        Services.AddSingleton(settings);
        return settings;
    }
}
