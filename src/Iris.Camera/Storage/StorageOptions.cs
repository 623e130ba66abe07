using Iris.Camera.Platform;

namespace Iris.Camera.Storage;

/// <summary>Where the daemon keeps its state.</summary>
public sealed class StorageOptions : ISettings, IBoundSettings<StorageOptions>
{
    public const string SectionName = "Iris:Storage";

    public static StorageOptions? Bind(IConfiguration section) => section.Get<StorageOptions>(SettingsBinding.Strict);

    public string DataDirectory { get; set; } = "data";

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            yield return $"{SectionName}:DataDirectory must not be empty.";
        }
    }
}
