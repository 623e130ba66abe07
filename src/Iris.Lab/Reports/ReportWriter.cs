using Iris.Lab.Audit;

namespace Iris.Lab.Reports;

/// <summary>Writes the four report files into the output directory, each complete before it gets its name.</summary>
internal static class ReportWriter
{
    public static readonly string[] FileNames = ["report.json", "report.html", "junit.xml", "findings.sarif"];

    public static void WriteAll(AuditReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, "report.json"), s => JsonReport.Write(report, s));
        Write(Path.Combine(directory, "report.html"), s => HtmlReport.Write(report, s));
        Write(Path.Combine(directory, "junit.xml"), s => JunitReport.Write(report, s));
        Write(Path.Combine(directory, "findings.sarif"), s => SarifReport.Write(report, s));
    }

    private static void Write(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
