// End-to-end test of the `vanban serve` page in Debian's headless Chromium, driven by puppeteer-core:
// a secretary's path through the page — the KẾ HOẠCH form generated from its schema, a field changed, a required
// field emptied (vanban's message appears at that field) and filled again, a recipient added to a list, a scanned
// signature uploaded (a file that is no picture refused at the field), the DOCX downloaded and its text, picture and
// drawing checked; the data saved as JSON and loaded back; a preview; a batch from a CSV nominee list with one bad
// row (its row and reason listed, the ZIP downloadable).
//
//   node page.test.mjs /path/to/vanban [screenshot-dir]
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check failed.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import puppeteer from "puppeteer-core";

const vanban = process.argv[2];
const shots = process.argv[3] || "";
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!vanban) {
  console.error("usage: node page.test.mjs VANBAN [SCREENSHOT_DIR]");
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed++;
    console.log("ok      " + what);
  } else {
    failed++;
    console.log("FAILED  " + what + (detail ? "\n        " + detail : ""));
  }
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(vanban, ["serve", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("vanban serve printed no address")), 15000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/[0-9.]+:[0-9]+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[0] });
      }
    });
    child.on("exit", (code) => reject(new Error("vanban serve exited with " + code)));
  });
}

// The visible text of every w:p in a DOCX, from word/document.xml (unzip is a test dependency).
function docxParagraphs(path) {
  const xml = execFileSync("unzip", ["-p", path, "word/document.xml"], { maxBuffer: 64 << 20 }).toString("utf8");
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(""));
}

// A small PNG signature (a blue stroke on a transparent background), made here: no binary in the repository.
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function pngSignature(w, h) {
  const raw = Buffer.alloc(h * (1 + 4 * w));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ink = Math.abs(y - h / 2 - (h / 3) * Math.sin(x / 9)) < 2.5;
      if (ink) raw.set([20, 40, 170, 255], y * (1 + 4 * w) + 1 + 4 * x);
    }
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

async function waitForFile(dir, suffix, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const f = readdirSync(dir).find((n) => n.endsWith(suffix));
    if (f) return join(dir, f);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + ".png"), fullPage: false });
}

// Types into the text field json-editor drew for `path`, as a person would (select all, delete, type).
async function setField(page, path, value) {
  const sel = `[data-schemapath="${path}"] input:not([type=checkbox]), [data-schemapath="${path}"] textarea`;
  await page.waitForSelector(sel, { visible: true });
  await page.$eval(sel, (el) => { el.focus(); el.select && el.select(); });
  await page.keyboard.press("Backspace");
  if (value) await page.type(sel, value);  // no blur: the page checks while typing
}

async function settled(page) {
  await page.waitForFunction(() => !document.getElementById("check-status").classList.contains("pending"), { timeout: 20000 });
}

const downloads = mkdtempSync(join(tmpdir(), "vanban-browser-"));
const { child: server, url } = await startServer();
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--lang=vi-VN", "--window-size=1400,1000"],
  defaultViewport: { width: 1400, height: 1000 },
});

try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });

  // 1. The page opens on KẾ HOẠCH with the example filled in, and vanban finds it valid.
  await page.goto(url, { waitUntil: "networkidle0" });
  await page.waitForSelector('[data-schemapath="root.title"] input, [data-schemapath="root.title"] textarea', { visible: true });
  await settled(page);
  const statusText = await page.$eval("#check-status", (e) => e.textContent);
  check(statusText.includes("hợp lệ"), "the example plan is valid", statusText);
  const labels = await page.$$eval("#editor label, #editor h3", (els) => els.map((e) => e.textContent.trim()));
  check(labels.some((l) => l.startsWith("Trích yếu")) && labels.some((l) => l.startsWith("Nơi nhận")),
    "the form's labels are the schema's Vietnamese titles");
  const date = await page.$eval('[data-schemapath="root.date"] input[type=date]', (e) => e.value).catch(() => "");
  check(date === "2025-01-08", "the plan's date has a date picker holding the example's date", date);
  await shot(page, "01-form");

  // 2. A required field emptied: vanban's message appears at that field (JSON pointer /signer/name).
  await setField(page, "root.signer.name", "");
  await settled(page);
  const fieldError = await page.$eval('[data-schemapath="root.signer.name"]', (e) => {
    const note = e.querySelector(".vb-field-error");
    return note ? note.textContent : "";
  });
  check(fieldError.includes("Họ và tên"), "an emptied required field shows vanban's message at the field", fieldError);
  const listed = await page.$$eval("#error-list li", (els) => els.map((e) => e.textContent));
  check(listed.length >= 1 && listed.some((t) => t.includes("/signer/name")), "the error list names the field", listed.join(" | "));
  await page.$eval('[data-schemapath="root.signer.name"]', (e) => e.scrollIntoView({ block: "center" }));
  await shot(page, "02-field-error");

  // 3. Fill in: title, signer, one more recipient.
  await setField(page, "root.signer.name", "Nguyễn Văn Thử");
  await setField(page, "root.title", "Kế hoạch kiểm thử trình duyệt năm 2025");
  const recipients = await page.$$('[data-schemapath^="root.recipients."]');
  const before = (await page.$$eval('[data-schemapath^="root.recipients."]', (els) =>
    els.filter((e) => /^root\.recipients\.\d+$/.test(e.dataset.schemapath)).length));
  await page.$eval('[data-schemapath="root.recipients"] .json-editor-btn-add', (b) => b.click());
  const added = `root.recipients.${before}`;
  await setField(page, added, "Sở Kiểm thử tỉnh Ninh Thuận");
  await settled(page);
  check(recipients.length > 0, "the recipient list has rows with add/remove/reorder buttons",
    String(await page.$$eval('[data-schemapath="root.recipients"] .json-editor-btn-moveup', (b) => b.length)));
  const afterStatus = await page.$eval("#check-status", (e) => e.textContent);
  check(afterStatus.includes("hợp lệ"), "the filled-in plan is valid again",
    afterStatus + ": " + (await page.$$eval("#error-list li", (els) => els.map((e) => e.textContent).join(" | "))));

  // 3a. Removing a list item can be undone: the recipient just added is removed, then "Hoàn tác" brings it back.
  const recipientRows = () => page.$$eval('[data-schemapath^="root.recipients."]', (els) =>
    els.filter((e) => /^root\.recipients\.\d+$/.test(e.dataset.schemapath)).length);
  const rowsBefore = await recipientRows();
  await page.click(`[data-schemapath="${added}"] .json-editor-btn-delete`);  // a real click: the field loses focus first
  await page.waitForSelector("#undo-bar:not([hidden])", { timeout: 5000 });
  const undoText = await page.$eval("#undo-text", (e) => e.textContent);
  const rowsAfterDelete = await recipientRows();
  check(rowsAfterDelete === rowsBefore - 1 && undoText.includes("Đã xóa"), "removing a recipient offers to undo it",
    `${rowsBefore} → ${rowsAfterDelete}: ${undoText}`);
  await shot(page, "02a-undo");
  await page.click("#undo-button");
  await page.waitForFunction((p) => {
    const el = document.querySelector(`[data-schemapath="${p}"] input, [data-schemapath="${p}"] textarea`);
    return el && el.value === "Sở Kiểm thử tỉnh Ninh Thuận";
  }, { timeout: 10000 }, added).catch(() => {});
  const restored = await page.$eval(`[data-schemapath="${added}"] input, [data-schemapath="${added}"] textarea`, (e) => e.value)
    .catch(() => "(no such field)");
  check(restored === "Sở Kiểm thử tỉnh Ninh Thuận" && await page.$eval("#undo-bar", (e) => e.hidden),
    "\"Hoàn tác\" brings the removed recipient back", restored);
  await settled(page);

  // 3b. The signature as an upload: a text file is refused at the field, a PNG shows as a thumbnail.
  const signatureField = '[data-schemapath="root.signer.signature_image.image"]';
  const notAPicture = join(downloads, "chu-ky.png");
  writeFileSync(notAPicture, "this is not a picture");
  await (await page.waitForSelector(signatureField + " input[type=file]", { timeout: 20000 })).uploadFile(notAPicture);
  await page.waitForSelector(signatureField + " .vb-image-preview .vb-field-error", { timeout: 10000 });
  const refused = await page.$eval(signatureField + " .vb-image-preview", (e) => e.textContent);
  check(refused.includes("không phải ảnh PNG, JPEG hoặc GIF"), "a file that is no picture is refused at the field, whatever its name", refused);
  const png = pngSignature(180, 60);
  const pngPath = join(downloads, "signature.png");
  writeFileSync(pngPath, png);
  await (await page.waitForSelector(signatureField + " input[type=file]", { timeout: 20000 })).uploadFile(pngPath);
  await page.waitForSelector(signatureField + " .vb-image-thumb img", { timeout: 10000 });
  const thumb = await page.$eval(signatureField + " .vb-image-thumb", (e) => e.textContent);
  check(thumb.includes("Ảnh PNG") && thumb.includes("Xóa ảnh"), "the uploaded signature shows as a thumbnail with a remove button", thumb);
  await settled(page);
  const withPicture = await page.$eval("#check-status", (e) => e.textContent);
  check(withPicture.includes("hợp lệ"), "the plan with a signature picture is valid", withPicture);
  await page.$eval(signatureField, (e) => e.scrollIntoView({ block: "center" }));
  await shot(page, "02b-signature");

  // 4. Download the DOCX and read its text, its picture and the drawing that shows it.
  await page.click("#btn-docx");
  const docx = await waitForFile(downloads, ".docx");
  check(docx !== null, "the DOCX downloads");
  if (docx) {
    const paragraphs = docxParagraphs(docx);
    const text = paragraphs.join("\n");
    check(text.toUpperCase().includes("KẾ HOẠCH KIỂM THỬ TRÌNH DUYỆT NĂM 2025"), "the DOCX holds the typed title");
    check(paragraphs.some((p) => p.includes("Nguyễn Văn Thử")), "the DOCX holds the signer typed in the form");
    check(paragraphs.some((p) => p.includes("Sở Kiểm thử tỉnh Ninh Thuận")), "the DOCX lists the added recipient");
    const media = execFileSync("unzip", ["-p", docx, "word/media/vanban_image1.png"], { maxBuffer: 64 << 20 });
    check(Buffer.compare(media, png) === 0, "the DOCX holds the uploaded PNG as its media part, byte for byte");
    const xml = execFileSync("unzip", ["-p", docx, "word/document.xml"], { maxBuffer: 64 << 20 }).toString("utf8");
    const drawing = xml.match(/<wp:inline[^>]*><wp:extent cx="(\d+)" cy="(\d+)"\/>[\s\S]*?r:embed="(rIdVanbanImage1)"/);
    check(drawing !== null && Number(drawing[2]) === 720000 && Math.abs(Number(drawing[1]) - 2160000) <= 1,
      "the DOCX shows it in a drawing 60 × 20 mm (the template's 20 mm height, the picture's proportions)",
      drawing ? drawing.slice(1).join(" ") : "no drawing");
    const rels = execFileSync("unzip", ["-p", docx, "word/_rels/document.xml.rels"]).toString("utf8");
    check(rels.includes('Id="rIdVanbanImage1"') && rels.includes('Target="media/vanban_image1.png"'), "the picture's relationship is in the package");
  }

  // 5. Save the data as JSON, load it back into a fresh form.
  await page.click("#btn-save");
  const saved = await waitForFile(downloads, ".json");
  check(saved !== null, "the data saves as JSON");
  if (saved) {
    const data = JSON.parse(readFileSync(saved, "utf8"));
    check(data.title === "Kế hoạch kiểm thử trình duyệt năm 2025" && data.signer.name === "Nguyễn Văn Thử",
      "the saved JSON holds what was typed");
    check(data.signer.signature_image && data.signer.signature_image.image === "data:image/png;base64," + png.toString("base64"),
      "the saved JSON holds the signature as a data: URI");
    await page.click("#btn-empty");
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-schemapath="root.title"] input, [data-schemapath="root.title"] textarea');
      return el && el.value === "";
    });
    const input = await page.$("#load-file");
    await input.uploadFile(saved);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-schemapath="root.title"] input, [data-schemapath="root.title"] textarea');
      return el && el.value === "Kế hoạch kiểm thử trình duyệt năm 2025";
    }, { timeout: 15000 });
    check(true, "saved data loads back into the form");
    await page.waitForSelector(signatureField + " .vb-image-thumb img", { timeout: 10000 });
    check(true, "the loaded data shows the signature again");
    await page.$eval(signatureField + " .vb-image-remove", (b) => b.click());
    await page.waitForFunction((f) => !document.querySelector(f + " .vb-image-thumb"), {}, signatureField);
    await settled(page);
    const left = await page.$eval(signatureField + " input[type=hidden]", (e) => e.value);
    check(left === "", "the remove button takes the picture away", left.slice(0, 40));
  }

  // 6. Preview (LibreOffice + pdftoppm): page pictures.
  const hasOffice = await page.evaluate(async () => (await (await fetch("/api/status")).json()).office);
  if (hasOffice) {
    await page.click("#btn-preview");
    await page.waitForSelector("#preview:not([hidden]) #preview-pages img", { timeout: 120000 });
    const pages = await page.$$eval("#preview-pages img", (imgs) => imgs.map((i) => i.naturalWidth));
    check(pages.length >= 1 && pages.every((w) => w > 300), "the preview shows the pages as pictures", String(pages));
    await shot(page, "03-preview");
    await page.click("#preview-close");
  }

  // 7. Batch: a nominee CSV with one bad row.
  await page.click("#tab-batch");
  const csv = join(downloads, "nominees.csv");
  writeFileSync(csv,
    "template,form.kind,form.subject,issuer.name,place,report_date,award_proposed,person.full_name,person.gender,achievements\n" +
    "bao-cao-thanh-tich-ca-nhan,merit,individual,SỞ Y TẾ,Ninh Bình,2023-11-20,Bằng khen,Trần Thị Một,Nữ,Hoàn thành xuất sắc nhiệm vụ.\n" +
    "bao-cao-thanh-tich-ca-nhan,merit,individual,SỞ Y TẾ,Ninh Bình,2023-13-45,Bằng khen,Lê Văn Hai,Nam,Hoàn thành tốt nhiệm vụ.\n");
  await page.select("#batch-template", "bao-cao-thanh-tich-ca-nhan");
  await (await page.$("#batch-file")).uploadFile(csv);
  await page.click("#batch-start");
  await page.waitForFunction(() => /Đã xong|Không chạy được/.test(document.getElementById("batch-text").textContent), { timeout: 60000 });
  const batchText = await page.$eval("#batch-text", (e) => e.textContent);
  check(batchText.includes("1 văn bản đã tạo") && batchText.includes("1 bản ghi lỗi"), "the batch renders the good row and reports the bad one", batchText);
  const rows = await page.$$eval("table.failures tbody tr", (trs) => trs.map((tr) => tr.textContent));
  check(rows.some((r) => r.includes("dòng 3") && r.includes("report_date")), "the bad row is listed with its line and field", rows.join(" | "));
  const zipHref = await page.$eval("#batch-zip", (a) => (a.hidden ? "" : a.href));
  check(zipHref.includes("/zip"), "the ZIP is offered for download");
  if (zipHref) {
    const bytes = await page.evaluate(async (h) => Array.from(new Uint8Array(await (await fetch(h)).arrayBuffer()).slice(0, 4)), zipHref);
    check(bytes[0] === 0x50 && bytes[1] === 0x4b, "the ZIP downloads", String(bytes));
  }
  await shot(page, "04-batch");

  check(pageErrors.length === 0, "no script errors on the page", pageErrors.join(" | "));
} catch (e) {
  check(false, "the test ran to the end", e.stack);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(downloads, { recursive: true, force: true });
}

console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
