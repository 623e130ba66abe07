using System.Globalization;
using System.Text.RegularExpressions;

namespace Iris.Camera.Web;

/// <summary>
/// Field messages in Traditional Chinese that keep what the English said: which field (by its name in the app,
/// where known; the error's key names it always) and which limit. The English sentences come from DataAnnotations'
/// defaults, <see cref="JsonBody"/>, <see cref="DeclaredNulls"/> and a few validators; a sentence not listed here
/// gets the problem type's general detail, never English.
/// </summary>
internal static partial class FieldTexts
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["sensitivity"] = "靈敏度", ["zones"] = "偵測範圍", ["enabled"] = "開關", ["mode"] = "模式",
        ["schedule.timeZone"] = "時區", ["schedule.days"] = "日子", ["schedule.from"] = "開始時間", ["schedule.to"] = "結束時間",
        ["username"] = "使用者名稱", ["password"] = "密碼", ["newPassword"] = "新密碼", ["currentPassword"] = "目前的密碼",
        ["role"] = "角色", ["label"] = "名稱", ["width"] = "寬度", ["height"] = "高度", ["framesPerSecond"] = "每秒畫面數",
        ["source"] = "畫面來源", ["device"] = "裝置", ["streamUrl"] = "串流網址",
        ["brokerHost"] = "代理伺服器主機名稱", ["brokerPort"] = "連接埠", ["topicRoot"] = "主題前綴", ["webhookUrl"] = "接收端位址",
    };

    private static readonly (Regex English, Func<Match, string> Chinese)[] Sentences =
    [
        (Between(), m => $"必須介於 {m.Groups["a"].Value} 到 {m.Groups["b"].Value} 之間。"),
        (Required(), _ => "必須填寫。"),
        (StringLengthRange(), m => $"長度必須是 {m.Groups["a"].Value} 到 {m.Groups["b"].Value} 個字元。"),
        (MaxString(), m => $"最多 {m.Groups["n"].Value} 個字元。"),
        (MaxItems(), m => $"最多 {m.Groups["n"].Value} 個（字元或項目）。"),
        (MinItems(), m => $"至少 {m.Groups["n"].Value} 個（字元或項目）。"),
        (Pattern(), _ => "格式不正確。"),
        (NotPlain(), _ => "含有不允許的字元。"),
        (NullZone(), m => $"第 {Next(m)} 個範圍是空的，請提供位置與大小。"),
        (ZoneOutside(), m => $"第 {Next(m)} 個範圍必須完全在畫面內（以 0 到 1 的比例表示）。"),
    ];

    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["This field is not accepted."] = "不接受這個欄位。",
        ["The body is nested too deeply."] = "資料的層次太深。",
        ["This field appears more than once."] = "這個欄位重複出現。",
        ["The body is not valid JSON."] = "資料格式不正確。",
        ["This field has the wrong type or the body is not valid JSON."] = "這個欄位的資料類型不正確。",
        ["The body must be a JSON object."] = "資料格式不正確。",
        ["This field must not be null."] = "不可為空值。",
        ["Give a time zone by its IANA name, such as Asia/Taipei."] = "請以標準名稱指定時區，例如 Asia/Taipei。",
        ["Choose at least one day, or turn the schedule off."] = "請至少選擇一天，或關閉偵測時段。",
        ["Days are sunday, monday, tuesday, wednesday, thursday, friday or saturday."] = "日子必須是星期日到星期六其中幾天。",
        ["A day is listed twice."] = "有一天重複出現。",
        ["Give the start as HH:mm (00:00-23:59)."] = "請以「時:分」填寫開始時間（00:00 到 23:59）。",
        ["Give the end as HH:mm (00:00-23:59)."] = "請以「時:分」填寫結束時間（00:00 到 23:59）。",
        ["The port must be 1-65535."] = "必須介於 1 到 65535 之間。",
        ["The topic root must be 1-64 characters without the MQTT wildcards # and + and must not start with $."] = "長度必須是 1 到 64 個字元，不可含 MQTT 萬用字元 # 或 +，也不可以 $ 開頭。",
        ["The receiver address must be an absolute https:// address."] = "必須是完整的 https:// 位址。",
        ["No CA file is installed for the link (Iris:Cloud:CaCertificateFile), so no broker or receiver can be checked yet."] = "攝影機尚未安裝平台連線用的憑證機構檔案（Iris:Cloud:CaCertificateFile），因此還無法驗證代理伺服器或接收端。",
    };

    /// <summary>The Chinese message for an English field message, prefixed with the field's name where known; null when unknown.</summary>
    public static string? Chinese(string field, string english)
    {
        var words = Exact.GetValueOrDefault(english)
            ?? Sentences.Select(s => (s.Chinese, Match: s.English.Match(english))).Where(s => s.Match.Success).Select(s => s.Chinese(s.Match)).FirstOrDefault();
        return words is null ? null : Labels.TryGetValue(field, out var label) ? $"{label}：{words}" : words;
    }

    private static string Next(Match match) =>
        (int.Parse(match.Groups["i"].Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^The field \S+ must be between (?<a>\S+) and (?<b>\S+)\.$")]
    private static partial Regex Between();

    [GeneratedRegex(@"^The \S+ field is required\.$")]
    private static partial Regex Required();

    [GeneratedRegex(@"^The field \S+ must be a string with a minimum length of (?<a>\d+) and a maximum length of (?<b>\d+)\.$")]
    private static partial Regex StringLengthRange();

    [GeneratedRegex(@"^The field \S+ must be a string with a maximum length of (?<n>\d+)\.$")]
    private static partial Regex MaxString();

    [GeneratedRegex(@"^The field \S+ must be a string or array type with a maximum length of '(?<n>\d+)'\.$")]
    private static partial Regex MaxItems();

    [GeneratedRegex(@"^The field \S+ must be a string or array type with a minimum length of '(?<n>\d+)'\.$")]
    private static partial Regex MinItems();

    [GeneratedRegex(@"^The field \S+ must match the regular expression ")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"contains characters that are not allowed\.$")]
    private static partial Regex NotPlain();

    [GeneratedRegex(@"^Zone (?<i>\d+) is null")]
    private static partial Regex NullZone();

    [GeneratedRegex(@"^Zone (?<i>\d+) must lie inside the frame")]
    private static partial Regex ZoneOutside();
}
