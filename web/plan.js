// The KẾ HOẠCH editor: an A4-like sheet laid out as the document is (header block, KẾ HOẠCH and trích yếu, căn cứ,
// body, Nơi nhận, signature), every field edited in place. The body (and the căn cứ, opening and closing
// paragraphs) are outlines (outline.js). Data the sheet has no field for (appendices, pictures, layout switches) is
// kept as loaded and sent back unchanged.
"use strict";

(function () {
  const R = window.VBRich;
  const O = window.VBOutline;

  const S = window.VBSheet;
  const { el, linesOf, linesValue } = S;

  // ----- an outline of editable lines (the body; with `flat`, the căn cứ / opening / closing paragraphs)

  class Outline {
    constructor(host, options) {
      this.host = host;
      this.options = options;  // {flat, placeholder, numbering(), onChange, pointerBase}
      this.items = [];
      this.undo = [];
      this.redo = [];
      this.lastSnapshotAt = 0;
      this.list = el("div", { class: "outline" + (options.flat ? " flat" : ""), role: "list" });
      host.appendChild(this.list);
      this.list.addEventListener("keydown", (e) => this.key(e));
      this.list.addEventListener("input", (e) => this.input(e));
      this.list.addEventListener("paste", (e) => this.paste(e));
      // Enter is handled on keydown; a paragraph the browser would insert by itself (an Enter that arrives after a
      // dialog closed, a dictation tool) must not split a field behind the outline's back.
      this.list.addEventListener("beforeinput", (e) => {
        if (e.inputType === "insertParagraph") e.preventDefault();
      });
      this.list.addEventListener("click", (e) => {
        const fn = e.target.closest && e.target.closest(".fn");
        if (fn) this.options.editNote(fn, () => this.changed());
        const mark = e.target.closest && e.target.closest(".item.section > .label");
        if (mark) this.editLabel(Number(mark.parentElement.dataset.index));
      });
      // Drag an item by its number to move it, with everything under it, before another item (taking its level).
      this.list.addEventListener("dragstart", (e) => {
        const row = e.target.closest && e.target.closest(".item");
        if (!row || !e.target.classList.contains("label")) return;
        this.dragFrom = Number(row.dataset.index);
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", row.textContent);
      });
      this.list.addEventListener("dragover", (e) => {
        const row = e.target.closest && e.target.closest(".item");
        if (this.dragFrom == null || !row) return;
        e.preventDefault();
        this.list.querySelectorAll(".drop-before").forEach((r) => r.classList.remove("drop-before"));
        row.classList.add("drop-before");
      });
      this.list.addEventListener("drop", (e) => {
        const row = e.target.closest && e.target.closest(".item");
        if (this.dragFrom == null || !row) return;
        e.preventDefault();
        const from = this.dragFrom;
        this.dragFrom = null;
        this.moveBefore(from, Number(row.dataset.index));
      });
      this.list.addEventListener("dragend", () => {
        this.dragFrom = null;
        this.list.querySelectorAll(".drop-before").forEach((r) => r.classList.remove("drop-before"));
      });
      this.list.addEventListener("focusin", (e) => {
        const row = e.target.closest(".item");
        if (row) Outline.active = { outline: this, index: Number(row.dataset.index) };
      });
    }

    setItems(items) {
      this.items = items.map((i) => ({ ...i, extra: { ...i.extra } }));
      this.undo = [];
      this.redo = [];
      this.draw();
    }

    snapshot(force) {
      const now = Date.now();
      if (!force && now - this.lastSnapshotAt < 1200) return;
      this.lastSnapshotAt = now;
      this.undo.push(this.state());
      if (this.undo.length > 200) this.undo.shift();
      this.redo = [];
    }

    // The items and the item being edited: undoing returns to that item.
    state() {
      const at = Outline.active && Outline.active.outline === this ? Outline.active.index : 0;
      return JSON.stringify({ items: this.items, at });
    }

    restore(from, to) {
      if (!from.length) return;
      to.push(this.state());
      const back = JSON.parse(from.pop());
      this.items = back.items;
      const focus = Math.min(back.at, this.items.length - 1);
      this.draw();
      this.lastSnapshotAt = 0;
      this.focus(Math.max(0, focus), "end");
      this.changed();
    }

    draw() {
      if (!this.items.length && this.options.keepOne) this.items.push({ kind: this.options.flat ? "para" : "section", depth: 0, title: "", text: "", extra: {} });
      this.list.innerHTML = "";
      const labels = this.options.flat ? [] : O.labels(this.items, this.options.numbering());
      this.items.forEach((item, i) => this.list.appendChild(this.row(item, i, labels[i] || "")));
      this.options.onDraw && this.options.onDraw();
    }

    relabel() {
      if (this.options.flat) return;
      const labels = O.labels(this.items, this.options.numbering());
      this.list.querySelectorAll(":scope > .item").forEach((row, i) => {
        const mark = row.querySelector(".label");
        if (mark.textContent === labels[i]) return;
        mark.textContent = labels[i];
        if (this.items[i].kind === "section") {
          row.classList.remove("roman", "arabic", "decimal", "letter", "upper");
          for (const c of this.schemeClass(labels[i]).split(" ").filter(Boolean)) row.classList.add(c);
        }
      });
    }

    // How the document emphasises a heading depends on its numbering (styles KHMucHead, KHKhoanHead …): roman
    // headings bold and (by default) upper-cased, 1. and 1.1. bold, a) plain.
    schemeClass(label) {
      const scheme = /^[IVXLC]+\.$/.test(label) ? "roman" : /^\d+\.\d/.test(label) ? "decimal" : /^\d+\.$/.test(label) ? "arabic"
        : /\)$/.test(label) ? "letter" : "";  // "(1)" is laid out as a điểm
      const upper = ((this.options.numbering().uppercase) || ["roman"]).includes(scheme);
      return scheme + (upper ? " upper" : "");
    }

    row(item, i, label) {
      const level = item.kind === "section" ? "lv" + Math.min(item.depth, 4) + " " + this.schemeClass(label) : "";
      const row = el("div", { class: "item " + item.kind + " " + level, role: "listitem", "data-index": i });
      row.style.setProperty("--depth", item.depth);
      if (!this.options.flat) {
        const own = item.kind === "section" && item.extra.label;
        const hint = item.kind === "section" ? "Bấm để ghi số thứ tự riêng; kéo để chuyển mục (hoặc Alt+↑/↓)" : "Kéo để chuyển mục (hoặc Alt+↑/↓)";
        row.appendChild(el("span", { class: "label" + (own ? " own" : ""), "aria-hidden": "true", draggable: "true",
          title: own ? "Số thứ tự riêng (bấm để sửa)" : hint, text: label }));
      }
      const content = el("div", { class: "content" });
      row.appendChild(content);
      // A section written without a heading ("1. Căn cứ kế hoạch này …") shows only its text.
      const textOnly = item.kind === "section" && !item.title && item.text;
      const title = textOnly ? null : el("div", {
        class: "rich title",
        contenteditable: "true",
        role: "textbox",
        "aria-label": this.describe(item),
        "data-placeholder": this.placeholder(item),
      });
      if (title) {
        title.innerHTML = item.title;
        content.appendChild(title);
      }
      if (item.kind === "section" && (item.text || item.showText)) {
        const text = el("div", { class: "rich text", contenteditable: "true", role: "textbox", "aria-label": "Nội dung viết liền sau tiêu đề",
          "data-placeholder": "nội dung viết liền sau tiêu đề" });
        text.innerHTML = item.text;
        content.appendChild(text);
      }
      return row;
    }

    describe(item) {
      if (this.options.flat) return this.options.placeholder;
      return (item.kind === "section" ? "Mục có số" : item.kind === "bullet" ? "Gạch đầu dòng" : "Đoạn văn") + ", cấp " + (item.depth + 1);
    }
    placeholder(item) {
      if (this.options.flat) return this.options.placeholder;
      return item.kind === "section" ? "Tiêu đề mục" : item.kind === "bullet" ? "Nội dung gạch đầu dòng" : "Đoạn văn";
    }

    // ----- typing

    input(e) {
      const row = e.target.closest(".item");
      if (!row) return;
      const i = Number(row.dataset.index);
      const item = this.items[i];
      this.snapshot(false);
      const field = e.target.closest(".rich");
      if (!field) return;  // the own-number box (editLabel) keeps its text until Enter
      // Typing "- ", "+ ", "1. ", "a) ", "(1) " or "II. " at the start of a line makes it that kind of item, as Word does.
      if (!this.options.flat && field.classList.contains("title")) {
        const text = field.textContent;
        const m = text.match(/^(-|\+|[IVX]+\.|\d+\.|[a-zđ]\)|\(\d+\))[\s\u00a0]/);
        if (m && field.childNodes.length === 1 && field.firstChild.nodeType === Node.TEXT_NODE) {
          const kind = m[1] === "-" || m[1] === "+" ? "bullet" : "section";
          this.snapshot(true);
          item.kind = kind;
          item.title = R.escapeHtml(text.slice(m[0].length));
          if (m[1].startsWith("(")) this.makeParen(i);
          this.draw();
          this.focus(i, "end");
          this.changed();
          return;
        }
      }
      if (field.classList.contains("text")) item.text = field.innerHTML;
      else item.title = field.innerHTML;
      this.changed();
    }

    changed() {
      this.relabel();
      this.options.onChange();
    }

    focus(i, where) {
      const row = this.list.querySelectorAll(":scope > .item")[i];
      if (!row) return;
      const field = where === "text" ? row.querySelector(".text") || row.querySelector(".title") : row.querySelector(".title") || row.querySelector(".text");
      field.focus();
      const sel = window.getSelection();
      const range = document.createRange();
      range.selectNodeContents(field);
      range.collapse(where === "start");
      sel.removeAllRanges();
      sel.addRange(range);
    }

    // The item at `i` and everything under it: [i, end).
    subtree(i) {
      let end = i + 1;
      while (end < this.items.length && this.items[end].depth > this.items[i].depth) end++;
      return end;
    }

    key(e) {
      const row = e.target.closest(".item");
      if (!row) return;
      if (e.key !== "Tab" && e.key !== "Escape" && e.key !== "Shift") this.tabLeaves = false;
      const i = Number(row.dataset.index);
      const field = e.target.closest(".rich");
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.altKey && (e.key === "z" || e.key === "Z")) {
        e.preventDefault();
        this.syncField(i, field);
        if (e.shiftKey) this.restore(this.redo, this.undo);
        else this.restore(this.undo, this.redo);
      } else if (mod && !e.altKey && (e.key === "y" || e.key === "Y")) {
        e.preventDefault();
        this.restore(this.redo, this.undo);
      } else if (mod && !e.altKey && /^[biu]$/i.test(e.key)) {
        e.preventDefault();
        document.execCommand({ b: "bold", i: "italic", u: "underline" }[e.key.toLowerCase()]);
      } else if (e.key === "Enter" && e.altKey && !this.options.flat) {
        e.preventDefault();
        this.continueText(i);
      } else if (e.key === "Enter" && e.shiftKey) {
        e.preventDefault();
        document.execCommand("insertLineBreak");
      } else if (e.key === "Enter") {
        e.preventDefault();
        this.split(i, field);
      } else if (e.key === "Escape") {
        this.tabLeaves = true;  // keyboard users leave the outline with Esc, then Tab / Shift+Tab
      } else if (e.key === "Tab" && !this.options.flat && this.tabLeaves) {
        e.preventDefault();
        this.tabLeaves = false;
        this.leave(e.shiftKey ? -1 : 1);
      } else if (e.key === "Tab" && !this.options.flat) {
        e.preventDefault();
        this.indent(i, e.shiftKey ? -1 : 1);
      } else if (e.key === "Backspace" && this.isEmpty(i) && this.items.length > 1) {
        e.preventDefault();
        this.remove(i);
      } else if (e.key === "Backspace" && field.classList.contains("text") && !field.textContent) {
        e.preventDefault();
        this.items[i].showText = false;
        this.draw();
        this.focus(i, "end");
      } else if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        this.move(i, e.key === "ArrowUp" ? -1 : 1);
      } else if (e.key === "ArrowUp" && !e.shiftKey && this.atEdge(field, "start") && i > 0) {
        e.preventDefault();
        this.focus(i - 1, "end");
      } else if (e.key === "ArrowDown" && !e.shiftKey && this.atEdge(field, "end") && i + 1 < this.items.length) {
        e.preventDefault();
        this.focus(i + 1, "end");
      } else if (e.ctrlKey && e.altKey && /^[123]$/.test(e.key) && !this.options.flat) {
        e.preventDefault();
        this.setKind(i, ["section", "bullet", "para"][Number(e.key) - 1]);
      } else if (e.ctrlKey && e.altKey && (e.key === "f" || e.key === "F")) {
        e.preventDefault();
        this.options.insertNote(() => { this.syncField(i, field); this.changed(); });
      }
    }

    // Focus the first control after (by = 1) or before (by = -1) the whole outline.
    leave(by) {
      const all = [...document.querySelectorAll("button, input, select, textarea, a[href], [contenteditable=true]")]
        .filter((e) => !e.disabled && e.offsetParent !== null);
      const inside = (e) => this.list.contains(e);
      const first = all.findIndex(inside);
      let last = first;
      while (last + 1 < all.length && inside(all[last + 1])) last++;
      const target = by > 0 ? all[last + 1] : all[first - 1];
      if (target) target.focus();
    }

    syncField(i, field) {
      if (!field || !this.items[i]) return;
      if (field.classList.contains("text")) this.items[i].text = field.innerHTML;
      else this.items[i].title = field.innerHTML;
    }

    atEdge(field, edge) {
      const sel = window.getSelection();
      if (!sel.rangeCount || !sel.isCollapsed) return false;
      const r = document.createRange();
      r.selectNodeContents(field);
      if (edge === "start") r.setEnd(sel.getRangeAt(0).startContainer, sel.getRangeAt(0).startOffset);
      else r.setStart(sel.getRangeAt(0).endContainer, sel.getRangeAt(0).endOffset);
      return !r.toString().length;
    }

    isEmpty(i) {
      const it = this.items[i];
      const blank = (h) => !h || !h.replace(/<br>|&nbsp;|\s/g, "").length;
      return blank(it.title) && blank(it.text);
    }

    split(i, field) {
      this.snapshot(true);
      const item = this.items[i];
      const sel = window.getSelection();
      let after = "";
      if (sel.rangeCount) {
        const range = sel.getRangeAt(0);
        range.deleteContents();
        const tail = document.createRange();
        tail.selectNodeContents(field);
        tail.setStart(range.endContainer, range.endOffset);
        const holder = document.createElement("div");
        holder.appendChild(tail.extractContents());
        after = holder.textContent ? holder.innerHTML : "";
      }
      this.syncField(i, field);
      const hasChildren = i + 1 < this.items.length && this.items[i + 1].depth > item.depth;
      let next;
      if (!after && hasChildren && !this.options.flat) {
        const child = this.items[i + 1];
        next = { kind: child.kind, depth: child.depth, title: "", text: "", extra: {} };
      } else {
        next = { kind: item.kind, depth: item.depth, title: after, text: "", extra: item.kind === "bullet" && item.extra.symbol ? { symbol: item.extra.symbol } : {} };
        if (field.classList.contains("text")) { item.text = field.innerHTML; next.title = after; }
      }
      this.items.splice(i + 1, 0, next);
      this.draw();
      this.focus(i + 1, "start");
      this.changed();
    }

    continueText(i) {
      const item = this.items[i];
      if (item.kind !== "section") return;
      item.showText = true;
      this.draw();
      this.focus(i, "text");
    }

    indent(i, by) {
      const end = this.subtree(i);
      const item = this.items[i];
      const target = item.depth + by;
      if (target < 0) return;
      if (by > 0 && (i === 0 || this.items[i - 1].depth < item.depth)) return;  // nothing to go under
      this.snapshot(true);
      for (let k = i; k < end; ++k) this.items[k].depth += by;
      // Promoting an item takes the following siblings' place under it? No: they stay where they are, Word-like;
      // only depths that would skip a level are pulled up.
      this.normalise();
      this.draw();
      this.focus(i, "end");
      this.changed();
    }

    normalise() {
      let prev = -1;
      for (const it of this.items) {
        if (it.depth > prev + 1) it.depth = prev + 1;
        prev = it.depth;
      }
    }

    remove(i) {
      this.snapshot(true);
      const depth = this.items[i].depth;
      const end = this.subtree(i);
      for (let k = i + 1; k < end; ++k) this.items[k].depth--;  // its children move up to take its place
      this.items.splice(i, 1);
      void depth;
      this.normalise();
      this.draw();
      this.focus(Math.max(0, i - 1), "end");
      this.changed();
    }

    move(i, by) {
      const depth = this.items[i].depth;
      const end = this.subtree(i);
      if (by < 0) {
        let p = i - 1;
        while (p >= 0 && this.items[p].depth > depth) p--;
        if (p < 0 || this.items[p].depth !== depth) return;
        this.snapshot(true);
        const block = this.items.splice(i, end - i);
        this.items.splice(p, 0, ...block);
        this.draw();
        this.focus(p, "end");
      } else {
        if (end >= this.items.length || this.items[end].depth !== depth) return;
        const nextEnd = this.subtree(end);
        this.snapshot(true);
        const block = this.items.splice(i, end - i);
        const at = nextEnd - block.length;
        this.items.splice(at, 0, ...block);
        this.draw();
        this.focus(at, "end");
      }
      this.changed();
    }

    // Item `i` and its subtree go before item `j`, at `j`'s level.
    moveBefore(i, j) {
      const end = this.subtree(i);
      if (j >= i && j < end) return;
      this.snapshot(true);
      const delta = this.items[j].depth - this.items[i].depth;
      const block = this.items.splice(i, end - i);
      for (const it of block) it.depth += delta;
      const at = j > i ? j - block.length : j;
      this.items.splice(at, 0, ...block);
      this.normalise();
      this.draw();
      this.focus(at, "end");
      this.changed();
    }

    // "(1) " typed on the line after a điểm: the item goes under it, and the điểm numbers its items (1), (2) ….
    makeParen(i) {
      const item = this.items[i];
      const prev = this.items[i - 1];
      const labels = O.labels(this.items, this.options.numbering());
      if (prev && prev.depth === item.depth && prev.kind === "section" && !/^\(\d+\)$/.test(labels[i - 1])) {
        for (let k = i; k < this.subtree(i); ++k) this.items[k].depth++;
      }
      this.markParenParent(i);
    }

    markParenParent(i) {
      for (let p = i - 1; p >= 0; --p) {
        if (this.items[p].depth >= this.items[i].depth) continue;
        if (this.items[p].kind === "section") this.items[p].extra.children_numbering = "paren";
        return;
      }
    }

    // A section's own printed number ("e)" where the source skipped đ)), typed in place of the generated one.
    editLabel(i) {
      const row = this.list.querySelectorAll(":scope > .item")[i];
      const mark = row && row.querySelector(".label");
      if (!mark || this.items[i].kind !== "section") return;
      const generated = O.labels(this.items.map((it, k) => (k === i ? { ...it, extra: { ...it.extra, label: "" } } : it)),
        this.options.numbering())[i];
      const input = el("input", { class: "own-label", type: "text", size: 5, maxlength: 24, value: this.items[i].extra.label || "",
        placeholder: generated, "aria-label": "Số thứ tự riêng (để trống: số tự sinh " + generated + ")",
        title: "Số in ra thay cho số tự sinh, khi văn bản gốc đánh số khác; để trống để dùng số tự sinh" });
      mark.replaceWith(input);
      input.focus();
      let done = false;
      const finish = (keep) => {
        if (done) return;
        done = true;
        if (keep) {
          this.snapshot(true);
          const value = input.value.trim();
          if (value && value !== generated) this.items[i].extra.label = value;
          else delete this.items[i].extra.label;
        }
        this.draw();
        this.focus(i, "end");
        if (keep) this.changed();
      };
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") { e.preventDefault(); finish(true); }
        else if (e.key === "Escape") { e.preventDefault(); finish(false); }
        e.stopPropagation();
      });
      input.addEventListener("blur", () => finish(true));
    }

    setKind(i, kind) {
      this.snapshot(true);
      this.items[i].kind = kind;
      if (kind !== "section" && this.items[i].text) {
        this.items[i].title += (this.items[i].title ? " " : "") + this.items[i].text;
        this.items[i].text = "";
      }
      this.draw();
      this.focus(i, "end");
      this.changed();
    }

    // Text from Word, LibreOffice or a PDF: one item per line, typed numbering turned into levels.
    paste(e) {
      const text = e.clipboardData.getData("text/plain");
      if (!text || !e.target.closest(".rich")) return;
      const row = e.target.closest(".item");
      const lines = text.split(/\r?\n/).filter((l) => l.trim());
      if (lines.length < 2 && (this.options.flat || !O.classify(text.trim()).type)) {
        e.preventDefault();
        document.execCommand("insertText", false, text.replace(/\s+/g, " "));
        return;
      }
      e.preventDefault();
      const i = row ? Number(row.dataset.index) : this.items.length - 1;
      this.snapshot(true);
      this.syncField(i, e.target.closest(".rich"));
      let items;
      if (this.options.flat) items = lines.map((l) => ({ kind: "para", depth: 0, title: R.escapeHtml(l.trim()), text: "", extra: {} }));
      else {
        const parsed = O.itemsFromText(text);
        items = parsed.items;
        this.options.onPastedNumbering && this.options.onPastedNumbering(items, this.items.length === 1 && this.isEmpty(0));
      }
      const base = this.items[i] ? this.items[i].depth : 0;
      for (const it of items) { it.depth += this.options.flat ? 0 : base; it.paren = it.type === "paren"; delete it.type; }
      const replace = this.isEmpty(i) ? 1 : 0;
      this.items.splice(i + 1 - replace, replace, ...items);
      this.normalise();
      // Pasted "(1)" lines: their điểm numbers its items (1), (2) ….
      this.items.forEach((it, k) => { if (it.paren) this.markParenParent(k); delete it.paren; });
      this.draw();
      this.focus(i - replace + items.length, "end");
      this.changed();
    }

    data() {
      return this.items.map((it) => O.richOf(it.title));
    }
  }
  Outline.active = null;

  // ----- the sheet

  const AUTHORITIES = [["", "Người đứng đầu ký"], ["KT.", "KT. — ký thay"], ["TM.", "TM. — thay mặt tập thể"], ["Q.", "Q. — quyền"],
    ["TL.", "TL. — thừa lệnh"], ["TUQ.", "TUQ. — thừa ủy quyền"]];
  const NUMBERINGS = [["roman,arabic,letter", "I. → 1. → a)"], ["arabic,letter", "1. → a)"], ["roman,arabic,decimal,letter", "I. → 1. → 1.1. → a)"],
    ["arabic,decimal,letter", "1. → 1.1. → a)"]];

  class PlanEditor {
    constructor(host, hooks) {
      this.host = host;
      this.hooks = hooks;  // {onChange(), onProfile(profile), editNote(span, done), insertNote(done)}
      this.data = {};
      this.touched = new Set();
      this.build();
    }

    field(path, attrs) {
      const input = el(attrs.multiline ? "textarea" : "input", {
        class: "f " + (attrs.class || ""), "data-path": path, "aria-label": attrs.label, placeholder: attrs.placeholder || attrs.label,
        rows: attrs.multiline ? attrs.rows || 2 : undefined, inputmode: attrs.numeric ? "numeric" : undefined, size: attrs.size,
      });
      input.addEventListener("input", () => {
        this.touch(path);
        this.autosize(input);
        if (path === "agency.abbreviation") this.symbolHint();
        this.hooks.onChange();
      });
      input.addEventListener("blur", () => { this.touch(path); this.hooks.onChange(); });
      this.inputs.push(input);
      return input;
    }

    autosize(input) {
      S.autosize(input);
    }

    touch(path) {
      this.touched.add("/" + path.replace(/\./g, "/"));
    }

    outline(pointer, options) {
      const holder = el("div", { class: "outline-host", "data-pointer": pointer });
      const o = new Outline(holder, {
        ...options,
        numbering: () => this.numbering(),
        onChange: () => { this.touched.add(pointer); this.hooks.onChange(); },
        editNote: this.hooks.editNote,
        insertNote: this.hooks.insertNote,
        onPastedNumbering: (items, wasEmpty) => this.adoptNumbering(items, wasEmpty),
      });
      return { holder, o };
    }

    build() {
      this.inputs = [];
      const h = this.host;
      h.innerHTML = "";
      const sheet = el("div", { class: "sheet-editor", lang: "vi" });
      // Header block: agency on the left, national motto and place/date on the right.
      const left = el("div", { class: "hdr-left" },
        this.field("agency.parent", { label: "Cơ quan chủ quản (nếu có)", class: "upper center", multiline: true, rows: 1 }),
        this.field("agency.name", { label: "Tên cơ quan ban hành", class: "upper center bold", multiline: true, rows: 1 }),
        el("div", { class: "rule short" }),
        el("div", { class: "so center" }, "Số: ", this.field("number", { label: "số", class: "num", numeric: true, placeholder: "…", size: 4 }),
          "/", this.field("symbol", { label: "Ký hiệu", class: "sym", size: 10 })),
        el("label", { class: "mini" }, "Chữ viết tắt tên cơ quan: ", this.field("agency.abbreviation", { label: "Chữ viết tắt tên cơ quan", placeholder: "ví dụ SKHCN", class: "abbr", size: 8 })));
      const right = el("div", { class: "hdr-right" },
        el("div", { class: "center bold motto13" }, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        el("div", { class: "center bold" }, "Độc lập - Tự do - Hạnh phúc"),
        el("div", { class: "rule motto" }),
        el("div", { class: "center italic date" }, this.field("place", { label: "Địa danh", class: "place", size: 10 }), ", ngày ",
          this.field("date.day", { label: "ngày", class: "num", numeric: true, placeholder: "…", size: 2 }), " tháng ",
          this.field("date.month", { label: "tháng", class: "num", numeric: true, placeholder: "…", size: 2 }), " năm ",
          this.field("date.year", { label: "năm", class: "num year", numeric: true, placeholder: "……", size: 4 })),
        el("label", { class: "mini" }, this.draftYear = el("input", { type: "checkbox", class: "draft-year", "aria-label": "Dự thảo chưa có năm" }),
          " Dự thảo chưa có năm (in “ngày … tháng … năm 20…”)"));
      this.draftYear.addEventListener("change", () => { this.touch("date"); this.showDraftYear(); this.hooks.onChange(); });
      sheet.appendChild(el("div", { class: "hdr" }, left, right));
      sheet.appendChild(el("div", { class: "center bold kh" }, "KẾ HOẠCH"));
      sheet.appendChild(this.field("title", { label: "Trích yếu nội dung", class: "center bold title-field", multiline: true, rows: 1,
        placeholder: "Trích yếu: kế hoạch về việc gì (ví dụ: Cải cách hành chính năm 2024)" }));
      sheet.appendChild(el("div", { class: "rule title" }));

      this.bases = this.outline("/legal_bases", { flat: true, placeholder: "Căn cứ …;" });
      this.opening = this.outline("/opening", { flat: true, placeholder: "Đoạn mở đầu" });
      this.body = this.outline("/body", { keepOne: true });
      this.closing = this.outline("/closing", { flat: true, placeholder: "Đoạn kết thúc (đoạn cuối kết thúc bằng ./.)" });
      const optional = (o, label, name) => {
        const add = el("button", { type: "button", class: "add-part", text: "+ " + label, "data-part": name });
        const wrap = el("div", { class: "part part-" + name }, o.holder);
        add.addEventListener("click", () => {
          wrap.hidden = false;
          add.hidden = true;
          if (!o.o.items.length) o.o.setItems([{ kind: "para", depth: 0, title: "", text: "", extra: {} }]);
          o.o.focus(0, "end");
        });
        o.o.options.onDraw = () => {
          const has = o.o.items.length > 0;
          wrap.hidden = !has;
          add.hidden = has;
        };
        return [add, wrap];
      };
      const basesParts = optional(this.bases, "Thêm căn cứ", "legal_bases");
      const openingParts = optional(this.opening, "Thêm đoạn mở đầu", "opening");
      const closingParts = optional(this.closing, "Thêm đoạn kết thúc", "closing");
      sheet.appendChild(el("div", { class: "italic bases" }, basesParts[1]));
      sheet.appendChild(openingParts[1]);

      this.numberingSelect = el("select", { class: "numbering", "aria-label": "Cách đánh số các mục" },
        ...NUMBERINGS.map(([v, t]) => el("option", { value: v, text: t })));
      this.numberingSelect.addEventListener("change", () => { this.body.o.relabel(); this.hooks.onChange(); });
      const toolbar = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Định dạng" },
        el("span", { class: "tb-label", text: "Đánh số:" }), this.numberingSelect,
        this.tool("Mục có số", "Ctrl+Alt+1", () => this.kind("section")),
        this.tool("Gạch đầu dòng", "Ctrl+Alt+2", () => this.kind("bullet")),
        this.tool("Đoạn văn", "Ctrl+Alt+3", () => this.kind("para")),
        this.tool("Lùi vào", "Tab", () => this.indent(1)),
        this.tool("Lùi ra", "Shift+Tab", () => this.indent(-1)),
        this.tool("Đậm", "Ctrl+B", () => document.execCommand("bold"), "b"),
        this.tool("Nghiêng", "Ctrl+I", () => document.execCommand("italic"), "i"),
        this.tool("Chú thích", "Ctrl+Alt+F", () => this.note()),
        this.tool("Viết liền sau tiêu đề", "Alt+Enter", () => this.continueText()),
        this.tool("Hoàn tác", "Ctrl+Z", () => this.undo()));
      sheet.appendChild(el("div", { class: "body-part" }, el("div", { class: "part-label", text: "Nội dung" }), toolbar, this.body.holder));
      sheet.appendChild(closingParts[1]);
      sheet.appendChild(el("div", { class: "adders" }, basesParts[0], openingParts[0], closingParts[0]));

      // Nơi nhận and signature.
      this.authority = el("select", { class: "f authority", "data-path": "signer.authority", "aria-label": "Quyền hạn ký" },
        ...AUTHORITIES.map(([v, t]) => el("option", { value: v, text: t })));
      this.authority.addEventListener("change", () => { this.touch("signer.authority"); this.showAuthority(); this.hooks.onChange(); });
      this.inputs.push(this.authority);
      this.onBehalf = this.field("signer.on_behalf_of", { label: "Ký thay cho (chức vụ người đứng đầu, ví dụ GIÁM ĐỐC)", class: "center bold upper" });
      const sign = el("div", { class: "sign" },
        this.authority,
        el("div", { class: "behalf" }, this.onBehalf),
        this.field("signer.position", { label: "Chức vụ người ký (ví dụ PHÓ GIÁM ĐỐC)", class: "center bold upper" }),
        this.pictures(),
        this.field("signer.name", { label: "Họ và tên người ký", class: "center bold" }));
      const recipients = el("div", { class: "recipients" },
        el("div", { class: "bold italic small-label", text: "Nơi nhận:" }),
        this.field("recipients", { label: "Nơi nhận — mỗi dòng một nơi (chương trình tự thêm “-” và “;”)", multiline: true, rows: 3, class: "small" }),
        el("div", { class: "small lưu" }, "- Lưu: VT, ", this.field("archive.units", { label: "đơn vị soạn thảo", class: "units", size: 6 }),
          this.field("archive.copies", { label: "số bản", class: "copies", size: 3, placeholder: "số bản" }), "."),
        el("label", { class: "mini lưu-khác" }, "hoặc ghi cả dòng lưu: - ",
          this.field("archive.line", { label: "Dòng lưu ghi tự do", class: "archive-line", size: 22, placeholder: "ví dụ Lưu: Văn thư, Phòng KH (02 bản)." })));
      sheet.appendChild(el("div", { class: "foot" }, recipients, sign));
      this.appendixBox = el("div", { class: "appendices" });
      sheet.appendChild(this.appendixBox);
      sheet.appendChild(el("button", { type: "button", class: "add-part", "data-part": "appendices", text: "+ Thêm phụ lục",
        onclick: () => this.addAppendix() }));
      h.appendChild(sheet);
    }

    // Ảnh chữ ký / ảnh con dấu of the signer.
    pictures() {
      this.pictureBox = S.pictures((make) => (make ? (this.data.signer = this.data.signer || {}) : this.data.signer),
        [["signature_image", "ảnh chữ ký"], ["seal_image", "ảnh con dấu"]], this.hooks.maxImageBytes,
        (key) => { this.touch("signer." + key); this.hooks.onChange(); });
      return this.pictureBox;
    }

    // ----- phụ lục: each a page with its title, the note under it and its table of tasks (or groups of tasks)

    addAppendix() {
      this.data.appendices = this.data.appendices || [];
      this.data.appendices.push({ title: "", tasks: [{ content: "", lead: "" }] });
      this.touched.add("/appendices/" + (this.data.appendices.length - 1) + "/x");
      this.drawAppendices();
      const inputs = this.appendixBox.querySelectorAll(".appendix:last-child input");
      if (inputs.length) inputs[0].focus();
      this.hooks.onChange();
    }

    drawAppendices() {
      const box = this.appendixBox;
      box.innerHTML = "";
      const list = this.data.appendices || [];
      list.forEach((a, k) => {
        const pointer = "/appendices/" + k;
        const part = el("div", { class: "appendix" });
        part.appendChild(el("div", { class: "center bold", text: "PHỤ LỤC" + (list.length > 1 ? " " + O.roman(k + 1) : "") }));
        part.appendChild(this.cell(a, "title", pointer + "/title", "Tên phụ lục", "center bold upper appendix-title"));
        part.appendChild(this.cell(a, "note", pointer + "/note", "(Kèm theo Kế hoạch số …/KH-… ngày … tháng … năm …) — bỏ trống: tự ghi", "center italic appendix-note"));
        if (Array.isArray(a.groups)) {
          a.groups.forEach((g, j) => {
            part.appendChild(this.cell(g, "title", pointer + "/groups/" + j + "/title", "Tên nhóm nhiệm vụ", "bold group-title", true, true));
            part.appendChild(this.taskTable(g.tasks = g.tasks || [], pointer + "/groups/" + j + "/tasks"));
          });
        } else {
          part.appendChild(this.taskTable(a.tasks = a.tasks || [], pointer + "/tasks"));
        }
        part.appendChild(el("button", { type: "button", class: "link small", text: "Xóa phụ lục này", onclick: () => {
          list.splice(k, 1);
          this.drawAppendices();
          this.hooks.onChange();
        } }));
        box.appendChild(part);
      });
    }

    // One text of an appendix, edited in place (`richField`: the schema's "rich" text).
    cell(holder, key, pointer, label, cls, multiline, richField) {
      return S.cell(holder, key, { pointer, label, cls, multiline, rich: richField, onInput: (p) => { this.touched.add(p); this.hooks.onChange(); } });
    }

    taskTable(tasks, pointer) {
      const columns = [["content", "Nội dung nhiệm vụ", { rich: true }], ["lead", "Đơn vị chủ trì"], ["partners", "Đơn vị phối hợp"],
        ["product", "Sản phẩm", { rich: true }], ["deadline", "Thời gian hoàn thành"]];
      return S.table(tasks, { columns, numbered: true, pointer, newRow: () => ({ content: "", lead: "" }), redraw: () => this.drawAppendices(),
        onInput: (p) => { this.touched.add(p); this.hooks.onChange(); } });
    }

    tool(label, keys, action, cls) {
      const b = el("button", { type: "button", class: "tool " + (cls || ""), title: label + " (" + keys + ")", "aria-label": label + " (" + keys + ")" },
        label);
      // The click must not take the focus (and the caret) away from the text.
      b.addEventListener("mousedown", (e) => e.preventDefault());
      b.addEventListener("click", action);
      return b;
    }

    activeBody() {
      const a = Outline.active;
      return a && a.outline === this.body.o ? a : null;
    }
    kind(k) { const a = this.activeBody(); if (a) a.outline.setKind(a.index, k); }
    indent(by) { const a = this.activeBody(); if (a) a.outline.indent(a.index, by); }
    continueText() { const a = this.activeBody(); if (a) a.outline.continueText(a.index); }
    undo() { const a = Outline.active; if (a) a.outline.restore(a.outline.undo, a.outline.redo); }
    note() {
      const a = Outline.active;
      if (!a) return;
      const field = document.activeElement && document.activeElement.closest && document.activeElement.closest(".rich");
      this.hooks.insertNote(() => { a.outline.syncField(a.index, field); a.outline.changed(); });
    }

    symbolHint() {
      const abbr = this.value("agency.abbreviation");
      this.inputs.find((i) => i.dataset.path === "symbol").placeholder = abbr ? "KH-" + abbr : "KH-…";
    }

    showAuthority() {
      const v = this.authority.value;
      this.onBehalf.parentElement.hidden = !v;
    }

    numbering() {
      const n = { ...(this.data.numbering || {}) };
      n.levels = this.numberingSelect.value.split(",");
      return n;
    }

    // Pasted text that starts with "1." rather than "I." asks for the numbering 1. → a) (when the body was empty).
    adoptNumbering(items, wasEmpty) {
      if (!wasEmpty) return;
      const sections = items.filter((i) => i.kind === "section");
      const types = [];
      for (const s of sections) if (!types[s.depth]) types[s.depth] = s.type;
      const key = types.filter(Boolean).join(",");
      const option = NUMBERINGS.find(([v]) => v === key) || NUMBERINGS.find(([v]) => v.startsWith(types[0] || "roman"));
      if (option) this.numberingSelect.value = option[0];
    }

    // ----- data in and out

    setData(data) {
      this.data = JSON.parse(JSON.stringify(data || {}));
      this.touched.clear();
      const d = this.data;
      const date = typeof d.date === "string" ? (() => { const [y, m, dd] = d.date.split("-"); return { year: +y, month: m ? +m : null, day: dd ? +dd : null }; })() : d.date || {};
      const values = {
        "agency.parent": linesOf(d.agency && d.agency.parent), "agency.name": linesOf(d.agency && d.agency.name),
        "agency.abbreviation": (d.agency && d.agency.abbreviation) || "", number: d.number == null ? "" : String(d.number),
        symbol: d.symbol || "", place: d.place || "", "date.day": date.day == null ? "" : String(date.day),
        "date.month": date.month == null ? "" : String(date.month), "date.year": date.year == null ? "" : String(date.year),
        title: d.title || "", "signer.authority": (d.signer && d.signer.authority) || "",
        "signer.on_behalf_of": (d.signer && d.signer.on_behalf_of) || "", "signer.position": (d.signer && d.signer.position) || "",
        "signer.name": (d.signer && d.signer.name) || "", recipients: (d.recipients || []).join("\n"),
        "archive.units": linesOf(d.archive && d.archive.units).replace(/\n/g, ", "), "archive.copies": d.archive && d.archive.copies != null ? String(d.archive.copies) : "",
        "archive.line": (d.archive && d.archive.line) || "",
      };
      for (const input of this.inputs) input.value = values[input.dataset.path] || "";
      this.draftYear.checked = !!(d.date && typeof d.date === "object" && "year" in d.date && d.date.year === null);
      this.showDraftYear();
      this.symbolHint();
      const levels = (d.numbering && d.numbering.levels || ["roman", "arabic", "letter"]).join(",");
      if (!NUMBERINGS.some(([v]) => v === levels)) this.numberingSelect.appendChild(el("option", { value: levels, text: levels.split(",").map((s) => ({ roman: "I.", arabic: "1.", decimal: "1.1.", letter: "a)", paren: "(1)", none: "(không số)" }[s])).join(" → ") }));
      this.numberingSelect.value = levels;
      const paras = (v) => (v === undefined ? [] : typeof v === "string" ? [v] : v).map((r) => ({ kind: "para", depth: 0, title: R.toHtml(r), text: "", extra: {} }));
      this.bases.o.setItems(paras(d.legal_bases));
      this.opening.o.setItems(paras(d.opening));
      this.closing.o.setItems(paras(d.closing));
      this.body.o.setItems(O.itemsFromBody(d.body || []));
      this.showAuthority();
      this.pictureBox.reset();
      this.drawAppendices();
      this.inputs.forEach((i) => this.autosize(i));
    }

    // A year-less draft leaves the day, month and year to be filled by hand: their boxes are put aside.
    showDraftYear() {
      for (const p of ["date.day", "date.month", "date.year"]) {
        const input = this.inputs.find((i) => i.dataset.path === p);
        input.disabled = this.draftYear.checked;
        if (this.draftYear.checked) input.value = "";
      }
    }

    value(path) {
      const input = this.inputs.find((i) => i.dataset.path === path);
      return input ? input.value.trim() : "";
    }

    getData() {
      const d = JSON.parse(JSON.stringify(this.data));
      const set = (obj, key, v) => { if (v === undefined || v === "") delete obj[key]; else obj[key] = v; };
      const int = (s) => (s === "" ? null : /^\d+$/.test(s) ? Number(s) : s);
      d.agency = d.agency || {};
      set(d.agency, "parent", linesValue(this.value("agency.parent")));
      set(d.agency, "name", linesValue(this.value("agency.name")));
      set(d.agency, "abbreviation", this.value("agency.abbreviation"));
      if (!Object.keys(d.agency).length) delete d.agency;
      set(d, "number", int(this.value("number")) === null ? (this.data.number === null ? null : undefined) : int(this.value("number")));
      set(d, "symbol", this.value("symbol"));
      set(d, "place", this.value("place"));
      const year = this.value("date.year");
      if (this.draftYear.checked) {
        d.date = { year: null };  // a draft whose year is not known yet: "ngày … tháng … năm 20…"
      } else if (year || this.value("date.month") || this.value("date.day")) {
        const old = typeof this.data.date === "object" && this.data.date ? this.data.date : {};
        d.date = { ...old, year: int(year), month: int(this.value("date.month")), day: int(this.value("date.day")) };
        if (d.date.year === null) delete d.date.year;
      } else delete d.date;
      set(d, "title", this.value("title").replace(/\s*\n\s*/g, " "));
      const list = (o) => o.o.data().filter((r) => !(r === "" || (Array.isArray(r) && !r.length)));
      const bases = list(this.bases);
      set(d, "legal_bases", bases.length ? bases : undefined);
      // One plain paragraph is a string; otherwise a list of paragraphs (a formatted one is itself a list of spans).
      const paragraphs = (ps) => (!ps.length ? undefined : ps.length === 1 && typeof ps[0] === "string" ? ps[0] : ps);
      set(d, "opening", paragraphs(list(this.opening)));
      set(d, "closing", paragraphs(list(this.closing)));
      const levels = this.numberingSelect.value.split(",");
      const numbering = { ...(d.numbering || {}) };
      if (levels.join(",") === "roman,arabic,letter") delete numbering.levels;
      else numbering.levels = levels;
      set(d, "numbering", Object.keys(numbering).length ? numbering : undefined);
      // Empty lines (without children) are not part of the plan; each kept item remembers its row for messages.
      const all = this.body.o.items;
      const kept = all.map((it, i) => i).filter((i) => !(this.body.o.isEmpty(i) && !(i + 1 < all.length && all[i + 1].depth > all[i].depth)));
      const { body, pointers } = O.bodyFromItems(kept.map((i) => all[i]));
      this.bodyRows = new Map(pointers.map((p, k) => [p, kept[k]]));
      d.body = body;
      const recipients = this.value("recipients").split("\n").map((l) => l.trim().replace(/^[-–+•]\s*/, "").replace(/[;.,]\s*$/, "").trim()).filter(Boolean);
      set(d, "recipients", recipients.length ? recipients : undefined);
      d.archive = d.archive || {};
      set(d.archive, "line", this.value("archive.line"));
      const units = d.archive.line ? [] : this.value("archive.units").split(/\s*,\s*/).filter(Boolean);
      set(d.archive, "units", units.length > 1 ? units : units[0]);
      const copies = d.archive.line ? "" : this.value("archive.copies");
      set(d.archive, "copies", copies === "" ? undefined : copies);
      if (!Object.keys(d.archive).length) delete d.archive;
      d.signer = d.signer || {};
      for (const k of ["authority", "on_behalf_of", "position", "name"]) set(d.signer, k, this.value("signer." + k));
      if (!d.signer.authority) delete d.signer.on_behalf_of;
      if (!Object.keys(d.signer).length) delete d.signer;
      // A task row left empty is not a task; "content" and "lead" are what a row needs (the schema says so).
      const rows = (tasks) => tasks.filter((t) => Object.values(t).some((v) => v !== ""))
        .map((t) => ({ ...t, content: t.content === undefined ? "" : t.content, lead: t.lead === undefined ? "" : t.lead }));
      if (Array.isArray(d.appendices)) {
        for (const a of d.appendices) {
          if (Array.isArray(a.tasks)) a.tasks = rows(a.tasks);
          if (Array.isArray(a.groups)) for (const g of a.groups) g.tasks = rows(g.tasks || []);
        }
        if (!d.appendices.length) delete d.appendices;
      }
      return d;
    }

    // The agency's details that every plan of the agency repeats.
    profile() {
      const d = this.getData();
      const p = {};
      for (const k of ["agency", "place", "recipients", "archive"]) if (d[k] !== undefined) p[k] = d[k];
      if (d.signer) {
        p.signer = {};
        for (const k of ["authority", "on_behalf_of", "position", "name"]) if (d.signer[k]) p.signer[k] = d.signer[k];
      }
      if (d.symbol) p.symbol = d.symbol;
      return p;
    }

    // ----- messages at their fields

    fieldFor(pointer) {
      const parts = pointer.split("/");
      for (let n = parts.length; n > 1 && pointer.startsWith("/appendices"); --n) {
        const cell = this.host.querySelector('[data-pointer="' + CSS.escape(parts.slice(0, n).join("/")) + '"]');
        if (cell) return cell;
        if (n === 3) return this.appendixBox.querySelectorAll(".appendix")[Number(parts[2])] || this.appendixBox;
      }
      const body = pointer.match(/^\/body(\/\d+(\/children\/\d+)*)/);
      if (body && this.bodyRows && this.bodyRows.has(body[0])) {
        const row = this.body.o.list.querySelectorAll(":scope > .item")[this.bodyRows.get(body[0])];
        if (row) return row;
      }
      const flat = pointer.match(/^\/(legal_bases|opening|closing)(\/(\d+))?/);
      if (flat) {
        const o = { legal_bases: this.bases, opening: this.opening, closing: this.closing }[flat[1]];
        const row = flat[3] !== undefined ? o.o.list.querySelectorAll(":scope > .item")[Number(flat[3])] : null;
        return row || o.holder;
      }
      while (parts.length > 1) {
        const path = parts.slice(1).join(".").replace(/\.\d+$/, "");
        const input = this.inputs.find((i) => i.dataset.path === path);
        if (input) return input;
        if (path === "signer") return this.inputs.find((i) => i.dataset.path === (this.authority.value ? "signer.on_behalf_of" : "signer.position"));
        if (path === "date") return this.inputs.find((i) => i.dataset.path === "date.year");
        if (path === "archive") return this.inputs.find((i) => i.dataset.path === "archive.units");
        parts.pop();
      }
      return this.host.querySelector(".sheet-editor");
    }

    // Whether a message about `pointer` may be shown yet: only for what the secretary has touched.
    isTouched(pointer) {
      for (const t of this.touched) if (pointer === t || pointer.startsWith(t + "/") || t.startsWith(pointer + "/")) return true;
      if (pointer === "" || pointer === "/") return this.touched.size > 0;
      return false;
    }
  }

  window.VBPlan = { PlanEditor, Outline };
})();
