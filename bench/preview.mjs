// Instant-preview latency of `vanban serve`'s page, measured where the secretary sees it: in headless Chromium, from
// a keystroke in the plan's body to the moment the preview beside it shows the rendered document again (the page
// waits for a 120 ms pause in typing, the server renders the DOCX and turns it into HTML, the page swaps it in).
// For seeds 000 and 003 (the largest plan, ~13 pages): 20 edits each, one character typed at a time with a pause,
// median and max printed as JSON lines; also the server's part alone (POST /api/preview?as=html, 20 requests).
//
//   node bench/preview.mjs build/release/vanban        (bash bench/preview.sh does the npm ci first)
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(repo, "tests/browser/package.json"));
const puppeteer = require("puppeteer-core");
const vanban = resolve(process.argv[2] || "build/release/vanban");
const EDITS = 20;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const server = spawn(vanban, ["serve", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((res, rej) => {
  let out = "";
  server.stdout.on("data", (d) => { out += d; const m = out.match(/http:\/\/[0-9.]+:[0-9]+\//); if (m) res(m[0]); });
  server.on("exit", (c) => rej(new Error("vanban serve exited " + c)));
});
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu"], defaultViewport: { width: 1366, height: 768 } });
try {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "networkidle0" });
  for (const seed of ["000", "003"]) {
    const path = join(repo, "examples/ke-hoach", seed + ".json");
    const title = JSON.parse(readFileSync(path, "utf8")).title;
    await (await page.$("#load-file")).uploadFile(path);
    await page.waitForFunction((t) => document.querySelector('.sheet-editor [data-path="title"]').value === t, {}, title);
    await page.waitForFunction(() => document.querySelector("#live-preview .sheet"));
    // The page's own clock: the time of the last keydown, and of the preview's next change.
    await page.evaluate(() => {
      window.__bench = { key: 0, shown: 0 };
      document.addEventListener("keydown", () => { window.__bench.key = performance.now(); window.__bench.shown = 0; }, true);
      new MutationObserver(() => { if (!window.__bench.shown) window.__bench.shown = performance.now(); })
        .observe(document.getElementById("live-preview"), { childList: true });
    });
    const items = await page.$$(".body-part .outline .item .rich");
    const times = [];
    for (let i = 0; i < EDITS; ++i) {
      await items[(i * 7) % items.length].click();
      await page.keyboard.press("End");
      await new Promise((r) => setTimeout(r, 400));  // let the click's own preview settle
      await page.keyboard.type(String.fromCharCode(97 + (i % 26)));
      await page.waitForFunction(() => window.__bench.shown > window.__bench.key, { timeout: 10000 });
      times.push(await page.evaluate(() => window.__bench.shown - window.__bench.key));
    }
    const data = readFileSync(path);
    const server_ms = [];
    for (let i = 0; i < EDITS; ++i) {
      const t0 = performance.now();
      const r = await fetch(url + "api/preview/ke-hoach?as=html&validate=false&lenient=true",
        { method: "POST", headers: { "Content-Type": "application/json" }, body: data });
      await r.text();
      server_ms.push(performance.now() - t0);
    }
    console.log(JSON.stringify({ bench: "preview", seed, edits: EDITS, keystroke_to_preview_ms_median: Math.round(median(times)),
      keystroke_to_preview_ms_max: Math.round(Math.max(...times)), server_html_ms_median: Math.round(median(server_ms) * 10) / 10 }));
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
