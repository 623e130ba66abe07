// Iris camera web UI. No framework, no inline script (the CSP forbids it), no third-party code.
// Talks only to this device's API; the session cookie is HttpOnly, and the anti-CSRF token is read from its
// own cookie and sent back in a header on every state-changing request.

import { LivePlayer, mseAvailable } from "./player.js";

const texts = {
  en: {
    product: "Iris camera", language: "Language", signIn: "Sign in", signOut: "Sign out",
    signInHint: "First time? Use the user admin and the default password printed on the device label.",
    username: "Username", password: "Password", claimTitle: "Set your own password",
    claimHint: "This device still uses its default password. Choose your own (at least 12 characters) before anything else.",
    currentPassword: "Current (default) password", newPassword: "New password", repeatPassword: "Repeat new password", savePassword: "Save password",
    dashboard: "Dashboard", users: "Users", security: "Security", serial: "Serial number", model: "Model",
    version: "Software version", identity: "Identity", signedInAs: "Signed in as", role: "Role", state: "State",
    addUser: "Add user", viewer: "Viewer", administrator: "Administrator", temporaryPassword: "Temporary password",
    link: "Platform link", linkTest: "Send a test alert", linkKey: "Make a new webhook key", linkOff: "Off: no broker or webhook is configured (Iris:Cloud).",
    pairedKeys: "Paired app keys", keyLabel: "Name", pairingCode: "Make a pairing code", revoke: "Revoke", noKeys: "No paired keys.",
    pairingShown: "Enter this code in the app within 10 minutes:", revoked: "revoked",
    linkSent: "Test alert raised.", linkKeyShown: "Enter this key at the webhook receiver now; it is not shown again:",
    alerts: "Alerts", events: "Security events", time: "Time", event: "Event", account: "Account", source: "Source",
    enabled: "Enabled", disabled: "Disabled", disable: "Disable", enable: "Enable", remove: "Delete",
    resetPassword: "Reset password", acknowledge: "Mark as seen", noAlerts: "No open alerts.",
    passwordsDiffer: "The two passwords differ.", passwordSaved: "Your password is saved. The device is yours.",
    chainIntact: "Event log integrity: intact.", chainBroken: "Event log integrity: BROKEN at record ",
    development: "development (not factory-provisioned)", factory: "factory", mustChange: "must change password",
    confirmDelete: "Delete this user?", newTemporaryPassword: "New temporary password (at least 12 characters):",
    "brute-force": "Repeated failed sign-ins", lockout: "Sign-in locked",
    "login-after-failures": "Sign-in after many failures", "login-from-new-source": "Sign-in from a new place",
    "login-succeeded": "Signed in", "login-failed": "Sign-in failed", "password-changed": "Password changed",
    "password-reset": "Password reset", logout: "Signed out", "user-created": "User added", "user-changed": "User changed",
    "user-deleted": "User deleted", "sessions-revoked": "Sessions ended", "device-claimed": "Device claimed",
    "alert-acknowledged": "Alert marked as seen", from: "from", "settings-changed": "Settings changed",
    live: "Live", snapshot: "Snapshot", privacyOn: "Privacy mode is on: the camera captures nothing.",
    microphoneOn: "Microphone on: sound is captured.", microphoneOff: "Microphone off.", speed: "Speed",
    privacyEnable: "Turn privacy mode on", privacyDisable: "Turn privacy mode off",
    recordings: "Recordings", settings: "Settings", start: "Start", duration: "Length", size: "Size",
    noRecordings: "No recordings.", deleteAll: "Delete all recordings", play: "Play", download: "Download",
    confirmDeleteAll: "Delete every recording? This cannot be undone.", recording: "Recording",
    recordingMode: "Recording mode", modeOff: "Off", modeContinuous: "Continuous", modeMotion: "When motion is seen",
    components: "Software components", sbomDownload: "Download the SBOM (CycloneDX)", sbomMissing: "This build carries no SBOM.",
    updates: "Updates", updatesUntil: "Security updates until", installedVersion: "Installed version", slot: "Slot",
    lastCheck: "Last check", available: "Available update", progress: "Progress", lastInstall: "Last install", lastRollback: "Last rollback",
    checkNow: "Check now", installNow: "Install now", updateMode: "Installation", automatic: "Automatic", manual: "Manual",
    staleMetadata: "Update information is out of date: the device could not confirm it is current.",
    supportEnded: "Security updates for this software have ended.", none: "None", notStated: "not stated", notSlotted: "not started by Iris.Boot",
    installStarted: "Installing; the camera restarts into the new version when it is done.",
    privacy: "Privacy", inventory: "What this camera stores", dataKind: "Data", purpose: "Purpose", retention: "Kept for",
    deleteKind: "Delete", deleteAllPersonal: "Delete all personal data", confirmDeleteKind: "Delete this data now? It cannot be undone.", confirmPassword: "Type your password to confirm.",
    deleted: "Deleted.", notStored: "not stored", telemetry: "Telemetry", telemetryPreview: "Exactly what would be sent",
    telemetryAccept: "I agree to send telemetry", telemetryWithdraw: "Withdraw consent", telemetryOn: "Telemetry is on (you agreed).",
    telemetryOff: "Telemetry is off.", telemetryUnavailable: "Telemetry is not available on this camera (no receiver configured).",
    factoryReset: "Factory reset", yourPassword: "Your password",
    factoryResetHint: "Destroys the storage key and erases all accounts, recordings, settings and logs. The serial number stays; sign in afterwards with the default password on the label.",
    confirmFactoryReset: "Erase everything on this camera and restart it?", resetStarted: "The camera is restarting to erase its data.",
    save: "Save", saved: "Saved.", savedNoSignal: "Saved, but the camera gets no picture:", motion: "Motion detection", motionOn: "Detect motion", sensitivity: "Sensitivity (1-100)",
    video: "Video", source: "Source", sourceTestPattern: "Test pattern", sourceV4l2: "Camera (V4L2)",
    sourceStream: "HTTPS stream", device: "Device", streamUrl: "Stream URL (https://)", resolution: "Width x height",
    fps: "Frames per second", "recordings-deleted": "Recordings deleted", motionEvents: "Motion events",
    noMotion: "No motion seen.", motionSeen: "Motion",
  },
  "zh-Hant": {
    product: "Iris 攝影機", language: "語言", signIn: "登入", signOut: "登出",
    signInHint: "第一次使用？請以使用者 admin 及裝置標籤上的預設密碼登入。",
    username: "使用者名稱", password: "密碼", claimTitle: "設定您自己的密碼",
    claimHint: "此裝置仍使用預設密碼。請先設定您自己的密碼（至少 12 個字元），才能使用其他功能。",
    currentPassword: "目前（預設）密碼", newPassword: "新密碼", repeatPassword: "再次輸入新密碼", savePassword: "儲存密碼",
    dashboard: "總覽", users: "使用者", security: "安全", serial: "序號", model: "型號",
    version: "軟體版本", identity: "身分", signedInAs: "目前登入", role: "角色", state: "狀態",
    addUser: "新增使用者", viewer: "檢視者", administrator: "管理者", temporaryPassword: "臨時密碼",
    link: "平台連線", linkTest: "傳送測試警示", linkKey: "產生新的 Webhook 金鑰", linkOff: "關閉：未設定 Broker 或 Webhook（Iris:Cloud）。",
    pairedKeys: "已配對的 App 金鑰", keyLabel: "名稱", pairingCode: "產生配對碼", revoke: "撤銷", noKeys: "沒有已配對的金鑰。",
    pairingShown: "請在 10 分鐘內於 App 輸入此配對碼：", revoked: "已撤銷",
    linkSent: "已發出測試警示。", linkKeyShown: "請立即在 Webhook 接收端輸入此金鑰，之後不會再顯示：",
    alerts: "警示", events: "安全事件", time: "時間", event: "事件", account: "帳號", source: "來源",
    enabled: "啟用", disabled: "停用", disable: "停用", enable: "啟用", remove: "刪除",
    resetPassword: "重設密碼", acknowledge: "標示為已讀", noAlerts: "目前沒有未處理的警示。",
    passwordsDiffer: "兩次輸入的密碼不同。", passwordSaved: "密碼已儲存，此裝置已歸您所有。",
    chainIntact: "事件紀錄完整性：完整。", chainBroken: "事件紀錄完整性：已遭竄改，位置：第 ",
    development: "開發用（未經工廠配發）", factory: "工廠配發", mustChange: "須變更密碼",
    confirmDelete: "確定刪除此使用者？", newTemporaryPassword: "新的臨時密碼（至少 12 個字元）：",
    "brute-force": "多次登入失敗", lockout: "登入已鎖定",
    "login-after-failures": "多次失敗後登入成功", "login-from-new-source": "從新的來源登入",
    "login-succeeded": "登入成功", "login-failed": "登入失敗", "password-changed": "密碼已變更",
    "password-reset": "密碼已重設", logout: "已登出", "user-created": "已新增使用者", "user-changed": "已變更使用者",
    "user-deleted": "已刪除使用者", "sessions-revoked": "已結束工作階段", "device-claimed": "裝置已認領",
    "alert-acknowledged": "警示已標示為已讀", from: "來源", "settings-changed": "設定已變更",
    live: "即時影像", snapshot: "快照", privacyOn: "隱私模式已開啟：攝影機不擷取任何影像。",
    microphoneOn: "麥克風已開啟：正在擷取聲音。", microphoneOff: "麥克風已關閉。", speed: "速度",
    privacyEnable: "開啟隱私模式", privacyDisable: "關閉隱私模式",
    recordings: "錄影", settings: "設定", start: "開始時間", duration: "長度", size: "大小",
    noRecordings: "沒有錄影。", deleteAll: "刪除所有錄影", play: "播放", download: "下載",
    confirmDeleteAll: "確定刪除所有錄影？此動作無法復原。", recording: "錄影",
    recordingMode: "錄影模式", modeOff: "關閉", modeContinuous: "連續錄影", modeMotion: "偵測到移動時",
    components: "軟體元件", sbomDownload: "下載軟體物料清單（CycloneDX）", sbomMissing: "此版本未附軟體物料清單。",
    updates: "更新", updatesUntil: "安全更新提供至", installedVersion: "已安裝版本", slot: "分區",
    lastCheck: "上次檢查", available: "可用更新", progress: "進度", lastInstall: "上次安裝", lastRollback: "上次回復",
    checkNow: "立即檢查", installNow: "立即安裝", updateMode: "安裝方式", automatic: "自動", manual: "手動",
    staleMetadata: "更新資訊已過期：裝置無法確認目前是否為最新版本。",
    supportEnded: "此軟體的安全更新已結束。", none: "無", notStated: "未標示", notSlotted: "非由 Iris.Boot 啟動",
    installStarted: "安裝中；完成後攝影機會以新版本重新啟動。",
    privacy: "隱私", inventory: "此攝影機儲存的資料", dataKind: "資料", purpose: "用途", retention: "保存期間",
    deleteKind: "刪除", deleteAllPersonal: "刪除所有個人資料", confirmDeleteKind: "現在刪除這些資料？刪除後無法復原。", confirmPassword: "請輸入您的密碼以確認。",
    deleted: "已刪除。", notStored: "不儲存", telemetry: "遙測", telemetryPreview: "將傳送的確切內容",
    telemetryAccept: "我同意傳送遙測資料", telemetryWithdraw: "撤回同意", telemetryOn: "遙測已開啟（您已同意）。",
    telemetryOff: "遙測已關閉。", telemetryUnavailable: "此攝影機無法使用遙測（未設定接收端）。",
    factoryReset: "回復出廠設定", yourPassword: "您的密碼",
    factoryResetHint: "銷毀儲存金鑰並清除所有帳號、錄影、設定與紀錄。序號保留；之後請以標籤上的預設密碼登入。",
    confirmFactoryReset: "清除此攝影機上的所有資料並重新啟動？", resetStarted: "攝影機正在重新啟動以清除資料。",
    save: "儲存", saved: "已儲存。", savedNoSignal: "已儲存，但攝影機收不到畫面：", motion: "移動偵測", motionOn: "偵測移動", sensitivity: "靈敏度（1-100）",
    video: "影像", source: "來源", sourceTestPattern: "測試畫面", sourceV4l2: "攝影機（V4L2）",
    sourceStream: "HTTPS 串流", device: "裝置", streamUrl: "串流網址（https://）", resolution: "寬 x 高",
    fps: "每秒畫格數", "recordings-deleted": "已刪除錄影", motionEvents: "移動事件",
    noMotion: "未偵測到移動。", motionSeen: "偵測到移動",
  },
};

let language = localStorage.getItem("iris-language") ||
  (navigator.language && navigator.language.toLowerCase().startsWith("zh") ? "zh-Hant" : "en");
let session = null;
let device = null;

const $ = (id) => document.getElementById(id);
const t = (key) => (texts[language] && texts[language][key]) || texts.en[key] || key;

function applyLanguage() {
  document.documentElement.lang = language;
  $("language").value = language;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  document.title = t("product");
  if (shownMessage) say("", shownMessage.ok, shownMessage.key);
  if (device) showDevice();
  if (session && !$("tab-security").hidden) loadSecurity().catch((e) => say(e.message));
  if (session && !$("tab-updates").hidden) loadUpdates().catch((e) => say(e.message));
  if (session && !$("tab-privacy").hidden) loadPrivacy().catch((e) => say(e.message));
  if (session && !$("tab-live").hidden) loadLive().catch((e) => say(e.message));
}

function csrfToken() {
  const match = document.cookie.split("; ").find((c) => c.startsWith("__Host-iris-csrf="));
  return match ? decodeURIComponent(match.split("=")[1]) : "";
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(problemText(data) || String(response.status));
    error.status = response.status;
    throw error;
  }
  return data;
}

function problemText(problem) {
  if (!problem) return "";
  const fields = problem.errors ? Object.values(problem.errors).flat().join(" ") : "";
  return [problem.title, problem.detail, fields].filter(Boolean).join(" ");
}

let shownMessage = null;

// A message is either a text key (translated, follows the language switch) or text from the device.
function say(text, ok = false, key = null) {
  shownMessage = key ? { key, ok } : null;
  const box = $("message");
  box.textContent = key ? t(key) : text;
  box.classList.toggle("ok", ok);
  box.hidden = !box.textContent;
}

function show(view) {
  for (const id of ["view-login", "view-claim", "view-main"]) $(id).hidden = id !== view;
}

function showDevice() {
  $("header-serial").textContent = device.serial;
  $("device-serial").textContent = device.serial;
  $("device-model").textContent = device.model;
  $("device-version").textContent = device.softwareVersion;
  $("device-identity").textContent = t(device.identity);
  $("device-support-end").textContent = device.securityUpdatesUntil || t("notStated");
}

async function refresh() {
  device = await api("GET", "/api/device");
  showDevice();
  try {
    session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error.status !== 401) throw error;
    session = null;
  }
  if (!session) {
    show("view-login");
  } else if (session.mustChangePassword) {
    show("view-claim");
  } else {
    show("view-main");
    $("session-user").textContent = `${session.username} (${t(session.role)})`;
    for (const node of document.querySelectorAll("[data-admin]")) node.hidden = session.role !== "administrator";
    openTab("dashboard");
    showComponents();
    if (session.role === "administrator") loadAlertBadge().catch(() => {});
  }
}

// The About section lists the release's SBOM components and offers the file itself.
async function showComponents() {
  const summary = await api("GET", "/api/device/sbom/components");
  const list = $("sbom-components");
  list.replaceChildren();
  $("sbom-link").hidden = !summary.available;
  if (!summary.available) {
    const item = document.createElement("li");
    item.textContent = t("sbomMissing");
    list.append(item);
  }
  for (const component of summary.components) {
    const item = document.createElement("li");
    item.textContent = [component.name, component.version].filter(Boolean).join(" ");
    list.append(item);
  }
}

// The number of open alerts next to "Security", so an alert is seen without opening the log.
async function loadAlertBadge() {
  const open = await api("GET", "/api/security/alerts");
  $("alert-badge").textContent = String(open.length);
  $("alert-badge").hidden = open.length === 0;
}

async function loadLink() {
  const link = await api("GET", "/api/link");
  const channel = (name, c) => `${name}: ${c.state}${c.reason ? ` (${c.reason})` : ""}, ${c.queued} queued${c.lastDeliveryAt ? `, last delivery ${new Date(c.lastDeliveryAt).toLocaleString()}` : ""}`;
  $("link-state").textContent = link.configured ? `${channel("MQTT", link.mqtt)} · ${channel("Webhook", link.webhook)}` : t("linkOff");
  $("link-detail").textContent = link.configured ? `${link.topicPrefix} · dropped: ${link.overflowed}` : "";
  $("link-test").disabled = !link.configured;
  const keys = await api("GET", "/api/link/keys");
  const list = $("keys-list");
  list.replaceChildren();
  if (keys.length === 0) list.append(Object.assign(document.createElement("li"), { textContent: t("noKeys") }));
  for (const key of keys) {
    const item = document.createElement("li");
    item.textContent = `${key.label} · ${t(key.role.toLowerCase())} · ${key.keyId}${key.revokedAt ? ` · ${t("revoked")}` : ""} `;
    if (!key.revokedAt) {
      const button = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: t("revoke") });
      button.addEventListener("click", async () => {
        try { await api("DELETE", `/api/link/keys/${encodeURIComponent(key.keyId)}`); await loadLink(); } catch (e) { say(e.message); }
      });
      item.append(button);
    }
    list.append(item);
  }
}

function openTab(name) {
  for (const tab of ["dashboard", "live", "recordings", "settings", "users", "security", "updates", "privacy"]) $(`tab-${tab}`).hidden = tab !== name;
  if (name !== "live") stopLive();
  if (name !== "recordings") { $("playback-image").removeAttribute("src"); $("playback-video").removeAttribute("src"); $("playback-video").hidden = true; }
  for (const button of document.querySelectorAll("[data-tab]")) {
    if (button.dataset.tab === name) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
  }
  if (name === "live") loadLive().catch((e) => say(e.message));
  if (name === "users") loadUsers().catch((e) => say(e.message));
  if (name === "recordings") loadRecordings().catch((e) => say(e.message));
  if (name === "settings") loadSettings().catch((e) => say(e.message));
  if (name === "security") loadSecurity().catch((e) => say(e.message));
  if (name === "updates") loadUpdates().catch((e) => say(e.message));
  if (name === "privacy") loadPrivacy().catch((e) => say(e.message));
}

const deletableKinds = ["recordings", "motion-events", "accounts", "security-log", "telemetry"];
let telemetryVersion = null;

async function loadPrivacy() {
  const [inventory, telemetry] = await Promise.all([api("GET", "/api/privacy/inventory"), api("GET", "/api/telemetry")]);
  const body = $("inventory-body");
  body.replaceChildren();
  for (const kind of inventory) {
    const row = body.insertRow();
    row.dataset.kind = kind.id;
    row.insertCell().textContent = kind.name + (kind.personal ? "" : " *");
    row.insertCell().textContent = kind.purpose;
    row.insertCell().textContent = kind.retention;
    const actions = row.insertCell();
    if (deletableKinds.includes(kind.id)) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = t("deleteKind");
      button.addEventListener("click", async () => {
        if (!confirm(t("confirmDeleteKind"))) return;
        try { await api("DELETE", `/api/privacy/data/${kind.id}`); say("", true, "deleted"); await loadPrivacy(); } catch (e) { say(e.message); }
      });
      actions.append(button);
    }
  }
  telemetryVersion = telemetry.textVersion;
  $("telemetry-state").textContent = !telemetry.available ? t("telemetryUnavailable") : telemetry.consented ? t("telemetryOn") : t("telemetryOff");
  $("telemetry-text").textContent = telemetry.consentText;
  $("telemetry-preview").textContent = JSON.stringify(telemetry.preview, null, 2);
  $("telemetry-accept").disabled = !telemetry.available || telemetry.consented;
  $("telemetry-withdraw").disabled = !telemetry.consented;
}

function resultText(result) {
  return result ? `${new Date(result.at).toLocaleString(language)} · ${result.result} · ${result.message}` : t("none");
}

let updateStatus = null;

async function loadUpdates() {
  const status = await api("GET", "/api/updates");
  updateStatus = status;
  $("update-installed").textContent = status.installedVersion;
  $("update-slot").textContent = status.slot || t("notSlotted");
  $("update-support-end").textContent = status.supportEnd || t("notStated");
  $("update-last-check").textContent = resultText(status.lastCheck);
  $("update-available").textContent = status.available
    ? `${status.available.version} (${t("updatesUntil")} ${status.available.supportEnd})` : t("none");
  $("update-progress").textContent = status.progress.phase === "idle" ? t("none")
    : `${status.progress.phase} ${Math.floor((100 * status.progress.done) / Math.max(1, status.progress.total))}%`;
  $("update-last-install").textContent = resultText(status.lastInstall);
  $("update-last-rollback").textContent = status.lastRollback ? `${new Date(status.lastRollback.at).toLocaleString(language)} · ${status.lastRollback.message}` : t("none");
  $("update-stale").hidden = !status.metadataStale;
  $("update-support-ended").hidden = !status.supportEnded;
  $("update-mode").value = status.mode;
  $("update-install").disabled = !status.available || !status.slotted || status.progress.phase !== "idle";
}

let privacyEnabled = false;

let livePlayer = null;
let mjpegOnly = false;

// The live view is H.264 (+ sound) through our MSE player (player.js); where the browser cannot play that, an
// MJPEG stream in an img element, which every browser plays (removing the src ends it).
async function loadLive() {
  const privacy = await api("GET", "/api/media/privacy");
  privacyEnabled = privacy.enabled;
  $("privacy-notice").hidden = !privacyEnabled;
  $("privacy-toggle").textContent = t(privacyEnabled ? "privacyDisable" : "privacyEnable");
  $("snapshot-link").hidden = privacyEnabled;
  $("microphone-state").hidden = privacyEnabled;
  $("microphone-state").textContent = t(privacy.microphone ? "microphoneOn" : "microphoneOff");
  // "no signal: REASON" in words instead of a blank picture; the reason comes from the camera.
  $("live-signal").hidden = privacyEnabled || !privacy.signal.startsWith("no signal");
  $("live-signal").textContent = privacy.signal;
  if (privacyEnabled) stopLive(); else startLive();
}

function startLive() {
  const image = $("live-image");
  const video = $("live-video");
  if (mseAvailable() && !mjpegOnly) {
    video.hidden = false;
    image.hidden = true;
    livePlayer ??= new LivePlayer(video, "/api/media/live.mp4", () => { mjpegOnly = true; video.hidden = true; startLive(); });
    livePlayer.start();
    return;
  }
  image.hidden = false;
  if (!image.getAttribute("src")) image.src = "/api/media/live";
}

function stopLive() {
  livePlayer?.stop();
  $("live-video").hidden = true;
  const image = $("live-image");
  image.hidden = true;
  image.removeAttribute("src");
}

// H.264 segments come as MP4 for the video element (pause, seek, speed); older MJPEG segments are not video the
// element can play, so its error hands them to the img element, as before.
function playRecording(id) {
  const video = $("playback-video");
  const image = $("playback-image");
  const url = `/api/recordings/${id}?play=true`;
  image.hidden = true;
  image.removeAttribute("src");
  video.hidden = false;
  video.onerror = () => { video.hidden = true; video.removeAttribute("src"); image.hidden = false; image.src = url; };
  video.src = url;
  video.playbackRate = Number($("playback-speed").value);
  video.play().catch(() => {});
}

async function loadRecordings() {
  const [segments, motionEvents] = await Promise.all([api("GET", "/api/recordings"), api("GET", "/api/media/motion-events?limit=500")]);
  const motionList = $("motion-events");
  motionList.replaceChildren();
  for (const motion of motionEvents.slice(-20).reverse()) {
    const item = document.createElement("li");
    item.textContent = `${new Date(motion.at).toLocaleString(language)} · ${t("motionSeen")} (${(motion.changedShare * 100).toFixed(1)} %)`;
    motionList.append(item);
  }
  if (motionEvents.length === 0) {
    const none = document.createElement("li");
    none.textContent = t("noMotion");
    motionList.append(none);
  }

  const body = $("recordings-body");
  body.replaceChildren();
  $("recordings-empty").hidden = segments.length > 0;
  for (const segment of segments.slice().reverse()) {
    const row = body.insertRow();
    row.dataset.id = segment.id;
    row.insertCell().textContent = new Date(segment.startedAt).toLocaleString(language);
    row.insertCell().textContent = `${Math.max(1, Math.round((new Date(segment.endedAt) - new Date(segment.startedAt)) / 1000))} s`;
    row.insertCell().textContent = `${(segment.bytes / 1048576).toFixed(1)} MiB`;
    const actions = row.insertCell();
    const play = document.createElement("button");
    play.type = "button"; play.className = "secondary play"; play.textContent = t("play");
    play.addEventListener("click", () => playRecording(segment.id));
    const download = document.createElement("a");
    download.className = "button"; download.textContent = t("download"); download.href = `/api/recordings/${segment.id}`; download.download = "";
    actions.append(play, download);
    if (session.role === "administrator") {
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "secondary"; remove.textContent = t("remove");
      remove.addEventListener("click", async () => {
        try { await api("DELETE", `/api/recordings/${segment.id}`); await loadRecordings(); } catch (e) { say(e.message); }
      });
      actions.append(remove);
    }
  }
}

async function loadSettings() {
  const [recording, motion, video] = await Promise.all([
    api("GET", "/api/recordings/settings"), api("GET", "/api/media/motion"), api("GET", "/api/media/video"),
  ]);
  $("recording-mode").value = recording.mode;
  $("motion-enabled").checked = motion.enabled;
  $("motion-sensitivity").value = motion.sensitivity;
  $("video-source").value = video.source;
  $("video-device").value = video.device || "";
  $("video-url").value = video.streamUrl || "";
  $("video-width").value = video.width;
  $("video-height").value = video.height;
  $("video-fps").value = video.framesPerSecond;
  await loadLink();
}

function saveWith(formId, action) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await action();
      // A video source that delivers no picture says so (its reason comes from the camera), not "Saved." and a blank picture.
      if (result && typeof result.signal === "string" && result.signal !== "ok") say(`${t("savedNoSignal")} ${result.signal}`);
      else say("", true, "saved");
    } catch (e) { say(e.message); }
  });
}

async function loadUsers() {
  const users = await api("GET", "/api/users");
  const body = $("users-body");
  body.replaceChildren();
  for (const user of users) {
    const row = body.insertRow();
    row.insertCell().textContent = user.username;
    row.insertCell().textContent = t(user.role);
    row.insertCell().textContent = (user.disabled ? t("disabled") : t("enabled")) + (user.mustChangePassword ? ` · ${t("mustChange")}` : "");
    const actions = row.insertCell();
    actions.append(
      actionButton(user.disabled ? "enable" : "disable", () => api("PATCH", `/api/users/${encodeURIComponent(user.username)}`, { disabled: !user.disabled })),
      actionButton("resetPassword", async () => {
        const newPassword = prompt(t("newTemporaryPassword"));
        if (newPassword) await api("POST", `/api/users/${encodeURIComponent(user.username)}/password`, { newPassword });
      }),
      actionButton("remove", async () => {
        if (confirm(t("confirmDelete"))) await api("DELETE", `/api/users/${encodeURIComponent(user.username)}`);
      }));
  }
}

function actionButton(label, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = t(label);
  button.addEventListener("click", async () => {
    try { await action(); say(""); await loadUsers(); } catch (e) { say(e.message); }
  });
  return button;
}

async function loadSecurity() {
  loadAlertBadge().catch(() => {});
  const [alerts, events, chain] = await Promise.all([
    api("GET", "/api/security/alerts"), api("GET", "/api/security/events?limit=200"), api("GET", "/api/security/events/verify"),
  ]);
  const list = $("alerts-list");
  list.replaceChildren();
  if (alerts.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = t("noAlerts");
    list.append(empty);
  }
  for (const alert of alerts) {
    const item = document.createElement("li");
    item.dataset.kind = alert.kind;
    const kind = document.createElement("div");
    kind.className = "kind";
    kind.textContent = `${t(alert.kind)} · ${alert.serial}`;
    const detail = document.createElement("div");
    detail.textContent = `${new Date(alert.at).toLocaleString(language)} · ${alert.account || ""} · ${t("from")} ${alert.source || "?"}`;
    detail.title = alert.message;
    const ack = document.createElement("button");
    ack.type = "button";
    ack.className = "secondary";
    ack.textContent = t("acknowledge");
    ack.addEventListener("click", async () => {
      try { await api("POST", `/api/security/alerts/${alert.id}/acknowledge`); await loadSecurity(); } catch (e) { say(e.message); }
    });
    item.append(kind, detail, ack);
    list.append(item);
  }
  $("chain-status").textContent = chain.intact ? t("chainIntact") : t("chainBroken") + chain.firstBrokenRecord;
  const body = $("events-body");
  body.replaceChildren();
  for (const event of events.slice().reverse()) {
    const row = body.insertRow();
    row.insertCell().textContent = new Date(event.at).toLocaleString(language);
    row.insertCell().textContent = t(event.kind);
    row.insertCell().textContent = event.account || "";
    row.insertCell().textContent = event.source || "";
  }
}

async function signIn(event) {
  event.preventDefault();
  say("");
  try {
    const { nonce } = await api("POST", "/api/auth/nonce");
    await api("POST", "/api/auth/login", { username: $("login-username").value, password: $("login-password").value, nonce });
    $("login-password").value = "";
    await refresh();
  } catch (e) {
    say(e.message);
  }
}

async function claim(event) {
  event.preventDefault();
  if ($("claim-password").value !== $("claim-repeat").value) { say("", false, "passwordsDiffer"); return; }
  try {
    await api("POST", "/api/auth/password", { currentPassword: $("claim-current").value, newPassword: $("claim-password").value });
    $("claim-current").value = $("claim-password").value = $("claim-repeat").value = "";
    say("", true, "passwordSaved");
    await refresh();
  } catch (e) {
    say(e.message);
  }
}

async function addUser(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/users", { username: $("user-name").value, role: $("user-role").value, password: $("user-password").value });
    $("user-name").value = $("user-password").value = "";
    say("");
    await loadUsers();
  } catch (e) {
    say(e.message);
  }
}

$("language").addEventListener("change", () => {
  language = $("language").value;
  localStorage.setItem("iris-language", language);
  applyLanguage();
});
$("form-login").addEventListener("submit", signIn);
$("form-claim").addEventListener("submit", claim);
$("form-user").addEventListener("submit", addUser);
saveWith("form-recording", () => api("PUT", "/api/recordings/settings", { mode: $("recording-mode").value }));
saveWith("form-motion", () => api("PUT", "/api/media/motion", { enabled: $("motion-enabled").checked, sensitivity: Number($("motion-sensitivity").value), zones: [] }));
saveWith("form-video", () => api("PUT", "/api/media/video", {
  source: $("video-source").value, device: $("video-device").value || null, streamUrl: $("video-url").value || null,
  width: Number($("video-width").value), height: Number($("video-height").value), framesPerSecond: Number($("video-fps").value),
}));
$("playback-speed").addEventListener("change", () => { $("playback-video").playbackRate = Number($("playback-speed").value); });
$("delete-all").addEventListener("click", async () => {
  if (!confirm(t("confirmDeleteAll"))) return;
  try { await api("DELETE", "/api/recordings?all=true"); await loadRecordings(); } catch (e) { say(e.message); }
});
$("privacy-toggle").addEventListener("click", async () => {
  try { await api("PUT", "/api/media/privacy", { enabled: !privacyEnabled }); await loadLive(); } catch (e) { say(e.message); }
});
$("update-check").addEventListener("click", async () => {
  try { await api("POST", "/api/updates/check"); await loadUpdates(); } catch (e) { say(e.message); }
});
$("update-install").addEventListener("click", async () => {
  try { await api("POST", "/api/updates/install"); say("", true, "installStarted"); await loadUpdates(); } catch (e) { say(e.message); }
});
saveWith("form-update-mode", async () => { await api("PUT", "/api/updates/settings", { mode: $("update-mode").value }); await loadUpdates(); });
$("delete-personal-all").addEventListener("click", async () => {
  if (!confirm(t("confirmDeleteKind"))) return;
  const password = prompt(t("confirmPassword"));
  if (!password) return;
  try { await api("DELETE", "/api/privacy/data/all", { password }); say("", true, "deleted"); await loadPrivacy(); } catch (e) { say(e.message); }
});
$("link-test").addEventListener("click", async () => {
  try { await api("POST", "/api/link/test-alert"); say("", true, "linkSent"); await loadLink(); } catch (e) { say(e.message); }
});
$("form-pairing").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const made = await api("POST", "/api/link/pairing", { role: $("pairing-role").value, label: $("pairing-label").value });
    $("pairing-code").textContent = `${t("pairingShown")} ${made.code}`;
  } catch (e) { say(e.message); }
});
$("link-key").addEventListener("click", async () => {
  try { const made = await api("POST", "/api/link/webhook/key"); $("link-key-value").textContent = `${t("linkKeyShown")} ${made.key}`; await loadLink(); } catch (e) { say(e.message); }
});
$("telemetry-accept").addEventListener("click", async () => {
  try { await api("PUT", "/api/telemetry/consent", { textVersion: telemetryVersion }); await loadPrivacy(); } catch (e) { say(e.message); }
});
$("telemetry-withdraw").addEventListener("click", async () => {
  try { await api("DELETE", "/api/telemetry/consent"); await loadPrivacy(); } catch (e) { say(e.message); }
});
$("form-factory-reset").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!confirm(t("confirmFactoryReset"))) return;
  try { await api("POST", "/api/device/factory-reset", { password: $("reset-password").value }); say("", true, "resetStarted"); } catch (e) { say(e.message); }
  $("reset-password").value = "";
});
$("logout").addEventListener("click", async () => { try { await api("POST", "/api/auth/logout"); } finally { session = null; await refresh(); } });
for (const button of document.querySelectorAll("[data-tab]")) button.addEventListener("click", () => openTab(button.dataset.tab));

applyLanguage();
refresh().catch((e) => say(e.message));
