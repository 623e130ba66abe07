namespace Iris.Camera.Platform;

/// <summary>
/// A settings class that binds itself from its configuration section. The call inside <see cref="Bind"/> names the
/// concrete type, so the configuration binding source generator replaces it with generated code: no reflection over
/// the class's setters, which the Native AOT build trims away (a generic <c>Get&lt;T&gt;</c> in
/// <see cref="ModuleServices.Settings{T}"/> could not be generated). JIT and AOT builds run the same binding code.
/// </summary>
public interface IBoundSettings<TSelf>
    where TSelf : class, IBoundSettings<TSelf>
{
    /// <summary>The section bound to a new instance; null when the section is absent; throws
    /// <see cref="InvalidOperationException"/> for an unknown key or a value of the wrong type.</summary>
    static abstract TSelf? Bind(IConfiguration section);
}

/// <summary>The binder options every settings section is bound with.</summary>
public static class SettingsBinding
{
    /// <summary>An unknown key is an error (a misspelt setting must not silently keep its default).</summary>
    public static Action<BinderOptions> Strict { get; } = o => o.ErrorOnUnknownConfiguration = true;
}
