namespace Iris.Camera.Platform;

/// <summary>Set by Iris.Boot in the daemon's environment (Iris__Boot__Directory, Iris__Boot__Slot).</summary>
public sealed class BootOptions : IBoundSettings<BootOptions>
{
    public const string SectionName = "Iris:Boot";

    public static BootOptions? Bind(IConfiguration section) => section.Get<BootOptions>(SettingsBinding.Strict);

    public string? Directory { get; set; }

    public string? Slot { get; set; }

    public bool IsSlotted => !string.IsNullOrEmpty(Directory) && Slot is "a" or "b";
}
