using System.Collections.Frozen;
using Microsoft.Net.Http.Headers;

namespace Iris.Camera.Web;

/// <summary>One problem type's words for people: the English title (as the endpoints write it) and the Traditional Chinese title and detail.</summary>
internal sealed record ProblemText(string En, string ZhTitle, string ZhDetail);

/// <summary>
/// The problem types' texts in the languages the owner's app ships in (house style 10). The <c>type</c> code is
/// the contract and never changes; only <c>title</c>, <c>detail</c> and field messages follow the request's
/// <c>Accept-Language</c>. English stays what each endpoint wrote (it may carry specifics such as a field or a
/// time); a zh-TW request gets the catalog's words, and a client that wants a time shown in its own zone reads the
/// problem's <c>retryAt</c> member. Every type an endpoint can answer has a row: ProblemTextsTests walks the source.
/// </summary>
internal static class ProblemTexts
{
    public const string English = "en";

    public const string TraditionalChinese = "zh-TW";

    private const string TryLater = "請稍後再試。";

    public static readonly FrozenDictionary<string, ProblemText> Catalog = new Dictionary<string, ProblemText>(StringComparer.Ordinal)
    {
        ["alert-not-found"] = new("No unacknowledged alert has this id.", "找不到這則警示。", "它可能已被標示為已讀。"),
        ["bad-request"] = new("The request could not be read.", "無法讀取這個請求。", "請重新整理頁面後再試一次。"),
        ["body-not-allowed"] = new("This endpoint takes no request body.", "這個動作不接受附帶資料。", "請重新整理頁面後再試一次。"),
        ["body-too-large"] = new("The request body is too large.", "送出的資料太大。", "請減少內容後再試一次。"),
        ["busy"] = new("The device is busy with other sign-ins. Try again shortly.", "攝影機正忙著處理其他登入。", TryLater),
        ["consent-text-changed"] = new("The consent text has changed.", "同意書內容已變更。", "請重新閱讀新的內容後再決定是否同意。"),
        ["csrf-token-missing"] = new("The request lacks this session's anti-forgery token.", "這個請求缺少安全憑證。", "請重新整理頁面；若仍失敗，請重新登入。"),
        ["debug-disabled"] = new("This device has no vendor debug key.", "此攝影機未開放原廠除錯。", "除錯功能需要原廠的除錯金鑰。"),
        ["debug-token-expired"] = new("The token has expired.", "除錯憑證已過期。", "請向原廠索取新的憑證。"),
        ["debug-token-invalid"] = new("The token is not signed by the vendor's debug key.", "除錯憑證不是由原廠簽署。", "請向原廠索取正確的憑證。"),
        ["debug-token-nonce"] = new("The token's nonce was not issued by this device.", "除錯憑證的一次性代碼無效。", "它已過期、已使用過，或不是這台攝影機發出的。"),
        ["debug-token-too-long"] = new("A debug token may grant at most 24 hours from now.", "除錯憑證的有效期間太長。", "除錯憑證最多只能有效 24 小時。"),
        ["debug-token-wrong-device"] = new("The token is for another device.", "除錯憑證屬於另一台攝影機。", "請使用這台攝影機的憑證。"),
        ["forbidden"] = new("Your role does not allow this.", "您的角色沒有這項權限。", "請由管理者執行這個動作。"),
        ["headers-too-large"] = new("The request headers are too large.", "請求的標頭太大。", "請重新整理頁面後再試一次。"),
        ["http-version-not-supported"] = new("The device speaks HTTP/1.1 and HTTP/2 only.", "不支援這個通訊協定版本。", "請使用一般的網頁瀏覽器連線。"),
        ["internal"] = new("The device could not complete the request.", "攝影機無法完成這個請求。", TryLater),
        ["invalid-body"] = new("The request body is not acceptable.", "送出的資料格式不正確。", "請檢查輸入的內容後再試一次。"),
        ["invalid-field"] = new("The request has invalid fields.", "有欄位的內容不正確。", "請檢查標示的欄位後再試一次。"),
        ["invalid-query"] = new("The query parameters are not acceptable.", "請求的條件不正確。", "請重新整理頁面後再試一次。"),
        ["invalid-route-value"] = new("The address names no valid item.", "網址中的項目編號不正確。", "請重新整理頁面後再試一次。"),
        ["key-not-found"] = new("No paired, unrevoked key has this id.", "找不到這個已配對的金鑰。", "它可能已被撤銷。"),
        ["last-administrator"] = new("The last enabled administrator cannot be removed, disabled or demoted.", "不能移除、停用或降級最後一位管理者。", "請先新增另一位管理者。"),
        ["link-off"] = new("No broker or webhook is configured on this device.", "尚未設定平台連線。", "此攝影機沒有設定要傳送警示的平台。"),
        ["login-failed"] = new("The username or password is wrong.", "使用者名稱或密碼錯誤。", "請再試一次；多次失敗後登入會暫時鎖定。"),
        ["login-locked"] = new("Sign-in is locked after repeated failures.", "多次登入失敗，登入已暫時鎖定。", "請於畫面顯示的時間之後再試。"),
        ["login-throttled"] = new("Too many failed sign-ins.", "登入失敗次數太多。", "請於畫面顯示的時間之後再試。"),
        ["method-not-allowed"] = new("This address does not take this method.", "這個網址不支援此動作。", "請重新整理頁面後再試一次。"),
        ["motion-picture-not-found"] = new("This motion event has no picture.", "這次移動事件沒有畫面。", "畫面可能已隨錄影一併刪除。"),
        ["no-frame"] = new("The camera delivered no frame. Try again.", "攝影機沒有傳回畫面。", TryLater),
        ["no-permission-entry"] = new("This endpoint is not open to anyone.", "這個功能不開放使用。", "沒有任何角色可以使用這個功能。"),
        ["no-update"] = new("No update is available.", "目前沒有可安裝的更新。", "請先檢查更新。"),
        ["nonce-rejected"] = new("The sign-in request was already used or has expired.", "這次登入請求已使用過或已過期。", "請重新登入。"),
        ["not-found"] = new("Not found.", "找不到所要求的內容。", "此攝影機沒有設定這項資訊。"),
        ["not-signed-in"] = new("Sign in first.", "請先登入。", "您的登入已結束或尚未登入。"),
        ["not-slotted"] = new("Updates need the two-copy start-up.", "這台攝影機無法安裝更新。", "安裝更新需要以雙分區方式啟動攝影機軟體。"),
        ["password-change-required"] = new("Change your password first.", "請先變更您的密碼。", "在使用其他功能之前，請先設定您自己的密碼。"),
        ["password-required"] = new("Type your own password to confirm.", "請輸入您自己的密碼以確認。", "這個動作需要再次確認您的身分。"),
        ["privacy-mode"] = new("Privacy mode is on: the camera captures nothing.", "隱私模式已開啟：攝影機不擷取任何影像。", "關閉隱私模式後才能觀看或拍攝快照。"),
        ["reauthentication-locked"] = new("Password confirmation is locked after repeated wrong passwords.", "密碼確認多次錯誤，已暫時鎖定。", "請於畫面顯示的時間之後再試。"),
        ["reauthentication-throttled"] = new("Too many wrong passwords.", "密碼錯誤次數太多。", "請於畫面顯示的時間之後再試。"),
        ["recording-damaged"] = new("This recording is damaged or was altered.", "這段錄影已損壞或遭到修改。", "攝影機不會播放無法驗證的錄影。"),
        ["recording-not-found"] = new("No recording has this id.", "找不到這段錄影。", "它可能已被刪除或已超過保存期間。"),
        ["repeated-query-parameter"] = new("A query parameter is repeated.", "請求的條件重複。", "請重新整理頁面後再試一次。"),
        ["request-target-too-long"] = new("The request target is too long.", "網址太長。", "請重新整理頁面後再試一次。"),
        ["request-timeout"] = new("The request arrived too slowly.", "請求傳送得太慢。", "請檢查網路連線後再試一次。"),
        ["rtsps-port-unavailable"] = new("The RTSPS port could not be opened.", "無法開啟錄影機串流的連接埠。", "可能有其他程式正在使用它，請檢查錄影機串流連接埠的設定。"),
        ["export-encoder-failed"] = new("The recordings could not be encoded into one video file.", "無法將這段錄影編碼成一個影片檔。", "攝影機設定的影像編碼器無法使用，請管理者檢查編碼器設定。"),
        ["media-busy"] = new("The camera is busy preparing other recordings.", "攝影機正在準備其他錄影。", "請稍候片刻再試一次。"),
        ["export-unavailable"] = new("The recording cannot be prepared for download on this device.", "這台攝影機目前無法準備下載的錄影檔。", "攝影機缺少準備影片檔所需的記憶體空間。"),
        ["sbom-missing"] = new("This build carries no SBOM.", "此版本未附軟體物料清單。", "只有原廠正式發行的版本附有清單。"),
        ["telemetry-unavailable"] = new("No telemetry receiver is configured on this device.", "此攝影機無法使用遙測。", "沒有設定接收遙測資料的對象。"),
        ["too-many-streams"] = new("Too many live streams from this address.", "從這個位置開啟的即時影像太多。", "請先關閉其他視窗中的即時影像。"),
        ["too-many-viewers"] = new("The camera serves its maximum number of live viewers.", "同時觀看的人數已達上限。", TryLater),
        ["unknown-data-kind"] = new("No deletable data kind has this id.", "找不到這種資料。", "請重新整理頁面後再試一次。"),
        ["unknown-query-parameter"] = new("A query parameter is not known.", "請求含有不明的條件。", "請重新整理頁面後再試一次。"),
        ["unsupported-media-type"] = new("The body's media type is not supported.", "送出的資料類型不受支援。", "請重新整理頁面後再試一次。"),
        ["update-busy"] = new("An install is already running.", "已經在安裝更新。", "請等目前的安裝完成。"),
        ["user-exists"] = new("An account with this username exists.", "已有使用這個名稱的帳號。", "請選擇其他使用者名稱。"),
        ["user-not-found"] = new("No account has this username.", "找不到這個帳號。", "它可能已被刪除。"),
        ["weak-password"] = new("The password is not acceptable.", "這個密碼不夠安全。", "請使用更長、較難猜到的密碼（至少 12 個字元，不要用常見字詞、序號或型號）。"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Status-code pages (404, 405 from routing) get a generic row per status class.</summary>
    private static readonly ProblemText HttpStatus = new("The request failed.", "請求失敗。", "請重新整理頁面後再試一次。");

    /// <summary>The text for a type code (without the URN prefix), or null when the catalog lacks it.</summary>
    public static ProblemText? For(string code) =>
        Catalog.TryGetValue(code, out var text) ? text : code.StartsWith("http-", StringComparison.Ordinal) ? HttpStatus : null;

    /// <summary>The language to answer in: the first of en or zh (any zh: the app ships Traditional Chinese only) by the client's preference.</summary>
    public static string LanguageOf(HttpRequest request) => LanguageOf(request.GetTypedHeaders().AcceptLanguage);

    private static string LanguageOf(IList<StringWithQualityHeaderValue> wanted)
    {
        foreach (var language in wanted.OrderByDescending(l => l.Quality ?? 1))
        {
            var tag = language.Value.Value ?? "";
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
            {
                return TraditionalChinese;
            }

            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase))
            {
                return English;
            }
        }

        return English;
    }

    /// <summary>Rewrites a problem's words into the request's language; the type, status and extensions stay.</summary>
    public static void Localize(Microsoft.AspNetCore.Mvc.ProblemDetails problem, HttpContext http)
    {
        http.Response.Headers.ContentLanguage = LanguageOf(http.Request);
        http.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
        if (LanguageOf(http.Request) != TraditionalChinese || problem.Type is null || !problem.Type.StartsWith(Problems.TypePrefix, StringComparison.Ordinal))
        {
            return;
        }

        if (For(problem.Type[Problems.TypePrefix.Length..]) is not { } text)
        {
            return;
        }

        problem.Title = text.ZhTitle;
        problem.Detail = text.ZhDetail;
        if (problem is HttpValidationProblemDetails validation)
        {
            // The field names (keys) stay so a form can still mark the field; each message keeps its specifics
            // (the field's name, the limit) where FieldTexts knows the English sentence, else the type's detail.
            foreach (var field in validation.Errors.Keys.ToList())
            {
                validation.Errors[field] = [.. validation.Errors[field].Select(message => FieldTexts.Chinese(field, message) ?? text.ZhDetail)];
            }
        }
    }

    /// <summary>The request's language from an Accept-Language value alone (Kestrel's own refusals have no HttpRequest).</summary>
    public static string LanguageOf(Microsoft.Extensions.Primitives.StringValues acceptLanguage) =>
        StringWithQualityHeaderValue.TryParseList(acceptLanguage, out var wanted) ? LanguageOf(wanted) : English;

    /// <summary>Title and detail of a type in a language: the English title as the caller wrote it, or the catalog's Chinese words.</summary>
    public static (string Title, string? Detail) Words(string type, string englishTitle, string language) =>
        language == TraditionalChinese && For(type) is { } text ? (text.ZhTitle, text.ZhDetail) : (englishTitle, null);
}
