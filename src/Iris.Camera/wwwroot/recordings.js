// Recordings page, day timeline and range export (issue 14; new-owner findings O-08 and O-10).
// The timeline asks the camera for the whole chosen day once and shows a window of it: the whole day, or 6 hours,
// 1 hour or 10 minutes around the newest recording, so a clip of a few seconds is wide enough to find and tap on a
// phone. The range export takes a start and an end on that day (two 24-hour fields, filled from the newest
// recording shown) and downloads the MP4 the camera joins from the recordings in between.
import { $, fail, locale, state, t, tf, when } from "/core.js";
import { renderTimeline } from "/player.js";

const ZOOMS = [24 * 60, 6 * 60, 60, 10];
const MINUTE = 60000;
// RecordingEndpoints' limit for one export (RangeExport.MaxRange).
const MAX_EXPORT = 10 * MINUTE;

let day = null; // { from: Date, to: Date, view } of the chosen day
let windowStart = null; // start of the shown window, ms
let onPick = () => {};

/** Loads the chosen day and shows the window around its newest recording; picking a time calls play(segment, seconds). */
export async function loadTimeline(api, play) {
  onPick = play;
  const input = $("timeline-day");
  if (!input.value) input.value = isoDay(new Date());
  const [year, month, date] = input.value.split("-").map(Number);
  const from = new Date(year, month - 1, date);
  const to = new Date(year, month - 1, date + 1);
  const view = await api("GET", `/api/recordings/timeline?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  day = { from, to, view };
  windowStart = null;
  labelZooms();
  showWindow();
  fillExportFromNewest();
}

/** Wires the page's own controls once; reload() loads the whole page again (a new day changes the list too). */
export function wireRecordings(reload) {
  $("timeline-day").addEventListener("change", () => {
    $("export-from").value = "";
    $("export-to").value = "";
    $("export-status").hidden = true;
    reload().catch(fail);
  });
  $("timeline-zoom").addEventListener("change", () => { windowStart = null; showWindow(); });
  $("timeline-earlier").addEventListener("click", () => moveWindow(-1));
  $("timeline-later").addEventListener("click", () => moveWindow(1));
  $("export-download").addEventListener("click", () => exportRange().catch(fail));
  for (const id of ["export-from", "export-to"]) $(id).addEventListener("input", () => { $("export-status").hidden = true; });
}

// The zoom's names in the page's language (a language switch reloads the page's data, and so this).
function labelZooms() {
  const zoom = $("timeline-zoom");
  const chosen = zoom.value || String(ZOOMS[0]);
  zoom.replaceChildren(...ZOOMS.map((minutes) => new Option(t(`zoom${minutes}`), String(minutes))));
  zoom.value = chosen;
}

function span() { return Number($("timeline-zoom").value || ZOOMS[0]) * MINUTE; }

// The window a zoom opens on: the one holding the newest recording of the day (or now, on today with nothing yet),
// on whole steps of its own length from midnight, so "07:00-08:00" rather than "07:13-08:13".
function defaultStart(length) {
  const dayFrom = day.from.getTime();
  const newest = day.view.segments.length ? new Date(day.view.segments[day.view.segments.length - 1].startedAt).getTime() : Math.min(Date.now(), day.to.getTime() - 1);
  const into = Math.min(Math.max(0, newest - dayFrom), day.to.getTime() - dayFrom - 1);
  return dayFrom + Math.floor(into / length) * length;
}

function moveWindow(direction) {
  const length = span();
  windowStart = Math.min(Math.max(day.from.getTime(), (windowStart ?? defaultStart(length)) + direction * length), day.to.getTime() - length);
  showWindow();
}

function showWindow() {
  const length = span();
  const start = windowStart ?? defaultStart(length);
  const end = start + length;
  const inside = (from, to) => new Date(to).getTime() >= start && new Date(from).getTime() <= end;
  const view = {
    from: new Date(start).toISOString(), to: new Date(end).toISOString(),
    segments: day.view.segments.filter((s) => inside(s.startedAt, s.endedAt)),
    motion: day.view.motion.filter((m) => inside(m.at, m.at)),
  };
  renderTimeline($("timeline-bar"), $("timeline-preview"), view, onPick, { motionAt: (at) => tf("motionAt", when(at)), preview: t("timelinePreview") });
  // The hours under the bar name the window's own times: five marks from its start to its end.
  const clock = new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  $("timeline-hours").replaceChildren(...[0, 1, 2, 3, 4].map((i) => {
    const mark = document.createElement("span");
    mark.textContent = i === 4 && end >= day.to.getTime() ? "24:00" : clock.format(new Date(start + (length * i) / 4));
    return mark;
  }));
  $("timeline-window").textContent = tf("timelineWindow", clock.format(new Date(start)), end >= day.to.getTime() ? "24:00" : clock.format(new Date(end)), view.segments.length);
  $("timeline-earlier").disabled = start <= day.from.getTime();
  $("timeline-later").disabled = end >= day.to.getTime();
}

// The newest recording of the day, at most its last 10 minutes, so "Download" right away gives the latest clip.
function fillExportFromNewest() {
  const newest = day.view.segments[day.view.segments.length - 1];
  if (!newest || $("export-from").value || $("export-to").value) return;
  const end = Math.ceil(new Date(newest.endedAt).getTime() / 1000) * 1000;
  const start = Math.max(Math.floor(new Date(newest.startedAt).getTime() / 1000) * 1000, end - MAX_EXPORT);
  $("export-from").value = clockText(new Date(start));
  $("export-to").value = clockText(new Date(end));
}

function clockText(date) {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

// "07:30", "7:30:05" or "07:30:05" on the chosen day; null when it is not a time.
function timeOnDay(text) {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59) return null;
  const d = day.from;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate(), Number(match[1]), Number(match[2]), Number(match[3] ?? 0));
}

function status(key, ...values) {
  const box = $("export-status");
  box.textContent = tf(key, ...values);
  box.className = key === "exportPreparing" ? "hint" : key === "exportDone" ? "message ok" : "message";
  box.hidden = false;
}

async function exportRange() {
  const from = timeOnDay($("export-from").value);
  const to = timeOnDay($("export-to").value);
  if (!from || !to) return status("exportBadTime");
  if (to <= from) return status("exportEndBeforeStart");
  if (to - from > MAX_EXPORT) return status("exportTooLong");
  const download = $("export-download");
  download.disabled = true;
  download.setAttribute("aria-busy", "true");
  status("exportPreparing");
  try {
    // fetch, not a link: a refusal is a problem document the page turns into words, not a broken download.
    const response = await fetch(`/api/recordings/export?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`, {
      credentials: "same-origin", cache: "no-store", headers: { "Accept-Language": locale() },
    });
    if (response.status === 401) { state.session = null; state.onSignedOut(); return; }
    if (!response.ok) return status(refusal(response.status, await problemType(response)));
    const file = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "recordings.mp4";
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    status("exportDone", when(from.toISOString()), when(to.toISOString()));
  } finally {
    download.disabled = false;
    download.removeAttribute("aria-busy");
  }
}

async function problemType(response) {
  try { return ((await response.json()).type || "").replace("urn:iris:problem:", ""); } catch { return ""; }
}

function refusal(status, type) {
  if (status === 404) return "exportNothing";
  if (type === "media-busy") return "exportBusy";
  if (type === "export-encoder-failed") return "exportEncoderFailed";
  if (status === 409) return "exportMjpeg";
  return "exportFailed";
}
