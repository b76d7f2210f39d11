// What the document-like sheets (plan.js: KẾ HOẠCH, award.js: báo cáo thành tích) share: making elements, lines of
// a header, text fields that grow with their text, a picture checked before it is read, and an editable table with
// "+ Thêm dòng" and a delete button on each row.
"use strict";

(function () {
  const R = window.VBRich;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    return e;
  }

  // A header name is one string or a list of lines; in a text field, one line each.
  function linesOf(v) {
    return v === undefined || v === null ? "" : Array.isArray(v) ? v.join("\n") : String(v);
  }
  function linesValue(text) {
    const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
    return lines.length === 0 ? undefined : lines.length === 1 ? lines[0] : lines;
  }

  function autosize(input) {
    if (input.tagName !== "TEXTAREA") return;
    input.style.height = "auto";
    input.style.height = input.scrollHeight + "px";
  }

  // One text of `holder[key]`, edited in place. Rich text (formatted, footnoted) shows as its words and is kept as it
  // is unless the words are changed; with `rich`, "*" and "^[…]" are markup, so a typed one is kept literal.
  function cell(holder, key, o) {
    const value = holder[key];
    const isRich = value !== undefined && value !== null && (typeof value !== "string" || (o.rich && /[*^\\[\]]/.test(value)));
    const input = el(o.multiline ? "textarea" : "input", { class: "f " + (o.cls || ""), "aria-label": o.label, placeholder: o.placeholder || o.label,
      "data-pointer": o.pointer, rows: o.multiline ? 1 : undefined });
    input.value = isRich ? R.plainText(value) : value === undefined || value === null ? "" : String(value);
    input.addEventListener("input", () => {
      const text = o.multiline && !o.keepLines ? input.value.replace(/\s*\n\s*/g, " ") : input.value;
      if (!text.trim()) { if (o.keepEmpty) holder[key] = ""; else delete holder[key]; }
      else holder[key] = o.rich && /[*^\\[\]]/.test(text) ? [{ text }] : text;
      autosize(input);
      o.onInput(o.pointer);
    });
    input.addEventListener("blur", () => o.onBlur && o.onBlur(o.pointer));
    setTimeout(() => autosize(input));
    return input;
  }

  const PICTURE_KINDS = [[0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8, 0xff], [0x47, 0x49, 0x46, 0x38]];

  // A picture file (signature, seal) as a data: URI, after its first bytes and its size were checked:
  // {uri} or {problem} (a Vietnamese sentence saying what to do).
  async function readPicture(file, label, maxBytes) {
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    const max = maxBytes || 2 * 1024 * 1024;
    if (!PICTURE_KINDS.some((k) => k.every((b, i) => head[i] === b)))
      return { problem: "Tệp " + file.name + " không phải ảnh PNG, JPEG hoặc GIF: hãy chọn ảnh quét " + label + "." };
    if (file.size > max)
      return { problem: "Ảnh " + file.name + " lớn quá (" + Math.round(file.size / 1024) + " KB, tối đa " + Math.round(max / 1024) +
        " KB): hãy quét lại ở 300 dpi hoặc lưu dạng PNG." };
    const uri = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    return { uri };
  }

  // The pictures of one signer (`holder()` returns its object, made on demand): a thumbnail with "Xóa …", or a
  // button to choose a file. `kinds`: [[key, label], …]. `changed(key)` after each change.
  function pictures(holder, kinds, maxBytes, changed) {
    const box = el("div", { class: "sign-space" });
    let problem = "";
    const draw = () => {
      box.innerHTML = "";
      for (const [key, label] of kinds) {
        const part = el("div", { class: "picture-part" });
        const h = holder(false);
        const picture = h && h[key] && h[key].image;
        if (picture && /^data:image\//.test(picture)) {
          part.appendChild(el("img", { src: picture, alt: label, class: "picture-thumb" }));
          part.appendChild(el("button", { type: "button", class: "link small", text: "Xóa " + label, onclick: () => {
            delete holder(true)[key];
            draw();
            changed(key);
          } }));
        } else {
          const input = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif", "aria-label": "Chọn " + label });
          input.addEventListener("change", async () => {
            const file = input.files[0];
            input.value = "";
            if (!file) return;
            const got = await readPicture(file, label, maxBytes);
            problem = got.problem || "";
            if (got.uri) holder(true)[key] = { ...(holder(true)[key] || {}), image: got.uri };
            draw();
            changed(key);
          });
          part.appendChild(el("label", { class: "button link small file-button" }, "+ " + label, input));
        }
        box.appendChild(part);
      }
      if (problem) box.appendChild(el("div", { class: "vb-field-error", text: problem }));
    };
    draw();
    box.reset = () => { problem = ""; draw(); };  // new data: its pictures, no old problem
    return box;
  }

  // An editable table of `rows` (objects, or arrays of cells): a header, one line of fields a row, a delete button
  // on each, "+ Thêm dòng" under it. `columns`: [[key, title, {rich}], …]; `newRow()` makes an empty row;
  // `numbered` adds a "TT" column; `redraw()` draws the table again after a row was added or removed.
  function table(rows, o) {
    const head = el("tr", {}, o.numbered ? el("th", { text: "TT" }) : null, ...o.columns.map(([, t]) => el("th", { text: t })), el("th", {}));
    const t = el("table", { class: o.cls || "tasks" }, el("thead", {}, head));
    const body = el("tbody");
    rows.forEach((row, r) => {
      const tr = el("tr", {}, o.numbered ? el("td", { class: "center", text: String(r + 1) }) : null);
      for (const [key, title, opts] of o.columns) {
        tr.appendChild(el("td", {}, cell(row, key, { ...(opts || {}), label: title + " (dòng " + (r + 1) + ")", placeholder: title,
          pointer: o.pointer + "/" + r + "/" + key, multiline: true, keepEmpty: Array.isArray(row), onInput: o.onInput })));
      }
      tr.appendChild(el("td", {}, el("button", { type: "button", class: "link small", title: "Xóa dòng " + (r + 1), "aria-label": "Xóa dòng " + (r + 1),
        text: "×", onclick: () => { rows.splice(r, 1); o.redraw(); o.onInput(o.pointer); } })));
      body.appendChild(tr);
    });
    t.appendChild(body);
    return el("div", { class: "tasks-wrap", "data-pointer": o.pointer }, t,
      el("button", { type: "button", class: "link small add-row", text: "+ Thêm dòng", onclick: () => {
        rows.push(o.newRow());
        o.redraw();
        o.onInput(o.pointer);
      } }));
  }

  window.VBSheet = { el, linesOf, linesValue, autosize, cell, readPicture, pictures, table };
})();
