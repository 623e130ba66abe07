using System.Text.Json;
using Iris.Lab.Audit;
using Iris.Lab.Tls;

namespace Iris.Lab.Reports;

/// <summary>
/// report.json: <c>items</c> (one per IoT-1005-1 item: id, verdict, evidence, and the reviewer's question where the
/// lab's view is not the whole item) and <c>findings</c>. Written field by field so its shape is fixed here, not by
/// a serializer's naming policy.
/// </summary>
internal static class JsonReport
{
    public static void Write(AuditReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("tool", "iris-lab");
        json.WriteString("standard", "IoT-1005-1 V1.0 (2021)");
        json.WriteString("target", report.Target);
        json.WriteString("started", report.Started);
        json.WriteString("finished", report.Finished);
        json.WriteBoolean("failed", report.AnyFailed);
        json.WriteStartArray("items");
        foreach (var item in report.Items)
        {
            json.WriteStartObject();
            json.WriteString("id", item.Requirement.Id);
            json.WriteString("title", item.Requirement.TitleEn);
            json.WriteString("verdict", VerdictNames.Of(item.Verdict));
            json.WriteStartArray("evidence");
            foreach (var o in item.Observations)
            {
                json.WriteStartObject();
                json.WriteString("probe", o.Probe);
                json.WriteString("verdict", VerdictNames.Of(o.Verdict));
                json.WriteString("text", o.Evidence);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (item.Verdict != Verdict.Fail)
            {
                json.WriteString("review", item.Requirement.ReviewEn);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("findings");
        foreach (var f in report.Findings)
        {
            json.WriteStartObject();
            json.WriteString("item", f.Item);
            json.WriteString("severity", VerdictNames.Of(f.Severity));
            json.WriteString("title", f.Title);
            json.WriteString("evidence", f.Evidence);
            json.WriteString("reproduce", f.Reproduce);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteTls(json, report.Tls);
        WriteTimings(json, report);
        json.WriteEndObject();
    }

    /// <summary><c>timings</c>: the audit's wall time and each phase's start (after the audit began) and length, in milliseconds.</summary>
    private static void WriteTimings(Utf8JsonWriter json, AuditReport report)
    {
        json.WriteStartObject("timings");
        json.WriteNumber("totalMs", Math.Round(report.Elapsed.TotalMilliseconds, 1));
        json.WriteStartArray("phases");
        foreach (var phase in report.Timings)
        {
            json.WriteStartObject();
            json.WriteString("phase", phase.Phase);
            json.WriteNumber("startMs", Math.Round(phase.Start.TotalMilliseconds, 1));
            json.WriteNumber("ms", Math.Round(phase.Elapsed.TotalMilliseconds, 1));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTls(Utf8JsonWriter json, IReadOnlyList<TlsFacts> ports)
    {
        json.WriteStartArray("tls");
        foreach (var facts in ports)
        {
            json.WriteStartObject();
            json.WriteNumber("port", facts.Port);
            json.WriteStartObject("versions");
            foreach (var version in facts.Versions)
            {
                json.WriteStartArray(TlsVersions.Name(version));
                foreach (var suite in facts.Suites[version])
                {
                    json.WriteStringValue(CipherSuites.NameOf(suite));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("groups");
            foreach (var group in facts.Groups)
            {
                json.WriteStringValue(NamedGroups.NameOf(group));
            }

            json.WriteEndArray();
            json.WriteStartObject("signatures");
            foreach (var (version, schemes) in facts.Signatures)
            {
                json.WriteStartArray(TlsVersions.Name(version));
                foreach (var scheme in schemes)
                {
                    json.WriteStringValue(SignatureSchemes.NameOf(scheme));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("dhBits");
            foreach (var bits in facts.DhBits)
            {
                json.WriteNumberValue(bits);
            }

            json.WriteEndArray();
            json.WriteStartArray("certificates");
            foreach (var cert in facts.Chain)
            {
                json.WriteStringValue(CertificateJudge.Describe(cert));
            }

            json.WriteEndArray();
            json.WriteNumber("hellos", facts.Handshakes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
