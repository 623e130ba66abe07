// Browser viewers of the camera's live view for the issue-14 video benches: Debian's Chromium (headless, driven by the
// playwright-core that the Microsoft.Playwright NuGet package carries, so nothing is downloaded), each viewer in its
// own context (its own session), signed in through the owner app and showing its Live page, which plays
// /api/media/live.mp4 (H.264 fMP4) through the app's own MSE player (wwwroot/player.js).
//
// Usage: node bench/browser-viewers.mjs PLAYWRIGHT_PACKAGE BASE_URL USER PASSWORD COUNT SECONDS MODE
//   MODE frames:  once every viewer plays, prints "playing", waits SECONDS and prints one line per viewer:
//                 "viewer N: F frames decoded, D dropped by the browser in S s" (getVideoPlaybackQuality deltas).
//   MODE latency: one viewer (COUNT is ignored); for SECONDS after a 5 s warm-up, on every frame the element
//                 presents (requestVideoFrameCallback), reads the burned-in clock from the frame (bench/caption.mjs,
//                 drawn to a canvas at the picture's own size) and prints "expectedDisplayTime caption_ms sequence"
//                 in ms since the epoch; bench/latency.sh turns the second changes into glass-to-glass figures.
// The clock is read from the frame itself rather than from a CDP screenshot of the element: a screenshot is the
// element's CSS size (the 5x7 font scaled off its pixel grid) and takes ~100 ms, longer than a frame.
import { readCaption } from "./caption.mjs";

const [packagePath, base, user, password, countText, secondsText, mode] = process.argv.slice(2);
const { chromium } = await import(`${packagePath}/index.mjs`);
const count = mode === "latency" ? 1 : Number(countText);
const seconds = Number(secondsText);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic",
    "--autoplay-policy=no-user-gesture-required", "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
});

async function openViewer() {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(base);
  await page.fill("#login-username", user);
  await page.fill("#login-password", password);
  await page.click("#login-submit");
  await page.waitForSelector("#tab-dashboard:not([hidden])");
  await page.click("button[data-tab='live']");
  // Playing: the MSE player's blob source, a decoded picture, and time advancing.
  await page.waitForFunction(() => {
    const v = document.getElementById("live-video");
    if (!v || !v.src.startsWith("blob:") || v.readyState < 2) return false;
    if (window.benchFirst === undefined) { window.benchFirst = v.currentTime; return false; }
    return v.currentTime > window.benchFirst + 1;
  }, null, { polling: 100, timeout: 60000 });
  return page;
}

const quality = (page) => page.evaluate(() => {
  const q = document.getElementById("live-video").getVideoPlaybackQuality();
  return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames, at: performance.now() };
});

try {
  const pages = [];
  for (let i = 0; i < count; i++) pages.push(await openViewer());

  if (mode === "latency") {
    const page = pages[0];
    await page.waitForTimeout(5000);
    await page.evaluate(`window.readCaption = ${readCaption.toString()};`);
    const samples = await page.evaluate((ms) => new Promise((resolve) => {
      const video = document.getElementById("live-video");
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const lines = [];
      const stop = performance.now() + ms;
      const onFrame = (_, metadata) => {
        const width = video.videoWidth;
        const height = video.videoHeight;
        // Only the caption strip (the bottom tenth) is read back.
        const strip = Math.ceil(height / 10);
        canvas.width = width;
        canvas.height = strip;
        context.drawImage(video, 0, height - strip, width, strip, 0, 0, width, strip);
        const pixels = context.getImageData(0, 0, width, strip).data;
        const offset = height - strip;
        const caption = window.readCaption((x, y) => {
          const i = ((y - offset) * width + x) * 4;
          return (pixels[i] * 299 + pixels[i + 1] * 587 + pixels[i + 2] * 114) / 1000;
        }, width, height);
        const shown = performance.timeOrigin + metadata.expectedDisplayTime;
        lines.push(caption ? `${shown.toFixed(1)} ${caption.at} ${caption.sequence}` : `${shown.toFixed(1)} - -`);
        if (performance.now() < stop) video.requestVideoFrameCallback(onFrame); else resolve(lines);
      };
      video.requestVideoFrameCallback(onFrame);
    }), seconds * 1000);
    process.stdout.write(samples.join("\n") + "\n");
  } else {
    const before = await Promise.all(pages.map(quality));
    console.log("playing");
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await Promise.all(pages.map(quality));
    after.forEach((a, i) => console.log(`viewer ${i + 1}: ${a.total - before[i].total} frames decoded, ${a.dropped - before[i].dropped} dropped by the browser in ${((a.at - before[i].at) / 1000).toFixed(1)} s`));
  }
} finally {
  await browser.close();
}
