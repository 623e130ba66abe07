// Iris remote view: opens the sealed stream a camera pushes through this relay, decrypts each fragment with
// WebCrypto and plays the fragmented MP4 (H.264 + AAC) with Media Source Extensions. Everything secret comes in
// the URL fragment (#s=SESSION&t=TOKEN&n=SERIAL&k=VIEWER-PRIVATE-KEY&c=CAMERA-PUBLIC-KEY), which the browser never
// sends to the relay. Key schedule and framing: docs/platform-protocol.md, "Relay".

const state = document.getElementById("viewer-state");
const video = document.getElementById("viewer-video");
const MAX_BEHIND = 1.0;
const KEEP_SECONDS = 10;

function say(text) { state.textContent = text; }

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

// The AES-256-GCM key for camera -> viewer: ECDH P-256 (the viewer's ephemeral key with the camera's), then
// HKDF-SHA-256 with an empty salt and info binding protocol, session, serial and direction.
export async function sessionKey(viewerPkcs8, cameraSpki, sessionId, serial) {
  const mine = await crypto.subtle.importKey("pkcs8", viewerPkcs8, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const theirs = await crypto.subtle.importKey("spki", cameraSpki, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: theirs }, mine, 256);
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const info = new TextEncoder().encode(`iris remote view v1\0${sessionId}\0${serial}\0camera-to-viewer`);
  return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info }, hkdf,
    { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
}

// One message: 8-byte big-endian counter, then ciphertext and 16-byte tag. Nonce = 00 00 00 01 || counter;
// associated data = the session id. Counters must rise: a replayed or reordered message is refused.
export async function open(key, message, sessionId, last) {
  const bytes = new Uint8Array(message);
  const counter = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  if (last !== null && counter <= last) throw new Error("replayed or reordered fragment");
  const iv = new Uint8Array(12);
  iv.set([0, 0, 0, 1]);
  iv.set(bytes.subarray(0, 8), 4);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(sessionId), tagLength: 128 },
    key, bytes.subarray(8));
  return { counter, plain: new Uint8Array(plain) };
}

export function codecsOf(init) {
  const at = indexOf(init, [0x61, 0x76, 0x63, 0x43]); // "avcC": profile, compatibility, level
  if (at < 0) return null;
  const hex = (b) => b.toString(16).padStart(2, "0");
  const codecs = [`avc1.${hex(init[at + 5])}${hex(init[at + 6])}${hex(init[at + 7])}`];
  if (indexOf(init, [0x6d, 0x70, 0x34, 0x61]) >= 0) codecs.push("mp4a.40.2"); // "mp4a"
  return codecs.join(",");
}

function indexOf(bytes, pattern) {
  outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

function attach(mime) {
  return new Promise((resolve, reject) => {
    const source = new MediaSource();
    source.addEventListener("sourceopen", () => {
      try { resolve(source.addSourceBuffer(mime)); } catch (e) { reject(e); }
    }, { once: true });
    video.src = URL.createObjectURL(source);
  });
}

function followLiveEdge(buffer) {
  const ranges = buffer.buffered;
  if (!ranges.length) return;
  const end = ranges.end(ranges.length - 1);
  if (video.currentTime < ranges.start(ranges.length - 1) || end - video.currentTime > MAX_BEHIND) {
    video.currentTime = Math.max(ranges.start(ranges.length - 1), end - 0.2);
  }
  if (video.paused) video.play().catch(() => {});
}

async function main() {
  const p = new URLSearchParams(location.hash.slice(1));
  const [sessionId, token, serial, viewerKey, cameraKey] = ["s", "t", "n", "k", "c"].map((name) => p.get(name));
  if (!sessionId || !token || !serial || !viewerKey || !cameraKey) { say("This link is incomplete."); return; }
  if (typeof window.MediaSource !== "function") { say("This browser cannot play the stream (no Media Source Extensions)."); return; }
  history.replaceState(null, "", location.pathname); // the keys leave the address bar and the history
  const key = await sessionKey(fromBase64Url(viewerKey), fromBase64Url(cameraKey), sessionId, serial);
  const socket = new WebSocket(`wss://${location.host}/relay/v1/view/${encodeURIComponent(sessionId)}?token=${encodeURIComponent(token)}`);
  socket.binaryType = "arraybuffer";
  let last = null, buffer = null;
  const queue = [];
  const pump = () => {
    if (!buffer || buffer.updating || !queue.length) return;
    const now = video.currentTime;
    const ranges = buffer.buffered;
    if (ranges.length && now - ranges.start(0) > KEEP_SECONDS * 1.5) { buffer.remove(0, now - KEEP_SECONDS); return; }
    buffer.appendBuffer(queue.shift());
  };
  let chain = Promise.resolve();
  socket.onopen = () => say("Connected; waiting for the camera's picture…");
  socket.onclose = () => say(buffer ? "The session has ended." : "The relay closed the connection.");
  socket.onmessage = (event) => {
    // Decrypt in arrival order, one at a time, so counters are checked in order.
    chain = chain.then(async () => {
      const { counter, plain } = await open(key, event.data, sessionId, last);
      last = counter;
      const kind = plain[0], body = plain.subarray(1);
      if (kind === 1 && !buffer) {
        const mime = `video/mp4; codecs="${codecsOf(body)}"`;
        if (!MediaSource.isTypeSupported(mime)) { say(`This browser cannot play ${mime}.`); socket.close(); return; }
        buffer = await attach(mime);
        buffer.mode = "segments";
        buffer.addEventListener("updateend", () => { followLiveEdge(buffer); pump(); });
        say("Playing (end-to-end encrypted).");
      }
      if (buffer) { queue.push(body); pump(); }
    }).catch((e) => { say(`Stopped: ${e.message || "a fragment did not decrypt"}.`); socket.close(); });
  };
}

main().catch(() => say("Could not start the viewer."));
