#!/usr/bin/env python3
"""Decree-30 page layout of every bundled example, as LibreOffice prints it (issue 22).

Renders every KẾ HOẠCH seed example and every award-form example to DOCX and ODT with the real CLI, converts them to
PDF with LibreOffice in one run, reads the PDFs back with `pdftotext -bbox-layout` and checks what a văn thư checks
on paper:
  - the page that holds Nơi nhận / the signature captions also holds body text above them;
  - DOCX and ODT of the same data have the same page count and each page starts with the same line;
  - the first line of the page-1 header sits at the same height with and without footnotes (and in both formats);
  - the Quốc hiệu ends at least 15 mm from the right page edge;
  - no centred title, agency name or signature caption that wraps leaves a single word on a line.

Usage: pdf_layout_check.py VANBAN_CLI SOURCE_DIR [--keep DIR] [--report]
Exit 0 when every check holds, 1 when one fails, 77 (skipped) when LibreOffice or pdftotext is missing.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

MM = 72 / 25.4  # PDF points per millimetre
SKIP = 77

# Paragraph styles of centred titles, agency names and signature captions (both families of templates).
CENTRED_TITLE_STYLES = {
    "KHCoQuanChuQuan", "KHCoQuan", "KHTenLoai", "KHTrichYeu", "KHQuyenHan", "KHChucVu", "KHNguoiKy", "KHPhuLucTen",
    "BCCoQuanChuQuan", "BCCoQuan", "BCTenLoai", "BCTrichYeu", "BCDotThiDua", "BCTenDoiTuong", "BCKyTieuDe", "BCKyTen",
}
# The first line of the signature block: Nơi nhận (KẾ HOẠCH) or a signature caption (award forms).
SIGNATURE_START = re.compile(r"^(Nơi nhận:|NGƯỜI BÁO CÁO|THỦ TRƯỞNG|XÁC NHẬN CỦA|TM\. |KT\. ?|Q\. |TL\. |TUQ\. )")
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MARKER_CHARS = "0123456789()\u00b9\u00b2\u00b3\u2070\u2074\u2075\u2076\u2077\u2078\u2079"
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def nfc(s):
    return unicodedata.normalize("NFC", s)


def key(s):
    """Text compared across line breaks: NFC, no white space, no hyphens (LibreOffice may break at them)."""
    return re.sub(r"[\s\u00a0\u00ad-]", "", nfc(s))


def is_marker(word):
    """A footnote reference as printed: 1, (1), ¹."""
    return re.fullmatch(r"\(?[0-9\u00b9\u00b2\u00b3\u2070-\u2079]+\)?", word) is not None


class Line:
    def __init__(self, words, x0, y0, x1, y1):
        self.words, self.x0, self.y0, self.x1, self.y1 = words, x0, y0, x1, y1

    @property
    def text(self):
        return " ".join(self.words)

    def real_words(self):
        return [w for w in self.words if not is_marker(w)]


class Page:
    def __init__(self, width, height, lines):
        self.width, self.height = width, height
        # Page numbers (digits alone in the top margin) are not part of the text.
        self.lines = sorted((l for l in lines if not (l.y1 < 25 * MM and re.fullmatch(r"[0-9]+", l.text))),
                            key=lambda l: (round(l.y0, 1), l.x0))


def read_pdf(path):
    out = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", path, "-"], capture_output=True, check=True)
    text = re.sub(r"<!DOCTYPE[^>]*>", "", out.stdout.decode("utf-8"))
    text = re.sub(r'\sxmlns="[^"]*"', "", text, count=1)
    root = ET.fromstring(text)
    pages = []
    for page in root.iter("page"):
        lines = []
        for line in page.iter("line"):
            words = [p for w in line.iter("word") for p in nfc(w.text or "").split("\u00a0")]
            words = [w for w in words if w.strip()]
            if words:
                lines.append(Line(words, *(float(line.get(a)) for a in ("xMin", "yMin", "xMax", "yMax"))))
        pages.append(Page(float(page.get("width")), float(page.get("height")), lines))
    return pages


def docx_paragraphs(docx):
    """(style id, text) of every paragraph of the rendered DOCX's body."""
    with zipfile.ZipFile(docx) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    out = []
    for p in root.iter(W_NS + "p"):
        style = p.find(f"{W_NS}pPr/{W_NS}pStyle")
        parts = []
        for node in p.iter():
            if node.tag == W_NS + "t":
                parts.append(node.text or "")
            elif node.tag in (W_NS + "br", W_NS + "cr"):
                parts.append("\n")
            elif node.tag == W_NS + "tab":
                parts.append("\t")
        out.append((style.get(W_NS + "val") if style is not None else "", "".join(parts)))
    return out


def consumed(rest, line_key):
    """How much of `rest` the line prints (a footnote marker at its end is not in the paragraph text), or 0."""
    if line_key and rest.startswith(line_key):
        return len(line_key)
    bare = line_key.rstrip(MARKER_CHARS)
    return len(bare) if bare and rest.startswith(bare) else 0


def find_chain(page, text):
    """The lines of `page` that print the centred paragraph `text` one under the other, or None."""
    want = key(text)
    if not want:
        return None
    for start in page.lines:
        done = consumed(want, key(start.text))
        if not done:
            continue
        chain = [start]
        while done < len(want):
            last = chain[-1]
            step = 0
            for cand in page.lines:
                if cand in chain or not (last.y0 + 2 < cand.y0 < last.y1 + (last.y1 - last.y0) * 1.2 + 4):
                    continue
                if cand.x1 < last.x0 or cand.x0 > last.x1:
                    continue
                step = consumed(want[done:], key(cand.text))
                if step:
                    chain.append(cand)
                    break
            if not step:
                break
            done += step
        if done >= len(want):
            return chain
    return None


def lone_words(pages, docx):
    """Centred titles, agency names and captions that leave one word on a line."""
    problems = []
    for style, text in docx_paragraphs(docx):
        if style not in CENTRED_TITLE_STYLES or len(text.split()) < 2:
            continue
        for piece in text.split("\n"):  # a manual break in the data is the author's choice
            if len(piece.split()) < 2:
                continue
            for page in pages:
                chain = find_chain(page, piece)
                if chain:
                    if len(chain) > 1:
                        for line in chain:
                            if len(line.real_words()) < 2:
                                problems.append(f"{style} “{piece}” leaves “{line.text}” alone on a line")
                    break
    return problems


def signature_alone(pages):
    """The page of the signature block holds no body text above it."""
    for number, page in enumerate(pages, 1):
        starts = [l for l in page.lines if SIGNATURE_START.match(l.text)]
        if not starts:
            continue
        top = min(l.y0 for l in starts)
        if not any(l.y1 <= top + 1 for l in page.lines):
            return f"page {number} holds the signature block without any body text above it"
        return None
    return None


def page_starts(pages):
    return [page.lines[0].text if page.lines else "" for page in pages]


def header_top(pages):
    return pages[0].lines[0].y0 if pages and pages[0].lines else None


def quoc_hieu_margin(pages):
    for line in pages[0].lines if pages else []:
        if QUOC_HIEU in line.text:
            return (pages[0].width - line.x1) / MM
    return None


def strip_footnotes(value):
    """The data without footnotes: `^[…]` removed from every string, award-form footnotes emptied."""
    if isinstance(value, str):
        return re.sub(r"\^\[[^\]]*\]", "", value)
    if isinstance(value, list):
        return [strip_footnotes(v) for v in value]
    if isinstance(value, dict):
        out = {k: strip_footnotes(v) for k, v in value.items()}
        if "footnotes" in out:
            out["footnotes"] = {k: "" for k in out["footnotes"]}
        return out
    return value


def has_footnotes(value):
    return "^[" in json.dumps(value, ensure_ascii=False) or (isinstance(value, dict) and "footnotes" in value)


def examples(source):
    """(name, template, data file) of every seed and award-form example."""
    out = []
    kh = os.path.join(source, "examples", "ke-hoach")
    for f in sorted(os.listdir(kh)):
        if f.endswith(".json"):
            out.append(("ke-hoach-" + f[:-5], "ke-hoach", os.path.join(kh, f)))
    templates = os.path.join(source, "templates")
    for name in sorted(os.listdir(templates)):
        if os.path.isfile(os.path.join(templates, name, "example.json")):
            out.append((name + "-example", name, os.path.join(templates, name, "example.json")))
    aw = os.path.join(source, "examples", "award-forms")
    for f in sorted(os.listdir(aw)):
        if f.endswith(".json"):
            data = json.load(open(os.path.join(aw, f), encoding="utf-8"))
            if "template" in data:
                out.append(("award-" + f[:-5], data["template"], os.path.join(aw, f)))
    return out


def render(cli, template, data, out):
    r = subprocess.run([cli, "render", template, data, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"vanban render {template} {data} failed:\n{r.stdout}{r.stderr}")


def to_pdf(files, outdir, work):
    """All `files` to PDF in one LibreOffice run (a private profile, so parallel runs do not clash)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = "file://" + os.path.join(work, "lo-profile")
    cmd = [soffice, "-env:UserInstallation=" + profile, "--headless", "--norestore", "--convert-to", "pdf",
           "--outdir", outdir] + files
    subprocess.run(cmd, capture_output=True, timeout=1800, check=False)


def main():
    args = sys.argv[1:]
    keep = None
    report = "--report" in args
    if "--keep" in args:
        keep = args[args.index("--keep") + 1]
        args = [a for a in args if a not in ("--keep", keep)]
    args = [a for a in args if a != "--report"]
    cli, source = args[0], args[1]
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"):
        print("skipped: LibreOffice or pdftotext is not installed")
        return SKIP
    work = keep or tempfile.mkdtemp(prefix="vanban-layout-")
    os.makedirs(work, exist_ok=True)
    docs = []  # (name, docx, odt, variant of)
    for name, template, data in examples(source):
        for fmt in ("docx", "odt"):
            render(cli, template, data, os.path.join(work, f"{name}.{fmt}"))
        docs.append((name, None))
        content = json.load(open(data, encoding="utf-8"))
        if has_footnotes(content):
            plain = os.path.join(work, f"{name}-no-footnotes.json")
            json.dump(strip_footnotes(content), open(plain, "w", encoding="utf-8"), ensure_ascii=False)
            for fmt in ("docx", "odt"):
                render(cli, template, plain, os.path.join(work, f"{name}-no-footnotes.{fmt}"))
            docs.append((name + "-no-footnotes", name))
    files = [os.path.join(work, f"{n}.{fmt}") for n, _ in docs for fmt in ("docx", "odt")]
    pdf_dir = {}
    for fmt in ("docx", "odt"):  # same base names: one output folder per format
        pdf_dir[fmt] = os.path.join(work, "pdf-" + fmt)
        os.makedirs(pdf_dir[fmt], exist_ok=True)
        to_pdf([f for f in files if f.endswith("." + fmt)], pdf_dir[fmt], work)

    failures, passed = [], 0
    tops = {}
    for name, variant_of in docs:
        pages = {}
        for fmt in ("docx", "odt"):
            pdf = os.path.join(pdf_dir[fmt], name + ".pdf")
            if not os.path.exists(pdf):
                failures.append(f"{name}.{fmt}: LibreOffice made no PDF")
                continue
            pages[fmt] = read_pdf(pdf)
        if len(pages) < 2:
            continue
        checks = []
        for fmt in ("docx", "odt"):
            p = pages[fmt]
            checks.append((f"{fmt}: signature with body text", signature_alone(p)))
            margin = quoc_hieu_margin(p)
            checks.append((f"{fmt}: Quốc hiệu right margin",
                           None if margin is not None and margin >= 15 else f"Quốc hiệu ends {margin} mm from the edge"))
            lone = lone_words(p, os.path.join(work, name + ".docx"))
            checks.append((f"{fmt}: no lone word", "; ".join(lone) or None))
            tops[(name, fmt)] = header_top(p)
        sd, so = page_starts(pages["docx"]), page_starts(pages["odt"])
        same = sum(1 for a, b in zip(sd, so) if a == b)
        diff = None if sd == so else (f"{len(sd)} pages (DOCX) / {len(so)} (ODT), {same} page starts match: " +
                                      "; ".join(f"p{i + 1} “{a}” / “{b}”" for i, (a, b) in enumerate(zip(sd, so))
                                                if a != b))
        checks.append(("DOCX and ODT paginate alike", diff))
        if variant_of:
            for fmt in ("docx", "odt"):
                a, b = tops.get((variant_of, fmt)), tops.get((name, fmt))
                checks.append((f"{fmt}: header height with and without footnotes",
                               None if a is not None and b is not None and abs(a - b) < 0.5 else
                               f"first header line at {a and a / MM:.1f} mm with footnotes, {b and b / MM:.1f} mm without"))
        if report:
            print(f"{name}: pages docx {len(sd)} odt {len(so)}, page starts matching {same}/{max(len(sd), len(so))}, "
                  f"Quốc hiệu margin docx {quoc_hieu_margin(pages['docx']):.1f} mm odt "
                  f"{quoc_hieu_margin(pages['odt']):.1f} mm, header top docx {tops[(name, 'docx')] / MM:.1f} mm "
                  f"odt {tops[(name, 'odt')] / MM:.1f} mm")
        for label, problem in checks:
            if problem:
                failures.append(f"{name} — {label}: {problem}")
            else:
                passed += 1
    # Every page-1 header starts at the same height, whatever the data and the format.
    heights = {round(v / MM, 1) for v in tops.values() if v is not None}
    if max(heights) - min(heights) > 0.3:
        failures.append(f"the first header line of page 1 is at different heights: {sorted(heights)} mm")
    else:
        passed += 1
    for f in failures:
        print("FAIL " + f)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
