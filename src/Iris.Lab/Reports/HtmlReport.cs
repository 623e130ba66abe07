using System.Globalization;
using System.Net;
using System.Text;
using Iris.Lab.Audit;

namespace Iris.Lab.Reports;

/// <summary>
/// report.html: one self-contained page (inline style, no script, nothing fetched) in English and Traditional
/// Chinese side by side, so a lab can hand it to either reader. Everything that came from the target (banners,
/// certificate names) is HTML-encoded: a hostile device must not be able to script the reviewer's browser.
/// </summary>
internal static class HtmlReport
{
    private const string Style = "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}"
        + "td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}.pass{background:#e6f4ea}"
        + ".fail{background:#fce8e6}.inconclusive{background:#fef7e0}.manual{background:#eef}small{color:#555}pre{white-space:pre-wrap;margin:0}";

    public static void Write(AuditReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
            .Append("<title>iris-lab: ").Append(E(report.Target)).Append("</title><style>").Append(Style).Append("</style></head>\n<body>\n");
        html.Append("<h1>IoT-1005-1 audit / <span lang=\"zh-TW\">IoT-1005-1 資安檢測報告</span></h1>\n<p>")
            .Append("Target / <span lang=\"zh-TW\">受測設備</span>: <code>").Append(E(report.Target)).Append("</code><br>")
            .Append(E(report.Started.ToString("u", CultureInfo.InvariantCulture))).Append(" – ")
            .Append(E(report.Finished.ToString("u", CultureInfo.InvariantCulture))).Append("<br>");
        foreach (var verdict in Enum.GetValues<Verdict>())
        {
            html.Append(VerdictNames.Of(verdict)).Append(" / <span lang=\"zh-TW\">").Append(Chinese(verdict)).Append("</span>: ")
                .Append(report.Items.Count(i => i.Verdict == verdict)).Append("&nbsp; ");
        }

        html.Append("</p>\n<h2>Items / <span lang=\"zh-TW\">檢測項目</span></h2>\n<table><tr><th>Item / <span lang=\"zh-TW\">項目</span></th>")
            .Append("<th>Verdict / <span lang=\"zh-TW\">結果</span></th><th>Evidence / <span lang=\"zh-TW\">證據</span></th></tr>\n");
        foreach (var item in report.Items)
        {
            var name = VerdictNames.Of(item.Verdict);
            html.Append("<tr class=\"").Append(name).Append("\"><td><b>").Append(E(item.Requirement.Id)).Append("</b> ")
                .Append(E(item.Requirement.TitleEn)).Append("<br><small lang=\"zh-TW\">").Append(E(item.Requirement.TitleZh)).Append("</small></td><td>")
                .Append(name).Append("<br><span lang=\"zh-TW\">").Append(Chinese(item.Verdict)).Append("</span></td><td>");
            foreach (var o in item.Observations)
            {
                html.Append("<pre>[").Append(E(o.Probe)).Append("] ").Append(VerdictNames.Of(o.Verdict)).Append(": ").Append(E(o.Evidence)).Append("</pre>");
            }

            if (item.Verdict != Verdict.Fail)
            {
                html.Append("<p>Reviewer: ").Append(E(item.Requirement.ReviewEn)).Append("<br><span lang=\"zh-TW\">審查者：")
                    .Append(E(item.Requirement.ReviewZh)).Append("</span></p>");
            }

            html.Append("</td></tr>\n");
        }

        html.Append("</table>\n<h2>Findings / <span lang=\"zh-TW\">發現事項</span></h2>\n");
        if (report.Findings.Count == 0)
        {
            html.Append("<p>None / <span lang=\"zh-TW\">無</span></p>\n");
        }
        else
        {
            html.Append("<table><tr><th>Item</th><th>Severity / <span lang=\"zh-TW\">嚴重度</span></th><th>Finding / <span lang=\"zh-TW\">說明</span></th>")
                .Append("<th>Reproduce / <span lang=\"zh-TW\">重現方式</span></th></tr>\n");
            foreach (var f in report.Findings)
            {
                html.Append("<tr><td>").Append(E(f.Item)).Append("</td><td>").Append(VerdictNames.Of(f.Severity)).Append("</td><td><b>")
                    .Append(E(f.Title)).Append("</b><pre>").Append(E(f.Evidence)).Append("</pre></td><td><pre>").Append(E(f.Reproduce)).Append("</pre></td></tr>\n");
            }

            html.Append("</table>\n");
        }

        html.Append("</body>\n</html>\n");
        var bytes = Encoding.UTF8.GetBytes(html.ToString());
        output.Write(bytes);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Chinese(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "符合",
        Verdict.Fail => "不符合",
        Verdict.Inconclusive => "無法判定",
        _ => "需人工審查",
    };
}
