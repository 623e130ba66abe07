// Iris live player: the camera's fragmented MP4 (/api/media/live.mp4, H.264 + AAC) into Media Source Extensions.
// Our own, small and without third-party code. The stream is ftyp+moov once, then moof+mdat fragments; we
// append whole boxes only, keep the buffer short, and stay at the live edge (a live view that drifts behind is
// worse than one that skips). Where MSE or the codecs are missing, the caller falls back to MJPEG.

const KEEP_SECONDS = 10;   // buffer kept behind the playhead
const MAX_BEHIND = 1.0;    // seconds behind the live edge before we jump forward

export function mseAvailable() {
  return typeof window.MediaSource === "function";
}

// codecs="avc1.PPCCLL[,mp4a.40.2]" from the init segment: the avcC box holds profile, compatibility and level.
export function codecsOf(init) {
  const at = indexOf(init, [0x61, 0x76, 0x63, 0x43]); // "avcC"
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

// Cuts a byte stream into whole top-level boxes (32-bit sizes; the camera never sends larger ones live).
class BoxReader {
  constructor() { this.pending = new Uint8Array(0); }
  push(chunk) {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending); joined.set(chunk, this.pending.length);
    const boxes = [];
    let at = 0;
    while (joined.length - at >= 8) {
      const size = new DataView(joined.buffer, joined.byteOffset + at, 4).getUint32(0);
      if (size < 8) throw new Error("bad box");
      if (joined.length - at < size) break;
      const type = String.fromCharCode(...joined.subarray(at + 4, at + 8));
      boxes.push({ type, bytes: joined.subarray(at, at + size) });
      at += size;
    }
    this.pending = joined.slice(at);
    return boxes;
  }
}

export class LivePlayer {
  // video: the <video> element; onUnsupported(reason): called once if this browser cannot play the stream.
  constructor(video, url, onUnsupported) {
    this.video = video; this.url = url; this.onUnsupported = onUnsupported;
    this.abort = null; this.stopped = true; this.objectUrl = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.run().catch(() => this.retry());
  }

  stop() {
    this.stopped = true;
    this.abort?.abort();
    this.detach();
  }

  detach() {
    this.video.removeAttribute("src");
    this.video.load();
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
  }

  retry() {
    if (this.stopped) return;
    this.detach();
    setTimeout(() => { if (!this.stopped) this.run().catch(() => this.retry()); }, 1000);
  }

  async run() {
    this.abort = new AbortController();
    const response = await fetch(this.url, { credentials: "same-origin", cache: "no-store", signal: this.abort.signal });
    if (!response.ok) {
      // Privacy mode, no permission, too many viewers: not for the player to retry; the page says why.
      this.stopped = true;
      return;
    }
    const reader = response.body.getReader();
    const boxes = new BoxReader();
    const init = [];
    let buffer = null;
    const queue = [];
    const pump = () => {
      if (!buffer || buffer.updating || queue.length === 0) return;
      const now = this.video.currentTime;
      // After a reconnect this closure's buffer may have been removed from its MediaSource: `buffered` then throws.
      let ranges;
      try { ranges = buffer.buffered; } catch { return; }
      if (ranges.length && now - ranges.start(0) > KEEP_SECONDS * 1.5) { buffer.remove(0, now - KEEP_SECONDS); return; }
      buffer.appendBuffer(queue.shift());
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done || this.stopped) break;
      for (const box of boxes.push(value)) {
        if (!buffer) {
          init.push(box.bytes);
          if (box.type !== "moov") continue;
          const whole = concat(init);
          const mime = `video/mp4; codecs="${codecsOf(whole)}"`;
          if (!MediaSource.isTypeSupported(mime)) {
            this.stopped = true;
            this.abort.abort();
            this.onUnsupported(mime);
            return;
          }
          buffer = await this.attach(mime);
          buffer.addEventListener("updateend", () => { this.followLiveEdge(buffer); pump(); });
          queue.push(whole);
        } else {
          queue.push(box.bytes);
        }
        pump();
      }
    }
    this.retry(); // the encoding changed or the camera restarted it: a new init segment on a new request
  }

  attach(mime) {
    return new Promise((resolve, reject) => {
      const source = new MediaSource();
      this.objectUrl = URL.createObjectURL(source);
      source.addEventListener("sourceopen", () => {
        try {
          const buffer = source.addSourceBuffer(mime);
          buffer.mode = "segments";
          resolve(buffer);
        } catch (e) { reject(e); }
      }, { once: true });
      this.video.src = this.objectUrl;
    });
  }

  followLiveEdge(buffer) {
    // After a reconnect the old buffer's last updateend can still arrive; a removed SourceBuffer throws on `buffered`.
    let ranges;
    try { ranges = buffer.buffered; } catch { return; }
    if (!ranges.length) return;
    const end = ranges.end(ranges.length - 1);
    if (this.video.currentTime < ranges.start(ranges.length - 1) || end - this.video.currentTime > MAX_BEHIND) {
      this.video.currentTime = Math.max(ranges.start(ranges.length - 1), end - 0.2);
    }
    if (this.video.paused) this.video.play().catch(() => {}); // autoplay rules: muted playback is always allowed
  }
}

function concat(parts) {
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { whole.set(p, at); at += p.length; }
  return whole;
}

// Day timeline (issue 14): the day's recorded segments as blocks on a 24-hour bar and motion events as markers.
// A click on the bar plays the segment recorded at that time from that moment; a marker plays its event's segment
// from the event, and shows a small picture of it (made by the camera from the recording when first shown).
// view = GET /api/recordings/timeline; onPick(segment, secondsIntoIt); labels = { motionAt(time), preview }.
export function renderTimeline(bar, preview, view, onPick, labels) {
  const from = new Date(view.from).getTime();
  const span = new Date(view.to).getTime() - from;
  const share = (at) => Math.min(100, Math.max(0, ((new Date(at).getTime() - from) / span) * 100));
  bar.replaceChildren();
  preview.hidden = true;
  preview.removeAttribute("src");
  for (const segment of view.segments) {
    const block = document.createElement("div");
    block.className = "timeline-segment";
    block.style.left = `${share(segment.startedAt)}%`;
    block.style.width = `${Math.max(0.2, share(segment.endedAt) - share(segment.startedAt))}%`;
    bar.append(block);
  }
  for (const motion of view.motion) {
    const marker = document.createElement("button");
    marker.type = "button";
    marker.className = "timeline-marker";
    marker.style.left = `${share(motion.at)}%`;
    marker.setAttribute("aria-label", labels.motionAt(motion.at));
    marker.title = labels.motionAt(motion.at);
    const segment = view.segments.find((s) => s.id === motion.segmentId);
    marker.disabled = !segment && !motion.thumbnail;
    if (motion.thumbnail) {
      // The event's own sealed picture: the same one the events list shows, there even when nothing was recorded.
      const show = () => {
        preview.alt = `${labels.preview} ${labels.motionAt(motion.at)}`;
        preview.src = `/api/media/motion-events/${motion.id}/thumbnail`;
        preview.hidden = false;
      };
      marker.addEventListener("mouseenter", show);
      marker.addEventListener("focus", show);
    }
    if (segment) {
      marker.addEventListener("click", (event) => { event.stopPropagation(); onPick(segment, motion.offset); });
    }
    bar.append(marker);
  }
  bar.onclick = (event) => {
    const box = bar.getBoundingClientRect();
    const at = from + ((event.clientX - box.left) / box.width) * span;
    const segment = view.segments.find((s) => new Date(s.startedAt).getTime() <= at && at <= new Date(s.endedAt).getTime() + 1000);
    if (segment) onPick(segment, Math.max(0, (at - new Date(segment.startedAt).getTime()) / 1000));
  };
}
