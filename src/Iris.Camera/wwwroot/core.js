// What every page of the owner app shares: words, the device API, messages, times and table cells.
import { texts } from "/texts.js";

export const state = {
  language: localStorage.getItem("iris-language") ||
    (navigator.language && navigator.language.toLowerCase().startsWith("zh") ? "zh-Hant" : "en"),
  session: null,
  device: null,
  // Called when the device says the session is gone (401): the page goes to sign-in instead of showing stale data.
  onSignedOut: () => {},
};

export const $ = (id) => document.getElementById(id);

export const t = (key) => (texts[state.language] && texts[state.language][key]) || texts.en[key] || key;

/** A text with {0}, {1}… filled in. */
export const tf = (key, ...values) => t(key).replace(/\{(\d)\}/g, (_, i) => String(values[Number(i)] ?? ""));

/** A counted text: the key's singular form ("<key>1", where the language has one) for one, the key itself otherwise. */
export const tn = (key, n) => tf(n === 1 && texts[state.language] && texts[state.language][`${key}1`] ? `${key}1` : key, n);

/** Whether a key has words in the current language (event kinds the app does not know yet fall back to "(unknown)"). */
export const has = (key) => Boolean(texts.en[key]);

export const locale = () => (state.language === "zh-Hant" ? "zh-TW" : "en");

/** A time in the viewer's own time zone, with the zone shown, so "15:22" is never mistaken for device or UTC time. */
export function when(iso) {
  if (!iso) return t("never");
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "long" }).format(new Date(iso));
}

function csrfToken() {
  const match = document.cookie.split("; ").find((c) => c.startsWith("__Host-iris-csrf="));
  return match ? decodeURIComponent(match.split("=")[1]) : "";
}

let writes = 0;

/** Whether a change is on its way to the device (app.js keeps a form's button disabled meanwhile). */
export const writing = () => writes > 0;

// The device answers problems in the language asked for (en or zh-TW) and keys them by a stable type code.
export async function api(method, path, body) {
  if (method === "GET") return request(method, path, body);
  writes += 1;
  try {
    return await request(method, path, body);
  } finally {
    writes -= 1;
    if (writes === 0) document.dispatchEvent(new Event("iris-idle"));
  }
}

async function request(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": locale() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const error = new Error(problemText(data) || String(response.status));
    error.status = response.status;
    error.code = data && typeof data.type === "string" ? data.type.replace("urn:iris:problem:", "") : "";
    const signInItself = path === "/api/auth/login" || path === "/api/auth/session";
    // Every 401 of a page's requests is handled, not only the first: a page asks several things at once, and the
    // later answers' "Sign in first." must not replace the sign-out message the first one showed.
    if (response.status === 401 && !signInItself) {
      error.handled = true;
      if (state.session) {
        state.session = null;
        state.onSignedOut();
      }
    }
    throw error;
  }
  return data;
}

function problemText(problem) {
  if (!problem) return "";
  // A lockout names its end in the viewer's zone, not the device's UTC text.
  const detail = problem.retryAt ? tf("lockedUntil", when(problem.retryAt)) : problem.detail;
  const fields = problem.errors ? Object.values(problem.errors).flat().filter((f) => f !== detail).join(" ") : "";
  return [problem.title, detail, fields].filter(Boolean).join(" ");
}

let shown = null;

/** Shows a message for the current page: a text key (follows the language switch) or text from the device. */
export function say(text, ok = false, key = null) {
  shown = key ? { key, ok } : null;
  const box = $("message");
  box.textContent = key ? t(key) : text;
  box.classList.toggle("ok", ok);
  box.hidden = !box.textContent;
  if (!box.hidden) box.scrollIntoView({ block: "nearest" });
}

export const sayAgain = () => { if (shown) say("", shown.ok, shown.key); };

/** A failed call's message, unless the failure already took the page elsewhere (sign-in). */
export function fail(error) {
  if (!error.handled) say(error.message);
}

/** A table cell that carries its column name, shown as a label when the table turns into cards on a phone. */
export function cell(row, labelKey, text = "") {
  const td = row.insertCell();
  td.dataset.label = labelKey ? t(labelKey) : "";
  td.textContent = text;
  return td;
}

export function button(labelKey, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = t(labelKey);
  b.addEventListener("click", onClick);
  return b;
}

export function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

/** A size in the unit that fits it: a one-second recording is "46 KiB", not "0.0 MiB". */
export function bytes(n) {
  const number = (value, digits) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
  if (n >= 1073741824) return `${number(n / 1073741824, 1)} GiB`;
  if (n >= 1048576) return `${number(n / 1048576, 1)} MiB`;
  if (n >= 1024) return `${number(n / 1024, 0)} KiB`;
  return `${number(n, 0)} B`;
}
