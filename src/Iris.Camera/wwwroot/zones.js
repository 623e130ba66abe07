// Motion zones drawn on the camera's picture: up to 8 rectangles, kept as fractions of the frame (what the device
// stores), so they fit any resolution. Drag with a mouse or a finger; each area can be removed with a button.
import { $, button, t, tf } from "/core.js";

const MaxZones = 8;
let zones = [];

export const currentZones = () => zones.map((z) => ({ ...z }));

export function showZones(loaded, privacyOn) {
  zones = (loaded || []).map((z) => ({ x: z.x, y: z.y, width: z.width, height: z.height }));
  const picture = $("zone-picture");
  picture.alt = t("zonePicture");
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

export function wireZones() {
  const editor = $("zone-editor");
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
