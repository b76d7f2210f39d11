// Rich text of the plan data (docs/ke-hoach.md) ↔ the HTML of an editable field: bold <b>, italic <i>, underline <u>
// and footnotes <span class="fn" data-note="…">. The data keeps plain text as a string; formatted or footnoted text
// becomes a list of verbatim spans {"text", "bold", "italic", "underline"} and {"footnote": "…"}, so nothing the
// secretary types is ever read as markup.
"use strict";

(function () {
  const MARKUP = /[*^\\[\]]/;

  // --- reading the light markup of saved data ("*nghiêng*", "**đậm**", "^[chú thích]", "\*")
  function markupToSpans(s) {
    const spans = [];
    let bold = false, italic = false, text = "";
    const flush = () => {
      if (text) spans.push({ text, bold, italic });
      text = "";
    };
    for (let i = 0; i < s.length; ) {
      const c = s[i];
      if (c === "\\" && i + 1 < s.length && MARKUP.test(s[i + 1])) {
        text += s[i + 1];
        i += 2;
      } else if (c === "^" && s[i + 1] === "[") {
        let depth = 0, j = i + 1, note = "";
        for (; j < s.length; ++j) {
          if (s[j] === "\\" && j + 1 < s.length) { note += s[++j]; continue; }
          if (s[j] === "[") { if (depth++) note += "["; continue; }
          if (s[j] === "]") { if (--depth === 0) break; note += "]"; continue; }
          note += s[j];
        }
        if (j >= s.length) { text += c; i++; continue; }  // unbalanced: literal, as the engine keeps it
        flush();
        spans.push({ footnote: note.replace(/\*+/g, "") });
        i = j + 1;
      } else if (c === "*") {
        let j = i;
        while (s[j] === "*") j++;
        const run = j - i;
        const rest = s.slice(j);
        const closes = (n) => rest.indexOf("*".repeat(n)) >= 0;
        flush();
        if (run >= 3 && (bold && italic || closes(3))) { bold = !bold; italic = !italic; }
        else if (run === 2 && (bold || closes(2))) bold = !bold;
        else if (run === 1 && (italic || closes(1))) italic = !italic;
        else text += "*".repeat(run);
        i = j;
      } else {
        text += c;
        i++;
      }
    }
    flush();
    return spans;
  }

  function spansOf(rich) {
    if (rich === undefined || rich === null) return [];
    if (typeof rich === "string") return markupToSpans(rich);
    if (!Array.isArray(rich)) return [{ text: String(rich) }];
    const out = [];
    for (const item of rich) {
      if (typeof item === "string") out.push(...markupToSpans(item));
      else if (item && typeof item === "object" && "footnote" in item) {
        out.push({ footnote: spansOf(item.footnote).map((s) => s.text || "").join("") });
      } else if (item && typeof item === "object") out.push(item);
    }
    return out;
  }

  function escapeHtml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function footnoteHtml(note) {
    return '<span class="fn" contenteditable="false" tabindex="-1" title="Chú thích: ' + escapeHtml(note) +
      '" data-note="' + escapeHtml(note) + '"></span>';
  }

  function toHtml(rich) {
    let html = "";
    for (const s of spansOf(rich)) {
      if ("footnote" in s) { html += footnoteHtml(s.footnote); continue; }
      let t = escapeHtml(s.text || "").replace(/\n/g, "<br>");
      if (s.underline) t = "<u>" + t + "</u>";
      if (s.italic) t = "<i>" + t + "</i>";
      if (s.bold) t = "<b>" + t + "</b>";
      html += t;
    }
    return html;
  }

  // --- the editable field back to data
  function collect(node, fmt, out) {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = child.nodeValue.replace(/\u200b/g, "").replace(/\u00a0/g, " ");
        if (text) out.push({ text, bold: fmt.bold, italic: fmt.italic, underline: fmt.underline });
        continue;
      }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      if (child.classList.contains("fn")) { out.push({ footnote: child.dataset.note || "" }); continue; }
      if (child.tagName === "BR") { out.push({ text: "\n", ...fmt }); continue; }
      const style = child.style || {};
      const f = {
        bold: fmt.bold || child.tagName === "B" || child.tagName === "STRONG" || /^(bold|[6-9]00)$/.test(style.fontWeight || ""),
        italic: fmt.italic || child.tagName === "I" || child.tagName === "EM" || style.fontStyle === "italic",
        underline: fmt.underline || child.tagName === "U" || /underline/.test(style.textDecoration || ""),
      };
      if (/^(DIV|P)$/.test(child.tagName) && out.length) out.push({ text: "\n", ...fmt });
      collect(child, f, out);
    }
    return out;
  }

  // The data of an editable field: "" when empty, a string when plain, else a list of spans.
  function fromElement(el) {
    const raw = collect(el, { bold: false, italic: false, underline: false }, []);
    const spans = [];
    for (const s of raw) {
      const last = spans[spans.length - 1];
      if (last && !("footnote" in s) && !("footnote" in last) && !!last.bold === !!s.bold && !!last.italic === !!s.italic &&
          !!last.underline === !!s.underline) last.text += s.text;
      else spans.push({ ...s });
    }
    // A trailing line break is the browser's, not the secretary's; outer white space is not kept.
    while (spans.length && !("footnote" in spans[spans.length - 1]) && !spans[spans.length - 1].text.replace(/\s+$/, "")) spans.pop();
    if (spans.length && !("footnote" in spans[spans.length - 1])) spans[spans.length - 1].text = spans[spans.length - 1].text.replace(/\s+$/, "");
    if (spans.length && !("footnote" in spans[0])) spans[0].text = spans[0].text.replace(/^\s+/, "");
    if (!spans.length) return "";
    const plain = spans.every((s) => !("footnote" in s) && !s.bold && !s.italic && !s.underline);
    if (plain) {
      const text = spans.map((s) => s.text).join("");
      return MARKUP.test(text) ? [{ text }] : text;
    }
    return spans.map((s) => {
      if ("footnote" in s) return { footnote: MARKUP.test(s.footnote) ? [{ text: s.footnote }] : s.footnote };
      const o = { text: s.text };
      if (s.bold) o.bold = true;
      if (s.italic) o.italic = true;
      if (s.underline) o.underline = true;
      return o;
    });
  }

  function plainText(rich) {
    return spansOf(rich).map((s) => s.text || "").join("");
  }

  window.VBRich = { toHtml, fromElement, plainText, spansOf, escapeHtml, footnoteHtml };
})();
