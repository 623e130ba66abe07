// Reads the test pattern's burned-in caption ("yyyy-MM-dd HH:mm:ssZ  #SEQUENCE  SERIAL", Media/TestPatternSource.cs,
// drawn with the 5x7 font of Media/BitmapFont.cs) back from a decoded picture, for the latency and frame benches.
// tesseract cannot read that font reliably (it read "2626-11-38 87936:4982" for "2026-11-30 07:36:48Z"), but the
// font and its placement are known exactly, so each character cell is sampled at its pixel centres and matched
// against the glyphs. Used from Node (frames piped from ffmpeg as 8-bit grey) and, as source text, inside the
// browser (bench/browser-viewers.mjs, from the video element's current frame).
//
// Usage: ffmpeg ... -f rawvideo -pix_fmt gray - | node bench/caption.mjs WIDTH HEIGHT [STOP_AFTER_MS]
//   prints, per frame (until STOP_AFTER_MS after the first, if given): arrival (ms since the epoch, when the frame was read), caption second (ms), sequence.
// readCaption(luma, width, height) -> { at: ms since the epoch of the burned-in second, sequence } or null;
// luma(x, y) is the brightness 0-255 of pixel (x, y).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export function readCaption(luma, width, height) {
  const glyphs = {
    0: [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], 1: [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    2: [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], 3: [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    4: [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], 5: [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    6: [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], 7: [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    8: [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], 9: [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
    "-": [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00], ":": [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
    "#": [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A], Z: [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
    " ": [0, 0, 0, 0, 0, 0, 0],
  };
  // The caption's scale depends on the picture size and the serial's length; try each and keep the one that reads
  // as a date. Characters: x = 4s + 6s * i, top y = height - 10s, 5x7 cells of s x s pixels, white on dark.
  for (let scale = 1; scale <= 12; scale++) {
    const top = height - 10 * scale;
    if (top < 0) break;
    let text = "";
    for (let i = 0; i < 32; i++) {
      const left = 4 * scale + 6 * scale * i;
      if (left + 5 * scale > width) break;
      let best = "?";
      let bestMiss = 4; // at most 3 of 35 pixels wrong
      for (const [c, rows] of Object.entries(glyphs)) {
        let miss = 0;
        for (let row = 0; row < 7 && miss < bestMiss; row++) {
          for (let column = 0; column < 5; column++) {
            const on = luma(Math.floor(left + (column + 0.5) * scale), Math.floor(top + (row + 0.5) * scale)) > 128;
            if (on !== ((rows[row] & (0x10 >> column)) !== 0)) miss++;
          }
        }
        if (miss < bestMiss) { best = c; bestMiss = miss; }
      }
      text += best;
    }
    const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)Z  #(\d+)/.exec(text);
    if (match) return { at: Date.parse(`${match[1]}T${match[2]}Z`), sequence: Number(match[3]) };
  }
  return null;
}

// Command line: grey frames of WIDTH x HEIGHT on stdin, one line per frame read.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const width = Number(process.argv[2]);
  const height = Number(process.argv[3]);
  // Optional: stop this many ms after the first frame (the writer then ends on a closed pipe).
  const limit = Number(process.argv[4] || 0);
  const size = width * height;
  let pending = Buffer.alloc(0);
  let first = 0;
  process.stdin.on("data", (chunk) => {
    const arrival = Date.now();
    first ||= arrival;
    if (limit && arrival - first > limit) process.exit(0);
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= size) {
      const frame = pending.subarray(0, size);
      pending = pending.subarray(size);
      const caption = readCaption((x, y) => frame[y * width + x], width, height);
      process.stdout.write(caption ? `${arrival} ${caption.at} ${caption.sequence}\n` : `${arrival} - -\n`);
    }
  });
}
