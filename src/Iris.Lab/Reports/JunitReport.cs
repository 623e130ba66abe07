using System.Globalization;
using System.Xml.Linq;
using Iris.Lab.Audit;

namespace Iris.Lab.Reports;

/// <summary>junit.xml for CI dashboards: one test case per item; fail is a failure, inconclusive an error, manual skipped.</summary>
internal static class JunitReport
{
    public static void Write(AuditReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var cases = report.Items.Select(item =>
        {
            var testCase = new XElement("testcase",
                new XAttribute("classname", "IoT-1005-1"),
                new XAttribute("name", $"{item.Requirement.Id} {item.Requirement.TitleEn}"));
            var evidence = string.Join('\n', item.Observations.Select(o => $"[{o.Probe}] {VerdictNames.Of(o.Verdict)}: {o.Evidence}"));
            switch (item.Verdict)
            {
                case Verdict.Fail:
                    testCase.Add(new XElement("failure", new XAttribute("message", "fail"), evidence));
                    break;
                case Verdict.Inconclusive:
                    testCase.Add(new XElement("error", new XAttribute("message", "inconclusive"), evidence));
                    break;
                case Verdict.Manual:
                    testCase.Add(new XElement("skipped", new XAttribute("message", "manual: " + item.Requirement.ReviewEn)));
                    break;
                default:
                    testCase.Add(new XElement("system-out", evidence));
                    break;
            }

            return testCase;
        });
        var suite = new XElement("testsuite",
            new XAttribute("name", $"iris-lab {report.Target}"),
            new XAttribute("tests", report.Items.Count),
            new XAttribute("failures", report.Items.Count(i => i.Verdict == Verdict.Fail)),
            new XAttribute("errors", report.Items.Count(i => i.Verdict == Verdict.Inconclusive)),
            new XAttribute("skipped", report.Items.Count(i => i.Verdict == Verdict.Manual)),
            new XAttribute("timestamp", report.Started.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
            new XAttribute("time", (report.Finished - report.Started).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)),
            cases);
        new XDocument(new XElement("testsuites", suite)).Save(output);
    }
}
