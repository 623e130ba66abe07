namespace Iris.Factory.Labels;

/// <summary>
/// What a device label shows (5.1.1.1 identifier, 5.2.3.4 model name, 5.1.3.1 default password). The QR code
/// carries the serial and the setup address, never the password: a photo of a shelf must not unlock cameras.
/// </summary>
internal sealed record DeviceLabel(string Vendor, string Model, string Serial, string Password, string SetupUrl)
{
    /// <summary>The QR payload: the setup address with the serial as its one query parameter.</summary>
    public string QrPayload => $"{SetupUrl.TrimEnd('/')}/?serial={Uri.EscapeDataString(Serial)}";
}

/// <summary>Where labels go: the only place a default password leaves the station.</summary>
internal interface ILabelOutput
{
    void Write(DeviceLabel label);
}

/// <summary>Writes SERIAL.svg, SERIAL.png (300 dpi) and SERIAL.pdf, owner-only (they hold the password).</summary>
internal sealed class LabelFiles(string directory) : ILabelOutput
{
    public string Directory { get; } = directory;

    public void Write(DeviceLabel label)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var layout = LabelLayout.For(label);
        var stem = Path.Combine(Directory, label.Serial);
        FactoryKeys.WriteNew(stem + ".svg", SvgLabel.Render(layout), FactoryKeys.OwnerOnly);
        WriteBytes(stem + ".png", PngLabel.Render(layout));
        WriteBytes(stem + ".pdf", PdfLabel.Render(layout));
    }

    private static void WriteBytes(string path, byte[] content)
    {
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FactoryKeys.OwnerOnly });
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }
}
