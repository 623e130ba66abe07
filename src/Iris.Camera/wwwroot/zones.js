// Motion zones drawn on the camera's picture: up to 8 rectangles, kept as fractions of the frame (what the device
// stores), so they fit any resolution. Drag with a mouse or a finger, or with the keyboard: arrows move a cross,
// Enter marks one corner and then the opposite one, each step announced; each area can be removed with a button.
import { $, button, t, tf } from "/core.js";

const MaxZones = 8;
let zones = [];

export const currentZones = () => zones.map((z) => ({ ...z }));

export function showZones(loaded, privacyOn) {
  zones = (loaded || []).map((z) => ({ x: z.x, y: z.y, width: z.width, height: z.height }));
  const picture = $("zone-picture");
  picture.alt = "";
  $("zone-editor").setAttribute("aria-label", t("zonePicture"));
  $("zone-status").textContent = "";
  picture.hidden = privacyOn;
  picture.removeAttribute("src");
  if (!privacyOn) picture.src = "/api/media/snapshot";
  draw();
}

const percent = (v) => Math.round(v * 100);

function draw() {
  const layer = $("zone-layer");
  layer.replaceChildren();
  const list = $("zone-list");
  list.replaceChildren();
  zones.forEach((zone, i) => {
    const box = document.createElement("div");
    box.className = "zone";
    Object.assign(box.style, { left: `${zone.x * 100}%`, top: `${zone.y * 100}%`, width: `${zone.width * 100}%`, height: `${zone.height * 100}%` });
    box.textContent = String(i + 1);
    layer.append(box);
    const entry = document.createElement("li");
    entry.textContent = `${tf("zoneItem", i + 1, percent(zone.x), percent(zone.y), percent(zone.width), percent(zone.height))} `;
    entry.append(button("removeZone", "secondary", () => { zones.splice(i, 1); draw(); }));
    list.append(entry);
  });
  if (zones.length === 0) list.append(Object.assign(document.createElement("li"), { textContent: t("noZones") }));
  $("zones-clear").disabled = zones.length === 0;
}

function fraction(event) {
  const rect = $("zone-editor").getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return { x: clamp((event.clientX - rect.left) / rect.width), y: clamp((event.clientY - rect.top) / rect.height) };
}

// Keyboard drawing: a cross that arrows move in 5 % steps (1 % with Shift); Enter or Space sets a corner.
const cursor = { x: 0.5, y: 0.5, corner: null };

function announce(text) { $("zone-status").textContent = text; }

function showCursor() {
  const mark = $("zone-cursor");
  mark.hidden = false;
  Object.assign(mark.style, { left: `${cursor.x * 100}%`, top: `${cursor.y * 100}%` });
  const layer = $("zone-layer");
  layer.querySelector(".preview")?.remove();
  if (cursor.corner) {
    const preview = Object.assign(document.createElement("div"), { className: "zone preview" });
    Object.assign(preview.style, {
      left: `${Math.min(cursor.corner.x, cursor.x) * 100}%`, top: `${Math.min(cursor.corner.y, cursor.y) * 100}%`,
      width: `${Math.abs(cursor.x - cursor.corner.x) * 100}%`, height: `${Math.abs(cursor.y - cursor.corner.y) * 100}%`,
    });
    layer.append(preview);
  }
}

function keyboardDraw(event) {
  const step = event.shiftKey ? 0.01 : 0.05;
  const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 100) / 100;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (moves[event.key]) {
    event.preventDefault();
    cursor.x = clamp(cursor.x + moves[event.key][0]);
    cursor.y = clamp(cursor.y + moves[event.key][1]);
    showCursor();
    announce(tf("zoneCursor", percent(cursor.x), percent(cursor.y)));
  } else if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    if (!cursor.corner) {
      if (zones.length >= MaxZones) { announce(t("zonesFull")); return; }
      cursor.corner = { x: cursor.x, y: cursor.y };
      showCursor();
      announce(tf("zoneCornerSet", percent(cursor.x), percent(cursor.y)));
      return;
    }
    const zone = { x: Math.min(cursor.corner.x, cursor.x), y: Math.min(cursor.corner.y, cursor.y), width: Math.abs(cursor.x - cursor.corner.x), height: Math.abs(cursor.y - cursor.corner.y) };
    cursor.corner = null;
    if (zone.width < 0.02 || zone.height < 0.02) { showCursor(); announce(t("zoneTooSmall")); return; }
    zones.push(roundZone(zone));
    draw();
    showCursor();
    const added = zones[zones.length - 1];
    announce(tf("zoneAdded", tf("zoneItem", zones.length, percent(added.x), percent(added.y), percent(added.width), percent(added.height))));
  } else if (event.key === "Escape" && cursor.corner) {
    event.preventDefault();
    cursor.corner = null;
    showCursor();
    announce(t("zoneCornerCleared"));
  }
}

export function wireZones() {
  const editor = $("zone-editor");
  editor.addEventListener("keydown", keyboardDraw);
  editor.addEventListener("focus", () => { showCursor(); announce(tf("zoneCursor", percent(cursor.x), percent(cursor.y))); });
  editor.addEventListener("blur", () => { $("zone-cursor").hidden = true; });
  let start = null;
  let preview = null;
  editor.addEventListener("pointerdown", (event) => {
    if (zones.length >= MaxZones) return;
    event.preventDefault();
    editor.setPointerCapture(event.pointerId);
    start = fraction(event);
    preview = Object.assign(document.createElement("div"), { className: "zone preview" });
    $("zone-layer").append(preview);
  });
  editor.addEventListener("pointermove", (event) => {
    if (!start) return;
    const now = fraction(event);
    Object.assign(preview.style, {
      left: `${Math.min(start.x, now.x) * 100}%`, top: `${Math.min(start.y, now.y) * 100}%`,
      width: `${Math.abs(now.x - start.x) * 100}%`, height: `${Math.abs(now.y - start.y) * 100}%`,
    });
  });
  editor.addEventListener("pointerup", (event) => {
    if (!start) return;
    const now = fraction(event);
    const zone = { x: Math.min(start.x, now.x), y: Math.min(start.y, now.y), width: Math.abs(now.x - start.x), height: Math.abs(now.y - start.y) };
    start = null;
    // A tap is not an area; the device needs at least 1 % each way.
    if (zone.width >= 0.02 && zone.height >= 0.02) zones.push(roundZone(zone));
    draw();
  });
  $("zones-clear").addEventListener("click", () => { zones = []; draw(); });
}

// Four decimals, and never past the frame's edge (the device refuses x + width > 1).
function roundZone(zone) {
  const r = (v) => Math.floor(v * 10000) / 10000;
  return { x: r(zone.x), y: r(zone.y), width: Math.max(0.01, r(zone.width)), height: Math.max(0.01, r(zone.height)) };
}
