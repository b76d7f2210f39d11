// The body of a plan as an outline the secretary edits like a Word list: one line per item, its depth shown by the
// indent and by the number the document will print. The numbers follow the renderer's rules (src/core/outline.cpp:
// numbering.levels, children_numbering, decimal 2.1., the 23 letters of a điểm, bullets by depth under the nearest
// heading); tests/browser checks them against the paragraphs of the rendered DOCX.
//
// Model: a flat list of items {kind: "section" | "bullet" | "para", depth, title (HTML), text (HTML), extra}; a
// section's `title` is its heading, `text` what follows it in the same paragraph; bullets and paragraphs use
// `title` only. A section's extra holds its children_numbering ("paren" for (1), (2) under a điểm) and its own
// printed number, `label`, when the source numbers differently. The tree of the data is rebuilt from depths (an item is a child of the nearest earlier item one
// level up).
"use strict";

(function () {
  const R = window.VBRich;
  const LETTERS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "x", "y"];

  function roman(n) {
    if (n < 1 || n > 3999) return null;
    const table = [[1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"], [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]];
    let out = "";
    for (const [v, s] of table) while (n >= v) { out += s; n -= v; }
    return out;
  }

  // ----- data tree ↔ flat items

  function itemsFromBody(body) {
    const items = [];
    const walk = (nodes, depth) => {
      for (const node of nodes || []) {
        if (typeof node === "string" || Array.isArray(node)) {
          items.push({ kind: "para", depth, title: R.toHtml(node), text: "", extra: {} });
        } else if (node && typeof node === "object") {
          if ("bullet" in node) {
            const extra = node.symbol ? { symbol: node.symbol } : {};
            items.push({ kind: "bullet", depth, title: R.toHtml(node.bullet), text: "", extra });
          } else if ("paragraph" in node) {
            items.push({ kind: "para", depth, title: R.toHtml(node.paragraph), text: "", extra: {} });
          } else {
            const extra = node.children_numbering ? { children_numbering: node.children_numbering } : {};
            if (typeof node.label === "string" && node.label) extra.label = node.label;
            items.push({ kind: "section", depth, title: R.toHtml(node.title), text: R.toHtml(node.text), extra });
          }
          walk(node.children, depth + 1);
        }
      }
    };
    walk(body, 0);
    return items;
  }

  function richOf(html) {
    const div = document.createElement("div");
    div.innerHTML = html || "";
    return R.fromElement(div);
  }

  function empty(rich) {
    return rich === "" || (Array.isArray(rich) && !rich.length);
  }

  // The data tree, and for each item its JSON pointer (for messages at the item).
  function bodyFromItems(items) {
    const root = { children: [] };
    const stack = [{ depth: -1, node: root, pointer: "/body" }];
    const pointers = [];
    for (const item of items) {
      while (stack.length > 1 && stack[stack.length - 1].depth >= item.depth) stack.pop();
      const parent = stack[stack.length - 1];
      let node;
      const title = richOf(item.title);
      if (item.kind === "bullet") {
        node = { bullet: title };
        if (item.extra.symbol) node.symbol = item.extra.symbol;
      } else if (item.kind === "para") {
        node = title;
      } else {
        node = {};
        const text = richOf(item.text);
        if (!empty(title)) node.title = title;
        if (!empty(text)) node.text = text;
        if (item.extra.label) node.label = item.extra.label;
        if (item.extra.children_numbering) node.children_numbering = item.extra.children_numbering;
      }
      const container = parent.node;
      // A paragraph that gets children becomes {"paragraph": …, "children": […]}.
      if (typeof container === "string" || Array.isArray(container)) {
        parent.node = { paragraph: container, children: [] };
        parent.replace(parent.node);
      }
      if (!parent.node.children) parent.node.children = [];
      const index = parent.node.children.length;
      parent.node.children.push(node);
      const pointer = parent.pointer + (parent.node === root ? "" : "/children") + "/" + index;
      pointers.push(pointer);
      const holder = parent.node.children;
      stack.push({ depth: item.depth, node, pointer, replace: (n) => { holder[index] = n; } });
    }
    return { body: root.children, pointers };
  }

  // ----- numbers, as src/core/outline.cpp computes them

  function labels(items, numbering) {
    const levels = (numbering && numbering.levels) || ["roman", "arabic", "letter"];
    const bullets = (numbering && numbering.bullets) || ["-", "+"];
    const out = new Array(items.length).fill("");
    // Context per depth: the heading that owns the items at that depth.
    const ctx = [{ rank: 0, scheme: null, label: "", override: null, counter: 0, bulletDepth: 0 }];
    for (let i = 0; i < items.length; ++i) {
      const item = items[i];
      ctx.length = Math.min(ctx.length, item.depth + 1);
      while (ctx.length < item.depth + 1) ctx.push({ ...ctx[ctx.length - 1], counter: 0, override: null });
      const c = ctx[item.depth];
      let child;
      if (item.kind === "section") {
        c.counter++;
        const scheme = c.override || levels[c.rank];
        let label = "?";
        if (scheme === "roman") label = (roman(c.counter) || "?") + ".";
        else if (scheme === "arabic") label = c.counter + ".";
        else if (scheme === "decimal") label = /^(\d+\.)+$/.test(c.label) ? c.label + c.counter + "." : "?";
        else if (scheme === "letter") label = c.counter <= 23 ? LETTERS[c.counter - 1] + ")" : "?";
        else if (scheme === "paren") label = "(" + c.counter + ")";
        else if (scheme === "none") label = "";
        if (item.extra.label) label = item.extra.label;  // the source's own number; the count goes on
        out[i] = label;
        const rank = scheme === "decimal" ? c.rank : c.rank + 1;
        child = { rank, scheme, label, override: item.extra.children_numbering || null, counter: 0, bulletDepth: 0 };
      } else if (item.kind === "bullet") {
        const depth = c.bulletDepth + 1;
        out[i] = item.extra.symbol || bullets[Math.min(depth, bullets.length) - 1];
        child = { rank: c.rank, scheme: c.scheme, label: c.label, override: null, counter: 0, bulletDepth: depth };
      } else {
        child = { rank: c.rank, scheme: c.scheme, label: c.label, override: null, counter: 0, bulletDepth: c.bulletDepth + 1 };
      }
      ctx[item.depth + 1] = child;
      ctx.length = item.depth + 2;
    }
    return out;
  }

  function schemeOf(item, index, items, numbering) {
    const l = labels(items.slice(0, index + 1), numbering)[index];
    if (/^[IVXLCDM]+\.$/.test(l)) return "roman";
    if (/^\d+\.\d+/.test(l)) return "decimal";
    if (/^\d+\.$/.test(l)) return "arabic";
    if (/^[a-zđ]\)$/.test(l)) return "letter";
    if (/^\(\d+\)$/.test(l)) return "paren";
    return "";
  }

  // ----- pasted text: typed numbering becomes levels

  const PATTERNS = [
    { type: "roman", re: /^([IVXLC]+)\.\s+/ },
    { type: "decimal", re: /^(\d+\.\d+(\.\d+)*)\.?\s+/ },
    { type: "arabic", re: /^(\d+)[.)]\s+/ },
    { type: "letter", re: /^([a-zđ])\)\s+/ },
    { type: "paren", re: /^\((\d+)\)\s+/ },
    { type: "dash", re: /^[-–—•]\s*/ },
    { type: "plus", re: /^\+\s*/ },
  ];

  function classify(line) {
    for (const p of PATTERNS) {
      const m = line.match(p.re);
      if (m) return { type: p.type, rest: line.slice(m[0].length) };
    }
    return { type: null, rest: line };
  }

  // Lines → items at depths relative to 0, by the order the kinds of numbering first appear (as Word's
  // "automatic list" does): a kind seen before goes back to its level. Plain lines are paragraphs under the last
  // numbered item.
  function itemsFromText(text) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/\s+/g, " ").trim()).filter(Boolean);
    const stack = [];
    const items = [];
    const topTypes = [];
    for (const line of lines) {
      const { type, rest } = classify(line);
      // Text copied from a PDF arrives broken at the end of each printed line: a line that starts in lower case
      // after one that does not end a sentence continues it.
      const last = items[items.length - 1];
      if (!type && last && /^\p{Ll}/u.test(line)) {
        const field = last.text ? "text" : "title";
        const plain = last[field].replace(/<[^>]*>/g, "");
        if (!/[.:;!?]$/.test(plain)) {
          last[field] += " " + R.escapeHtml(line);
          continue;
        }
      }
      if (!type) {
        items.push({ kind: "para", depth: stack.length, title: R.escapeHtml(line), text: "", extra: {} });
        continue;
      }
      let at = stack.indexOf(type);
      if (at < 0) { stack.push(type); at = stack.length - 1; }
      stack.length = at + 1;
      if (at === 0 && !topTypes.length) topTypes.push(type);
      const kind = type === "dash" || type === "plus" ? "bullet" : "section";
      const item = { kind, depth: at, title: "", text: "", extra: {}, type };
      // A short heading ("Mục đích, yêu cầu") is a title; a sentence is the item's text.
      if (kind === "section" && (rest.length > 120 || /[.;]$/.test(rest))) item.text = R.escapeHtml(rest);
      else item.title = R.escapeHtml(rest);
      items.push(item);
    }
    return { items, types: stack.length ? items.filter((i) => i.type && i.kind === "section").map((i) => i.type) : [] };
  }

  window.VBOutline = { roman, itemsFromBody, bodyFromItems, labels, itemsFromText, classify, richOf, schemeOf, LETTERS };
})();
