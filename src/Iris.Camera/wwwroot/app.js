// Iris camera web UI. No framework, no inline script (the CSP forbids it), no third-party code.
// Talks only to this device's API; the session cookie is HttpOnly, and the anti-CSRF token is read from its
// own cookie and sent back in a header on every state-changing request.
// Pages have addresses (#/live, #/users…): a reload or a shared link keeps the place.
import { $, api, bytes, button, cell, fail, item, say, sayAgain, state, t, tf, tn, when, writing } from "/core.js";
import { checkSucceeded, loadAlertBadge, loadPrivacy, loadSecurity, loadSettings, loadUpdates, loadUsers, wireAdmin } from "/admin.js";
import { cancelScore, scorePassword } from "/password.js";
import { LivePlayer, mseAvailable } from "/player.js";
import { loadTimeline, wireRecordings } from "/recordings.js";
import { loadLink, wireLink } from "/link.js";

const pages = ["dashboard", "live", "recordings", "settings", "users", "security", "updates", "privacy", "account", "help"];
const adminPages = new Set(["settings", "users", "security", "updates", "privacy"]);
const loaders = {
  dashboard: () => loadDashboard(), live: () => loadLive(), recordings: () => loadRecordings(), settings: loadSettings,
  users: loadUsers, security: loadSecurity, updates: loadUpdates, privacy: loadPrivacy, account: async () => {}, help: async () => showHelp(),
};
let current = null;

// The password typed at sign-in, kept in memory only until the claim screen has used it, so a new owner is not
// asked for the default password twice.
let signInPassword = null;

function applyLanguage() {
  document.documentElement.lang = state.language;
  $("language").value = state.language;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  document.title = t("product");
  $("nav-pages").setAttribute("aria-label", t("navigation"));
  sayAgain();
  if (state.device) showDevice();
  if (state.session && current) {
    $("session-user").textContent = `${state.session.username} (${t(state.session.role)})`;
    loaders[current]().catch(fail);
  }
}

function show(view) {
  for (const id of ["view-login", "view-claim", "view-main"]) $(id).hidden = id !== view;
  if (view === "view-main") showNavigationMore();
}

// The page row scrolls sideways where it is wider than the screen; a shadow at the edge says there is more there.
function showNavigationMore() {
  const nav = $("nav-pages");
  // A few pixels' leeway: scroll snapping may leave the row just off its very start or end.
  const start = nav.scrollLeft > 8;
  const end = nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 8;
  if (start || end) nav.dataset.more = start && end ? "both" : start ? "start" : "end";
  else delete nav.dataset.more;
}

function showDevice() {
  const device = state.device;
  $("header-serial").textContent = device.serial;
  $("device-serial").textContent = device.serial;
  $("device-model").textContent = device.model;
  $("device-version").textContent = device.softwareVersion;
  $("device-identity").textContent = t(device.identity);
  $("device-support-end").textContent = device.securityUpdatesUntil || t("notStated");
}

const pageFromAddress = () => {
  const match = location.hash.match(/^#\/?([a-z]+)/);
  return match && pages.includes(match[1]) ? match[1] : "dashboard";
};

async function refresh() {
  state.device = await api("GET", "/api/device");
  showDevice();
  try {
    state.session = await api("GET", "/api/auth/session");
  } catch (error) {
    if (error.status !== 401) throw error;
    state.session = null;
  }
  const session = state.session;
  if (!session) {
    current = null;
    show("view-login");
  } else if (session.mustChangePassword) {
    current = null;
    // The first administrator claims the device with its label password; anyone else got a temporary one.
    $("claim-hint").textContent = t(session.username === "admin" ? "claimHint" : "claimHintUser");
    $("claim-hint").dataset.i18n = session.username === "admin" ? "claimHint" : "claimHintUser";
    $("claim-current-field").hidden = signInPassword !== null;
    $("claim-current").required = signInPassword === null;
    show("view-claim");
  } else {
    signInPassword = null;
    show("view-main");
    const admin = session.role === "administrator";
    $("session-user").textContent = `${session.username} (${t(session.role)})`;
    for (const node of document.querySelectorAll("[data-admin]")) node.hidden = !admin;
    for (const node of document.querySelectorAll("[data-viewer]")) node.hidden = admin;
    openPage(pageFromAddress(), false);
    showComponents().catch(fail);
    if (admin) loadAlertBadge().catch(() => {});
  }
}

// Help is a page of its own per screen (#/help/settings), so it can be linked, reloaded and read beside nothing
// else; a role is offered help only for the screens it may use.
function helpTopic() {
  const match = location.hash.match(/^#\/help\/([a-z]+)/);
  const admin = state.session && state.session.role === "administrator";
  const topic = match && pages.includes(match[1]) && match[1] !== "help" ? match[1] : "dashboard";
  return adminPages.has(topic) && !admin ? "dashboard" : topic;
}

const pageTitle = (page) => t(page === "account" ? "myAccount" : page);

function showHelp() {
  const topic = helpTopic();
  $("help-title").textContent = tf("helpTitle", pageTitle(topic));
  const body = $("help-body");
  body.replaceChildren();
  for (const text of [t(`help${topic[0].toUpperCase()}${topic.slice(1)}`), ...t(`help:${topic}`).split("\n")]) {
    body.append(Object.assign(document.createElement("p"), { textContent: text }));
  }
  $("help-back").href = `#/${topic}`;
  $("help-back").textContent = tf("helpBack", pageTitle(topic));
  const admin = state.session.role === "administrator";
  const list = $("help-topics");
  list.replaceChildren();
  for (const page of pages.filter((p) => p !== "help" && p !== topic && (admin || !adminPages.has(p)))) {
    const link = Object.assign(document.createElement("a"), { href: `#/help/${page}`, textContent: pageTitle(page) });
    const entry = document.createElement("li");
    entry.append(link);
    list.append(entry);
  }
}

function openPage(requested, clearMessage = true) {
  const admin = state.session && state.session.role === "administrator";
  const name = adminPages.has(requested) && !admin ? "dashboard" : requested;
  if (clearMessage) say("");
  current = name;
  const address = name === "help" ? `#/help/${helpTopic()}` : `#/${name}`;
  if (location.hash !== address) history.replaceState(null, "", address);
  for (const page of pages) $(`tab-${page}`).hidden = page !== name;
  if (name !== "live") stopLive();
  if (name !== "recordings") { $("playback-image").removeAttribute("src"); $("playback-video").removeAttribute("src"); $("playback-video").hidden = true; }
  if (name !== "dashboard") $("dash-thumb").removeAttribute("src");
  for (const tab of document.querySelectorAll("[data-tab]")) {
    if (tab.dataset.tab === name) { tab.setAttribute("aria-current", "page"); tab.scrollIntoView({ block: "nearest", inline: "center" }); } else tab.removeAttribute("aria-current");
  }
  showNavigationMore();
  loaders[name]().catch(fail);
}

// The release's SBOM components, and the file itself.
async function showComponents() {
  const summary = await api("GET", "/api/device/sbom/components");
  const list = $("sbom-components");
  list.replaceChildren();
  $("sbom-link").hidden = !summary.available;
  if (!summary.available) list.append(item(t("sbomMissing")));
  for (const component of summary.components) list.append(item([component.name, component.version].filter(Boolean).join(" ")));
}

// "Is my camera OK?": each line comes from the module that owns it; a line the role may not read is left out.
async function loadDashboard() {
  const admin = state.session.role === "administrator";
  const lines = $("dash-status");
  const [privacy, segments, recording, alerts, updates, link, video] = await Promise.allSettled([
    api("GET", "/api/media/privacy"), api("GET", "/api/recordings"),
    admin ? api("GET", "/api/recordings/settings") : null, admin ? api("GET", "/api/security/alerts") : null,
    admin ? api("GET", "/api/updates") : null, admin ? api("GET", "/api/link") : null, admin ? api("GET", "/api/media/video") : null,
  ]);
  const value = (result) => (result.status === "fulfilled" ? result.value : null);
  lines.replaceChildren();
  const line = (key, text, tone = "") => {
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = text;
    if (tone) dd.className = tone;
    dd.dataset.line = key;
    lines.append(dt, dd);
  };
  const privacyOn = value(privacy) && value(privacy).enabled;
  if (value(privacy)) line("privacyMode", t(privacyOn ? "on" : "off"), privacyOn ? "warn" : "");
  // Whether sound is being captured right now (microphone switched on and privacy mode off), as the live view says.
  if (value(privacy)) line("microphone", t(value(privacy).microphone ? "micCapturing" : "off"));
  if (value(video)) {
    // The reason a source gives no picture is the device's English sentence; zh-Hant says "no picture" only.
    const v = value(video);
    const source = t({ "test-pattern": "sourceTestPattern", v4l2: "sourceV4l2", stream: "sourceStream" }[v.source] || "unknown");
    // Privacy mode stops the picture on purpose, and a source not checked yet is not a fault: neither is red.
    const fault = !privacyOn && v.signal.startsWith("no signal");
    const health = privacyOn ? t("signalPaused") : v.signal === "ok" ? t("signalOk") : !fault ? t("notCheckedYet")
      : `${t("signalNone")}${state.language === "en" ? ` (${v.signal.replace(/^no signal:\s*/, "")})` : ""}`;
    line("sourceHealth", `${source} · ${health}`, fault ? "warn" : "");
  }
  if (value(recording)) line("recordingState", t({ off: "modeOff", continuous: "modeContinuous", motion: "modeMotion" }[value(recording).mode] || "unknown"));
  if (value(segments)) {
    const list = value(segments);
    // The device's own estimate (administrators): capacity, and the days it holds at the bytes per hour written
    // over the last day, bounded by the retention time. The page computes nothing of its own.
    const storage = value(recording) ? value(recording).storage : null;
    const used = storage ? tf("usedOf", bytes(storage.usedBytes), bytes(storage.capacityBytes)) : bytes(list.reduce((sum, s) => sum + s.bytes, 0));
    line("storageUsed", `${tn("recordingCount", list.length)} · ${used}`);
    if (storage) {
      line("recordingsLast", storage.daysKept === null || storage.bytesPerHour === null ? t("notMeasuredYet")
        : tf("lastsAbout", tn("intervalDays", storage.daysKept), bytes(storage.bytesPerHour)));
    }
  }
  if (value(alerts)) line("openAlerts", String(value(alerts).length), value(alerts).length ? "warn" : "");
  if (value(updates)) {
    const u = value(updates);
    // "Up to date" only after a check said so; before any check the line says it has not checked yet.
    // A check that failed (no server, bad signatures) says so: it did not find the camera up to date.
    const failed = u.lastCheck && !checkSucceeded(u.lastCheck);
    const outcome = u.available ? `${t("updateAvailable")}: ${u.available.version}` : !u.lastCheck ? t("notCheckedYet") : failed ? t("couldNotCheck") : t("upToDate");
    line("updateState", `${u.installedVersion} · ${outcome}${u.lastCheck ? ` · ${t("lastChecked")} ${when(u.lastCheck.at)}` : ""}`, u.available || failed || u.supportEnded || u.metadataStale ? "warn" : "");
  }
  if (value(link)) {
    const l = value(link);
    line("linkState", l.configured ? `MQTT ${t(`link:${String(l.mqtt.state).toLowerCase()}`)} · Webhook ${t(`link:${String(l.webhook.state).toLowerCase()}`)}` : t("off"));
  }
  const thumb = $("dash-thumb");
  thumb.hidden = privacyOn;
  thumb.alt = t("liveThumbnail");
  thumb.removeAttribute("src");
  if (!privacyOn) thumb.src = "/api/media/snapshot";
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
  // The reason is the device's own English words (an ffmpeg line at worst): zh-Hant says "no picture" only.
  $("live-signal").textContent = state.language === "en" ? privacy.signal : t("signalNone");
  $("live-image").alt = t("liveThumbnail");
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

async function loadRecordings() {
  const [segments, motionEvents] = await Promise.all([api("GET", "/api/recordings"), api("GET", "/api/media/motion-events?limit=500")]);
  const motionList = $("motion-events");
  motionList.replaceChildren();
  const percent = new Intl.NumberFormat(state.language === "zh-Hant" ? "zh-TW" : "en", { style: "percent", maximumFractionDigits: 1 });
  for (const burst of motionBursts(motionEvents).slice(-20).reverse()) {
    const entry = item(`${when(burst.start.toISOString())} · ${tf("motionBurst", burst.count, percent.format(burst.peak))} `);
    entry.className = "motion-burst";
    if (burst.picture) {
      const picture = Object.assign(document.createElement("img"), {
        src: `/api/media/motion-events/${burst.picture}/thumbnail`, alt: tf("motionPicture", when(burst.start.toISOString())), width: 160, height: 90, loading: "lazy",
      });
      // Deleting every recording destroys the key the picture opens with: the event stays, its picture goes.
      picture.addEventListener("error", () => picture.remove());
      entry.prepend(picture);
    }
    // The clip is the recording that was running when the burst began, if motion recording kept one.
    const clip = segments.find((s) => new Date(s.startedAt) <= burst.end && new Date(s.endedAt) >= burst.start);
    if (clip) entry.append(button("playClip", "secondary", () => play(clip, when(clip.startedAt))));
    motionList.append(entry);
  }
  if (motionEvents.length === 0) motionList.append(item(t("noMotion")));
  await loadTimeline(api, playAt);

  const admin = state.session.role === "administrator";
  const body = $("recordings-body");
  body.replaceChildren();
  $("recordings-empty").hidden = segments.length > 0;
  $("delete-all").disabled = segments.length === 0;
  $("delete-all").dataset.count = String(segments.length);
  for (const segment of segments.slice().reverse()) {
    const row = body.insertRow();
    row.dataset.id = segment.id;
    const started = when(segment.startedAt);
    cell(row, "start", started);
    cell(row, "duration", `${Math.max(1, Math.round((new Date(segment.endedAt) - new Date(segment.startedAt)) / 1000))} s`);
    cell(row, "size", bytes(segment.bytes));
    const actions = cell(row, "");
    actions.className = "row-actions";
    const playButton = button("play", "secondary play", () => play(segment, started));
    const download = document.createElement("a");
    download.className = "button secondary"; download.textContent = t("download"); download.href = `/api/recordings/${segment.id}`; download.download = "";
    actions.append(playButton, download);
    if (admin) {
      actions.append(button("remove", "danger", async () => {
        if (!confirm(tf("confirmDeleteRecording", started))) return;
        try { await api("DELETE", `/api/recordings/${segment.id}`); say("", true, "deleted"); await loadRecordings(); } catch (e) { fail(e); }
      }));
    }
  }
}

// H.264 segments come as MP4 for the video element (pause, seek, speed); older MJPEG segments are not video the
// element can play, so its error hands them to the img element, as before.
function play(segment, started) {
  const video = $("playback-video");
  const img = $("playback-image");
  const url = `/api/recordings/${segment.id}?play=true`;
  img.hidden = true;
  img.removeAttribute("src");
  img.alt = `${t("play")} ${started}`;
  video.hidden = false;
  video.setAttribute("aria-label", `${t("play")} ${started}`);
  video.onerror = () => { video.hidden = true; video.removeAttribute("src"); img.hidden = false; img.src = url; img.scrollIntoView({ block: "nearest" }); };
  video.src = url;
  video.playbackRate = Number($("playback-speed").value);
  video.play().catch(() => {});
  video.scrollIntoView({ block: "nearest" });
}

// Motion comes in bursts (a person walking through is dozens of events): events less than a minute apart are one.
function motionBursts(events) {
  const bursts = [];
  for (const motion of events.slice().sort((a, b) => new Date(a.at) - new Date(b.at))) {
    const at = new Date(motion.at);
    const last = bursts[bursts.length - 1];
    if (last && at - last.end <= 60000) {
      last.end = at;
      last.count += 1;
      // The picture shows the burst's largest change that has one.
      if (motion.thumbnail && (!last.picture || motion.changedShare > last.pictureShare)) Object.assign(last, { picture: motion.id, pictureShare: motion.changedShare });
      last.peak = Math.max(last.peak, motion.changedShare);
    } else {
      bursts.push({ start: at, end: at, count: 1, peak: motion.changedShare, picture: motion.thumbnail ? motion.id : null, pictureShare: motion.changedShare });
    }
  }
  return bursts;
}

async function signIn(event) {
  event.preventDefault();
  say("");
  // One attempt at a time (the device slows repeated failures down): a failure answered late must not appear on
  // the screen a later, successful attempt opened.
  $("login-submit").disabled = true;
  try {
    const { nonce } = await api("POST", "/api/auth/nonce");
    const password = $("login-password").value;
    const session = await api("POST", "/api/auth/login", { username: $("login-username").value, password, nonce });
    signInPassword = session.mustChangePassword ? password : null;
    $("login-password").value = "";
    await refresh();
  } catch (e) { fail(e); } finally { $("login-submit").disabled = false; }
}

async function changePassword(current, fresh, repeat) {
  if (fresh !== repeat) { say("", false, "passwordsDiffer"); return false; }
  await api("POST", "/api/auth/password", { currentPassword: current, newPassword: fresh });
  return true;
}

async function claim(event) {
  event.preventDefault();
  cancelScore($("claim-password"));
  try {
    if (!await changePassword(signInPassword ?? $("claim-current").value, $("claim-password").value, $("claim-repeat").value)) return;
    signInPassword = null;
    $("claim-current").value = $("claim-password").value = $("claim-repeat").value = "";
    await refresh();
    say("", true, "passwordSaved");
  } catch (e) { fail(e); }
}

async function changeOwnPassword(event) {
  event.preventDefault();
  cancelScore($("account-password"));
  try {
    if (!await changePassword($("account-current").value, $("account-password").value, $("account-repeat").value)) return;
    $("account-current").value = $("account-password").value = $("account-repeat").value = "";
    scorePassword($("account-password"), $("account-meter"), $("account-meter-words"));
    say("", true, "passwordChanged");
  } catch (e) { fail(e); }
}

state.onSignedOut = (key = "sessionEnded") => {
  current = null;
  stopLive();
  show("view-login");
  say("", key === "resetBack", key);
};

$("language").addEventListener("change", () => {
  state.language = $("language").value;
  localStorage.setItem("iris-language", state.language);
  applyLanguage();
});
$("form-login").addEventListener("submit", signIn);
$("form-claim").addEventListener("submit", claim);
$("form-account").addEventListener("submit", changeOwnPassword);
for (const [input, meter, words] of [["claim-password", "claim-meter", "claim-meter-words"], ["account-password", "account-meter", "account-meter-words"]]) {
  $(input).addEventListener("input", () => scorePassword($(input), $(meter), $(words)));
}
$("delete-all").addEventListener("click", async () => {
  if (!confirm(tf("confirmDeleteAllRecordings", $("delete-all").dataset.count || "0"))) return;
  try { await api("DELETE", "/api/recordings?all=true"); say("", true, "deleted"); await loadRecordings(); } catch (e) { fail(e); }
});
$("playback-speed").addEventListener("change", () => { $("playback-video").playbackRate = Number($("playback-speed").value); });
$("privacy-toggle").addEventListener("click", async () => {
  try { await api("PUT", "/api/media/privacy", { enabled: !privacyEnabled }); await loadLive(); } catch (e) { fail(e); }
});
$("logout").addEventListener("click", async () => { try { await api("POST", "/api/auth/logout"); } catch { /* signed out either way */ } state.session = null; say(""); await refresh(); });
for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => { if (state.session) { history.pushState(null, "", `#/${tab.dataset.tab}`); openPage(tab.dataset.tab); } });
}
$("nav-pages").addEventListener("scroll", showNavigationMore, { passive: true });

// While a form's request is on its way its button is disabled and says so: on a slow camera a button that looks idle
// invites a second submit ("An account with this username exists."). Sign-in manages its own button.
function releaseButtons() {
  for (const b of document.querySelectorAll("button[aria-busy='true']")) { b.disabled = false; b.removeAttribute("aria-busy"); }
}
document.addEventListener("submit", (event) => {
  const submit = event.target.querySelector("button[type='submit']");
  if (!submit || submit.disabled || event.target.id === "form-login") return;
  submit.disabled = true;
  submit.setAttribute("aria-busy", "true");
  // A form whose handler sent nothing (a check on the page refused it) gets its button back at once.
  setTimeout(() => { if (!writing()) releaseButtons(); }, 0);
}, true);
document.addEventListener("iris-idle", releaseButtons);
window.addEventListener("resize", showNavigationMore);
window.addEventListener("popstate", () => { if (state.session && !state.session.mustChangePassword) openPage(pageFromAddress()); });
wireAdmin();
wireLinkPage();

applyLanguage();
refresh().catch(fail);

// ---- Day timeline and range export (issue 14; recordings.js): picking a time plays that segment from there in the
// same player as the list above.
function playAt(segment, seconds) {
  play(segment, when(segment.startedAt));
  const video = $("playback-video");
  video.addEventListener("loadedmetadata", () => { video.currentTime = Math.min(seconds, video.duration || seconds); }, { once: true });
}

wireRecordings(() => loadRecordings());

// ---- Platform link page (issue 15; link.js): an administrator's page at #/platform ("link" would make its help
// text key helpLink, which is the help link's own words); a Viewer is never shown it (the dashboard's role line says
// the platform link is for administrators).
function wireLinkPage() {
  pages.splice(pages.indexOf("help"), 0, "platform");
  adminPages.add("platform");
  loaders.platform = loadLink;
  wireLink();
}
