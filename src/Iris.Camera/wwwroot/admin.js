// The administrator's pages: settings, users, security, updates, privacy (with telemetry and factory reset).
import { currentZones, showZones, wireZones } from "/zones.js";
import { $, api, button, cell, fail, has, item, say, state, t, tf, when } from "/core.js";

export async function loadSettings() {
  const [recording, motion, video, privacy] = await Promise.all([
    api("GET", "/api/recordings/settings"), api("GET", "/api/media/motion"), api("GET", "/api/media/video"), api("GET", "/api/media/privacy"),
  ]);
  $("recording-mode").value = recording.mode;
  $("motion-enabled").checked = motion.enabled;
  $("motion-sensitivity").value = motion.sensitivity;
  showSensitivity();
  showZones(motion.zones, privacy.enabled);
  showSchedule(motion.schedule);
  $("video-source").value = video.source;
  $("video-device").value = video.device || "";
  $("video-url").value = video.streamUrl || "";
  $("video-width").value = video.width;
  $("video-height").value = video.height;
  $("video-fps").value = video.framesPerSecond;
  $("video-microphone").checked = video.microphone;
  showSourceFields();
  showRtsps(await api("GET", "/api/rtsp"));
}

// Only the field the chosen source uses: a device for the camera's own sensor, an address for a stream.
function showSourceFields() {
  $("video-device-field").hidden = $("video-source").value !== "v4l2";
  $("video-url-field").hidden = $("video-source").value !== "stream";
}

// The address carries no account: the recorder is given a Viewer account's name and password of its own (the README
// shows where each recorder takes them), so the page never shows or suggests a password.
function showRtsps(rtsps) {
  $("rtsps-enabled").checked = rtsps.enabled;
  // Marks the switch as showing the camera's state (a change made before it loaded would be overwritten).
  $("form-rtsps").dataset.state = rtsps.enabled ? "on" : "off";
  $("rtsps-url").textContent = rtsps.listening ? `${t("rtspsUrl")} rtsps://${location.hostname}:${rtsps.port}${rtsps.path}` : "";
}

// Sensitivity stays the device's 1-100 number; the words beside it say what a person gets.
function showSensitivity() {
  const value = Number($("motion-sensitivity").value);
  $("motion-sensitivity-words").textContent = t(value < 34 ? "motionSensitivityLow" : value < 67 ? "motionSensitivityMedium" : "motionSensitivityHigh");
}

// The schedule is kept in the owner's time zone as the browser knows it; the device reads the hours in that zone.
const ownZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

function showSchedule(schedule) {
  $("schedule-on").checked = Boolean(schedule);
  const days = schedule ? schedule.days : ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  for (const box of $("schedule-days").querySelectorAll("input")) box.checked = days.includes(box.value);
  $("schedule-from").value = schedule ? schedule.from : "00:00";
  $("schedule-to").value = schedule ? schedule.to : "00:00";
  $("schedule-zone").textContent = tf("scheduleZone", schedule ? schedule.timeZone : ownZone());
  scheduleEnabled();
}

function scheduleEnabled() {
  const off = !$("schedule-on").checked;
  for (const control of $("schedule").querySelectorAll("#schedule-days input, .hours input")) control.disabled = off;
}

/** "7:30", "07:30" or "0730" as "07:30"; null when it is no time of day. Empty is midnight. */
function clockTime(text) {
  const match = text.trim().match(/^(\d{1,2})(?::|：|\.)?(\d{2})?$/);
  if (!text.trim()) return "00:00";
  if (!match || Number(match[1]) > 23 || Number(match[2] || 0) > 59) return null;
  return `${match[1].padStart(2, "0")}:${match[2] || "00"}`;
}

function saveMotion() {
  let schedule = null;
  if ($("schedule-on").checked) {
    const days = [...$("schedule-days").querySelectorAll("input:checked")].map((box) => box.value);
    if (days.length === 0) throw new Error(t("scheduleNoDays"));
    // Plain 24-hour text, not the browser's time control, which draws "12:00 AM" whatever the page's language.
    const [from, to] = ["schedule-from", "schedule-to"].map((id) => clockTime($(id).value));
    if (!from || !to) throw new Error(t("scheduleTimeFormat"));
    schedule = { timeZone: ownZone(), days, from, to };
  }
  return api("PUT", "/api/media/motion", { enabled: $("motion-enabled").checked, sensitivity: Number($("motion-sensitivity").value), zones: currentZones(), schedule })
    .then((saved) => { showSchedule(saved.schedule); return saved; });
}

function saveWith(formId, action) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await action();
      // A video source that delivers no picture says so (its reason comes from the camera), not "Saved." and a blank picture.
      if (result && typeof result.signal === "string" && result.signal !== "ok") say(`${t("savedNoSignal")} ${result.signal}`);
      else say("", true, "saved");
    } catch (e) { fail(e); }
  });
}

export async function loadUsers() {
  const users = await api("GET", "/api/users");
  const body = $("users-body");
  body.replaceChildren();
  for (const user of users) {
    const row = body.insertRow();
    row.dataset.user = user.username;
    cell(row, "username", user.username);
    cell(row, "role", t(user.role));
    cell(row, "state", (user.disabled ? t("disabled") : t("enabled")) + (user.mustChangePassword ? ` · ${t("mustChange")}` : ""));
    const actions = cell(row, "");
    actions.className = "row-actions";
    const own = state.session && user.username === state.session.username;
    actions.append(
      userAction(user.disabled ? "enable" : "disable", async () => {
        if (!user.disabled && !confirm(tf("confirmDisableUser", user.username))) return false;
        await api("PATCH", `/api/users/${encodeURIComponent(user.username)}`, { disabled: !user.disabled });
        return true;
      }, own),
      userAction("resetPassword", async () => {
        const newPassword = prompt(t("newTemporaryPassword"));
        if (!newPassword) return false;
        await api("POST", `/api/users/${encodeURIComponent(user.username)}/password`, { newPassword });
        return true;
      }, own),
      userAction("remove", async () => {
        if (!confirm(tf("confirmDeleteUser", user.username))) return false;
        await api("DELETE", `/api/users/${encodeURIComponent(user.username)}`);
        return true;
      }, own));
  }
}

// Your own account is changed on "My account", not here: disabling or deleting yourself would strand you.
function userAction(label, action, own) {
  const b = button(label, label === "remove" ? "danger" : "secondary", async () => {
    try { if (await action()) { say("", true, "done"); await loadUsers(); } } catch (e) { fail(e); }
  });
  b.disabled = own;
  return b;
}

async function addUser(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/users", { username: $("user-name").value, role: $("user-role").value, password: $("user-password").value });
    $("user-name").value = $("user-password").value = "";
    say("", true, "userAdded");
    await loadUsers();
  } catch (e) { fail(e); }
}

/** The number of open alerts next to "Security", so an alert is seen without opening the log. */
export async function loadAlertBadge() {
  const open = await api("GET", "/api/security/alerts");
  $("alert-badge").textContent = String(open.length);
  $("alert-badge").hidden = open.length === 0;
  return open.length;
}

const kindText = (kind) => (has(kind) ? t(kind) : `${t("unknown")} ${kind}`);

export async function loadSecurity() {
  loadAlertBadge().catch(() => {});
  const [alerts, events, chain] = await Promise.all([
    api("GET", "/api/security/alerts"), api("GET", "/api/security/events?limit=200"), api("GET", "/api/security/events/verify"),
  ]);
  const list = $("alerts-list");
  list.replaceChildren();
  if (alerts.length === 0) list.append(Object.assign(item(t("noAlerts")), { className: "empty" }));
  for (const alert of alerts) {
    const entry = document.createElement("li");
    entry.dataset.kind = alert.kind;
    const kind = document.createElement("div");
    kind.className = "kind";
    kind.textContent = `${kindText(alert.kind)} · ${alert.serial}`;
    const detail = document.createElement("div");
    detail.textContent = `${when(alert.at)} · ${alert.account || t("unknown")} · ${t("from")} ${alert.source || t("unknown")}`;
    entry.append(kind, detail, button("acknowledge", "secondary", async () => {
      try { await api("POST", `/api/security/alerts/${alert.id}/acknowledge`); await loadSecurity(); } catch (e) { fail(e); }
    }));
    list.append(entry);
  }
  $("chain-status").textContent = chain.intact ? t("chainIntact") : t("chainBroken") + chain.firstBrokenRecord;
  const body = $("events-body");
  body.replaceChildren();
  for (const event of events.slice().reverse()) {
    const row = body.insertRow();
    row.dataset.kind = event.kind;
    cell(row, "time", when(event.at));
    cell(row, "event", kindText(event.kind));
    cell(row, "account", event.account || "");
    cell(row, "source", event.source || "");
  }
}

function resultText(result) {
  // The outcome is a code, shown in words; the message is the device's own English sentence, so zh-Hant leaves it out.
  if (!result) return t("none");
  const code = String(result.result);
  const outcome = t(`update:${code.charAt(0).toLowerCase()}${code.slice(1)}`);
  return state.language === "en" ? `${when(result.at)} · ${outcome} · ${result.message}` : `${when(result.at)} · ${outcome}`;
}

export async function loadUpdates() {
  const status = await api("GET", "/api/updates");
  $("update-installed").textContent = status.installedVersion;
  $("update-slot").textContent = status.slot || t("notSlotted");
  $("update-support-end").textContent = status.supportEnd || t("notStated");
  $("update-last-check").textContent = resultText(status.lastCheck);
  $("update-available").textContent = status.available
    ? `${status.available.version} (${t("updatesUntil")} ${status.available.supportEnd})` : t("none");
  $("update-progress").textContent = status.progress.phase === "idle" ? t("none")
    : `${status.progress.phase} ${Math.floor((100 * status.progress.done) / Math.max(1, status.progress.total))}%`;
  $("update-last-install").textContent = resultText(status.lastInstall);
  $("update-last-rollback").textContent = status.lastRollback ? `${when(status.lastRollback.at)}${state.language === "en" ? ` · ${status.lastRollback.message}` : ""}` : t("none");
  $("update-stale").hidden = !status.metadataStale;
  $("update-support-ended").hidden = !status.supportEnded;
  $("update-mode").value = status.mode;
  $("update-install").disabled = !status.available || !status.slotted || status.progress.phase !== "idle";
  // A camera that cannot install (single copy) does not offer to.
  $("update-install").hidden = !status.slotted;
  return status;
}

/** Whether an update check reached the server and read valid update information (whatever it found). */
export const checkSucceeded = (result) => ["Ok", "UpToDate"].includes(String(result.result));

let telemetryVersion = null;
let inventory = [];

const days = (text) => ((text || "").match(/(\d+(?:\.\d+)?) days/) || [])[1] || "?";
const kindWords = (kind, field) => (has(`kind:${kind.id}:${field}`) ? tf(`kind:${kind.id}:${field}`, days(kind.retention)) : kind[field]);

export async function loadPrivacy() {
  const [kinds, counts, telemetry] = await Promise.all([api("GET", "/api/privacy/inventory"), api("GET", "/api/privacy/data"), api("GET", "/api/telemetry")]);
  inventory = kinds;
  const deletable = new Set(Object.keys(counts));
  const body = $("inventory-body");
  body.replaceChildren();
  for (const kind of kinds) {
    const row = body.insertRow();
    row.dataset.kind = kind.id;
    // One wrapper, so the name and its tag stay together in the card layout's value column.
    const name = document.createElement("span");
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = t(kind.personal ? "personal" : "notPersonal");
    name.append(kindWords(kind, "name"), " ", tag);
    cell(row, "dataKind").append(name);
    cell(row, "purpose", kindWords(kind, "purpose"));
    cell(row, "retention", kindWords(kind, "retention"));
    const actions = cell(row, "");
    actions.className = "row-actions";
    if (deletable.has(kind.id)) {
      actions.append(button("deleteKind", "danger", async () => {
        if (!confirm(tf("confirmDeleteKindNamed", kindWords(kind, "name"), kindWords(kind, "deletion")))) return;
        try { await api("DELETE", `/api/privacy/data/${kind.id}`); say("", true, "deleted"); await loadPrivacy(); } catch (e) { fail(e); }
      }));
    }
  }
  telemetryVersion = telemetry.textVersion;
  $("telemetry-state").textContent = !telemetry.available ? t("telemetryUnavailable") : telemetry.consented ? t("telemetryOn") : t("telemetryOff");
  // The English text is the exact one consent is given to (its hash is the version); zh-Hant shows its translation.
  $("telemetry-text").textContent = state.language === "en" ? telemetry.consentText
    : tf("consentText", interval(telemetry.interval), vendorWords(telemetry.recipient), vendorWords(telemetry.thirdParties), telemetry.endpoint || t("noReceiver"));
  $("telemetry-preview").textContent = JSON.stringify(telemetry.preview, null, 2);
  $("telemetry-accept").disabled = !telemetry.available || telemetry.consented;
  $("telemetry-withdraw").disabled = !telemetry.consented;
}

// The shipped defaults of the vendor's telemetry names have words in each language; a vendor's own names stay as written.
const vendorWords = (text) => (has(`vendor:${text}`) ? t(`vendor:${text}`) : text);

function interval(span) {
  const [dayPart, clock] = String(span).includes(".") && String(span).indexOf(".") < String(span).indexOf(":") ? String(span).split(".") : ["0", String(span)];
  const hours = Number(dayPart) * 24 + Number(clock.split(":")[0]);
  return hours % 24 === 0 ? tf("intervalDays", hours / 24) : tf("intervalHours", hours);
}

async function deleteAllPersonal(event) {
  event.preventDefault();
  const names = inventory.filter((k) => k.personal && k.id !== "snapshots").map((k) => kindWords(k, "name")).join(state.language === "en" ? ", " : "、");
  if (!confirm(tf("confirmDeleteAllNamed", names))) return;
  const password = $("delete-personal-password").value;
  $("delete-personal-password").value = "";
  try { await api("DELETE", "/api/privacy/data/all", { password }); say("", true, "deleted"); await loadPrivacy(); } catch (e) { fail(e); }
}

// After a reset the device restarts and forgets every session; the page waits for that and then offers sign-in.
async function factoryReset(event) {
  event.preventDefault();
  if (!confirm(t("confirmFactoryReset"))) return;
  const form = $("form-factory-reset");
  try {
    await api("POST", "/api/device/factory-reset", { password: $("reset-password").value });
  } catch (e) { fail(e); $("reset-password").value = ""; return; }
  $("reset-password").value = "";
  for (const control of form.elements) control.disabled = true;
  say("", true, "resetProgress");
  $("reset-progress").hidden = false;
  // The reset ends every session at once, but the old process answers for a moment while it stops, and a restart
  // can be quicker than one poll: the page waits until a different start of the daemon (its startId) answers.
  const before = state.device?.startId;
  for (;;) {
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    try {
      // A poll that hangs (a connection the stopping process took and never answered) is abandoned and retried.
      const response = await fetch("/api/device", { cache: "no-store", credentials: "same-origin", signal: AbortSignal.timeout(4000) });
      if (response.ok && (await response.json()).startId !== before) break;
    } catch { /* the camera is restarting: keep waiting */ }
  }
  $("reset-progress").hidden = true;
  for (const control of form.elements) control.disabled = false;
  state.session = null;
  state.onSignedOut("resetBack");
}

export function wireAdmin() {
  $("form-user").addEventListener("submit", addUser);
  saveWith("form-recording", () => api("PUT", "/api/recordings/settings", { mode: $("recording-mode").value }));
  $("motion-sensitivity").addEventListener("input", showSensitivity);
  saveWith("form-motion", saveMotion);
  $("schedule-on").addEventListener("change", scheduleEnabled);
  wireZones();
  $("video-source").addEventListener("change", showSourceFields);
  saveWith("form-rtsps", async () => showRtsps(await api("PUT", "/api/rtsp", { enabled: $("rtsps-enabled").checked })));
  saveWith("form-video", () => api("PUT", "/api/media/video", {
    source: $("video-source").value, device: $("video-device").value || null, streamUrl: $("video-url").value || null,
    width: Number($("video-width").value), height: Number($("video-height").value), framesPerSecond: Number($("video-fps").value), microphone: $("video-microphone").checked,
  }));
  $("update-check").addEventListener("click", async () => {
    try {
      await api("POST", "/api/updates/check");
      // The check's own outcome, not "Done.": a check that could not reach the server is not a success.
      const status = await loadUpdates();
      const result = status.lastCheck;
      if (result && checkSucceeded(result)) say(`${t("checked")} ${status.available ? `${t("updateAvailable")}: ${status.available.version}` : t("update:upToDate")}`, true);
      else say(`${t("couldNotCheck")}${result ? `: ${resultText(result).split(" · ").slice(1).join(" · ")}` : ""}`);
    } catch (e) { fail(e); }
  });
  $("update-install").addEventListener("click", async () => {
    try { await api("POST", "/api/updates/install"); say("", true, "installStarted"); await loadUpdates(); } catch (e) { fail(e); }
  });
  saveWith("form-update-mode", async () => { await api("PUT", "/api/updates/settings", { mode: $("update-mode").value }); await loadUpdates(); });
  $("form-delete-personal").addEventListener("submit", deleteAllPersonal);
  $("telemetry-accept").addEventListener("click", async () => {
    try { await api("PUT", "/api/telemetry/consent", { textVersion: telemetryVersion }); say("", true, "saved"); await loadPrivacy(); } catch (e) { fail(e); }
  });
  $("telemetry-withdraw").addEventListener("click", async () => {
    try { await api("DELETE", "/api/telemetry/consent"); say("", true, "saved"); await loadPrivacy(); } catch (e) { fail(e); }
  });
  $("form-factory-reset").addEventListener("submit", factoryReset);
}

