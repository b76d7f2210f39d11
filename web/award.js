// The báo cáo thành tích editor (bao-cao-thanh-tich*): a sheet laid out as the form (header, BÁO CÁO THÀNH TÍCH and
// the award proposed, the person's or the collective's details, the achievements as an outline, the tables of
// achievements, titles and awards, the confirming and the signing heads), every field edited in place. Data the
// sheet has no field for (achievement sections, footnotes, captions) is kept as loaded and sent back unchanged.
"use strict";

(function () {
  const S = window.VBSheet;
  const O = window.VBOutline;
  const { el } = S;

  const SCHEMES = { merit: ["letter", "none"], campaign: ["arabic", "letter"] };

  class AwardEditor {
    // template: the template's name; schema: its record schema (for the Vietnamese labels of choices);
    // hooks: {onChange(), editNote, insertNote, maxImageBytes}.
    constructor(host, template, schema, hooks) {
      this.host = host;
      this.template = template;
      this.schema = schema;
      this.hooks = hooks;
      this.data = {};
      this.touched = new Set();
    }

    // Whether the template is one of the bundled forms that fix kind and subject (an agency's own template, or the
    // general one, takes them from the record).
    fixed() {
      return /^bao-cao-thanh-tich-/.test(this.template);
    }

    // The kind and subject: fixed by a named template, else the record's own (as the renderer decides).
    kind() {
      if (this.fixed()) return /chuyen-de/.test(this.template) ? "campaign" : "merit";
      const f = this.data.form || {};
      return f.kind || (this.data.campaign && this.data.campaign.name ? "campaign" : "merit");
    }
    subject() {
      if (this.fixed()) return /ca-nhan$/.test(this.template) ? "individual" : "collective";
      const f = this.data.form || {};
      return f.subject || (this.data.collective && !this.data.person ? "collective" : "individual");
    }

    changed(pointer) {
      if (pointer) this.touched.add(pointer);
      if (pointer === "/person/full_name") this.showReporter();
      this.hooks.onChange();
    }

    // The object at a dotted path of the data; made (empty) when `make`.
    at(path, make) {
      let o = this.data;
      for (const k of path.split(".")) {
        if (o[k] === undefined || o[k] === null || typeof o[k] !== "object") {
          if (!make) return undefined;
          o[k] = {};
        }
        o = o[k];
      }
      return o;
    }

    // A text field for `path` ("person.full_name"): the value is written into the data as it is typed.
    field(path, label, opts) {
      const dot = path.lastIndexOf(".");
      const parent = dot < 0 ? this.data : this.at(path.slice(0, dot), true);
      const key = path.slice(dot + 1);
      const pointer = "/" + path.replace(/\./g, "/");
      const input = S.cell(parent, key, { ...(opts || {}), label, pointer, onInput: (p) => this.changed(p), onBlur: (p) => this.changed(p) });
      input.dataset.path = path;
      return input;
    }

    // A header name (one line or several).
    linesField(path, label, cls) {
      const [obj, key] = [this.at(path.split(".")[0], true), path.split(".")[1]];
      const input = el("textarea", { class: "f " + cls, "aria-label": label, placeholder: label, rows: 1, "data-pointer": "/" + path.replace(".", "/"), "data-path": path });
      input.value = S.linesOf(obj[key]);
      input.addEventListener("input", () => {
        const v = S.linesValue(input.value);
        if (v === undefined) delete obj[key]; else obj[key] = v;
        S.autosize(input);
        this.changed("/" + path.replace(".", "/"));
      });
      setTimeout(() => S.autosize(input));
      return input;
    }

    // A choice among an enum of the schema, offered by its Vietnamese labels (x-enum-labels).
    choice(path, label, schemaNode, emptyLabel, onPick) {
      const dot = path.lastIndexOf(".");
      const key = path.slice(dot + 1);
      const values = schemaNode.enum || [];
      const labels = schemaNode["x-enum-labels"] || values;
      const select = el("select", { class: "f choice", "aria-label": label, "data-path": path, "data-pointer": "/" + path.replace(/\./g, "/") },
        el("option", { value: "", text: emptyLabel }), ...values.map((v, i) => el("option", { value: v, text: labels[i] })));
      const holder = this.at(path.slice(0, dot), false);
      select.value = (holder && holder[key]) || "";
      select.addEventListener("change", () => {
        const h = this.at(path.slice(0, dot), true);
        if (select.value) h[key] = select.value; else delete h[key];
        this.changed("/" + path.replace(/\./g, "/"));
        if (onPick) onPick();
      });
      return select;
    }

    // The report date as ngày … tháng … năm …, kept as YYYY-MM-DD once the three are there.
    dateFields() {
      const [y, m, d] = String(this.data.report_date || "").split("-");
      const part = (label, value, size) => {
        const i = el("input", { class: "f num" + (size === 4 ? " year" : ""), "aria-label": label, placeholder: size === 4 ? "……" : "…", size, inputmode: "numeric",
          "data-path": "report_date." + label });
        i.value = value ? String(Number(value)) : "";
        return i;
      };
      const day = part("ngày", d, 2), month = part("tháng", m, 2), year = part("năm", y, 4);
      const update = () => {
        const [dd, mm, yy] = [day, month, year].map((i) => i.value.trim());
        const pad = (s) => (/^\d$/.test(s) ? "0" + s : s);
        if (dd || mm || yy) this.data.report_date = yy + "-" + pad(mm) + "-" + pad(dd); else delete this.data.report_date;
        this.changed("/report_date");
      };
      for (const i of [day, month, year]) i.addEventListener("input", update);
      this.dateInput = year;
      return [", ngày ", day, " tháng ", month, " năm ", year];
    }

    outline(pointer, options) {
      const holder = el("div", { class: "outline-host", "data-pointer": pointer });
      const o = new window.VBPlan.Outline(holder, {
        ...options,
        numbering: () => this.numbering(),
        onChange: () => this.changed(pointer),
        editNote: this.hooks.editNote,
        insertNote: this.hooks.insertNote,
        onPastedNumbering: () => {},
      });
      return { holder, o };
    }

    numbering() {
      return { ...(this.data.achievements_numbering || {}), levels: (this.data.achievements_numbering || {}).levels || SCHEMES[this.kind()] };
    }

    line(label, ...content) {
      return el("div", { class: "aw-line" }, el("span", { class: "aw-label", text: "- " + label + ": " }), ...content);
    }

    build() {
      const h = this.host;
      h.innerHTML = "";
      const props = this.schema.properties || {};
      const campaign = this.kind() === "campaign";
      const individual = this.subject() === "individual";
      const sheet = el("div", { class: "sheet-editor award", lang: "vi" });
      if (!this.fixed()) {
        const form = props.form.properties;
        sheet.appendChild(el("div", { class: "aw-form-choice" },
          el("label", {}, "Loại báo cáo: ", this.choice("form.kind", "Loại báo cáo", form.kind, "Tự nhận biết", () => this.redrawForm())),
          el("label", {}, "Đối tượng: ", this.choice("form.subject", "Đối tượng", form.subject, "Tự nhận biết", () => this.redrawForm()))));
      }
      sheet.appendChild(el("div", { class: "hdr" },
        el("div", { class: "hdr-left" },
          this.linesField("issuer.parent_name", "Cơ quan, đơn vị cấp trên", "upper center"),
          this.linesField("issuer.name", "Tên đơn vị báo cáo", "upper center bold"),
          el("div", { class: "rule short" })),
        el("div", { class: "hdr-right" },
          el("div", { class: "center bold motto13" }, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
          el("div", { class: "center bold" }, "Độc lập - Tự do - Hạnh phúc"),
          el("div", { class: "rule motto" }),
          el("div", { class: "center italic date" }, this.field("place", "Địa danh", { cls: "place" }), ...this.dateFields()))));
      sheet.appendChild(el("div", { class: "center bold kh" }, "BÁO CÁO THÀNH TÍCH"));
      sheet.appendChild(el("div", { class: "center bold aw-proposed" }, campaign ? "ĐỀ NGHỊ " : "ĐỀ NGHỊ TẶNG ",
        this.field("award_proposed", "Hình thức đề nghị khen thưởng", { cls: "upper bold", multiline: true, placeholder: "Hình thức khen thưởng đề nghị (ví dụ: Bằng khen của Chủ tịch UBND tỉnh)" })));
      if (campaign) sheet.appendChild(el("div", { class: "center italic" }, "(Thành tích trong ", this.field("campaign.name", "Tên đợt thi đua, chuyên đề"), ")"));
      sheet.appendChild(el("div", { class: "rule title" }));
      if (individual) this.person(sheet, campaign); else this.collective(sheet, campaign);

      this.achievements = this.outline("/achievements", { keepOne: true });
      sheet.appendChild(el("div", { class: "body-part" },
        individual && !campaign ? el("div", { class: "bold", text: "2. Thành tích đạt được của cá nhân:" })
          : el("div", { class: "part-label", text: "Thành tích đạt được" }),
        this.achievements.holder));
      this.sectionsBox = el("div", { class: "aw-sections" });
      sheet.appendChild(this.sectionsBox);
      this.firstSection = campaign ? 1 : individual ? 3 : 2;
      this.tableBox = el("div", { class: "aw-table" });
      sheet.appendChild(this.tableBox);
      if (!campaign) {
        sheet.appendChild(el("div", { class: "bold aw-head", text: "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG" }));
        this.titlesBox = el("div", { class: "aw-history" });
        this.awardsBox = el("div", { class: "aw-history" });
        sheet.appendChild(el("div", { class: "bold", text: "1. Danh hiệu thi đua:" }));
        sheet.appendChild(this.titlesBox);
        sheet.appendChild(el("div", { class: "bold", text: "2. Hình thức khen thưởng:" }));
        sheet.appendChild(this.awardsBox);
      }
      sheet.appendChild(this.signatures(individual));
      h.appendChild(sheet);
      this.achievements.o.setItems(O.itemsFromBody(typeof this.data.achievements === "string" ? [this.data.achievements] : this.data.achievements || []));
      this.drawSections();
      this.drawTables();
    }

    person(sheet, campaign) {
      const person = this.schema.properties.person.properties;
      sheet.appendChild(el("div", { class: "bold aw-head", text: "I. SƠ LƯỢC LÝ LỊCH" }));
      sheet.appendChild(this.line("Họ tên (ghi đầy đủ bằng chữ in thường, không viết tắt)", this.field("person.full_name", "Họ tên", { cls: "aw-wide" })));
      sheet.appendChild(this.line("Sinh ngày, tháng, năm", this.birthDate(),
        el("span", { class: "aw-label", text: "  Giới tính: " }), this.choice("person.gender", "Giới tính", person.gender, "—")));
      for (const [key, label] of [["hometown", "Quê quán"], ["residence", "Trú quán"], ["work_unit", "Đơn vị công tác"],
        ["positions", "Chức vụ (Đảng, chính quyền, đoàn thể)"], ["professional_level", "Trình độ chuyên môn, nghiệp vụ"],
        ["academic_titles_awards", "Học hàm, học vị, danh hiệu, giải thưởng"]])
        sheet.appendChild(this.line(label, this.field("person." + key, label, { cls: "aw-wide", multiline: true })));
      sheet.appendChild(el("div", { class: "bold aw-head", text: campaign ? "II. THÀNH TÍCH ĐẠT ĐƯỢC" : "II. THÀNH TÍCH ĐẠT ĐƯỢC" }));
      if (campaign) return;
      this.duties = this.outline("/duties", { flat: true, keepOne: true, placeholder: "Quyền hạn, nhiệm vụ được giao" });
      sheet.appendChild(el("div", { class: "bold", text: "1. Quyền hạn, nhiệm vụ được giao hoặc đảm nhận:" }));
      sheet.appendChild(this.duties.holder);
      const duties = this.data.duties;
      this.duties.o.setItems((duties === undefined ? [] : typeof duties === "string" ? [duties] : duties)
        .map((r) => ({ kind: "para", depth: 0, title: window.VBRich.toHtml(r), text: "", extra: {} })));
    }

    // The birth date as the form prints it (12/05/1981, or the year alone), kept as the record's 1981-05-12 / 1981;
    // anything else is sent as typed, for the server's message at the field.
    birthDate() {
      const person = this.at("person", true);
      const input = el("input", { class: "f", "aria-label": "Ngày sinh", placeholder: "ngày/tháng/năm", size: 12,
        "data-path": "person.birth_date", "data-pointer": "/person/birth_date" });
      const iso = String(person.birth_date || "").match(/^(\d{4})-(\d{2})-(\d{2})$/);
      input.value = iso ? iso[3] + "/" + iso[2] + "/" + iso[1] : person.birth_date || "";
      input.addEventListener("input", () => {
        const text = input.value.trim();
        const dmy = text.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
        const pad = (n) => n.padStart(2, "0");
        if (!text) delete this.at("person", true).birth_date;
        else this.at("person", true).birth_date = dmy ? dmy[3] + "-" + pad(dmy[2]) + "-" + pad(dmy[1]) : text;
        this.changed("/person/birth_date");
      });
      return input;
    }

    collective(sheet, campaign) {
      sheet.appendChild(el("div", { class: "bold aw-head", text: campaign ? "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH" : "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH" }));
      sheet.appendChild(this.field("collective.name", "Tên tập thể", { cls: "center bold aw-wide", multiline: true }));
      sheet.appendChild(el("div", { class: "aw-label", text: "- Địa điểm trụ sở chính, điện thoại, fax; địa chỉ trang tin điện tử:" }));
      sheet.appendChild(el("div", { class: "aw-contact" }, ...[["address", "Địa điểm trụ sở chính"], ["phone", "Điện thoại"], ["fax", "Fax"], ["website", "Trang tin điện tử"]]
        .map(([k, l]) => this.field("collective." + k, l))));
      for (const [key, label] of [["history", "Quá trình thành lập và phát triển"], ["characteristics", "Đặc điểm chính"], ["functions", "Chức năng, nhiệm vụ"]])
        sheet.appendChild(this.line(label, this.field("collective." + key, label, { cls: "aw-wide", multiline: true, rich: true })));
      if (campaign) sheet.appendChild(this.line("Tổng số thành viên", this.field("collective.members", "Tổng số thành viên", { size: 6 })));
      sheet.appendChild(el("div", { class: "bold aw-head", text: "II. THÀNH TÍCH ĐẠT ĐƯỢC" }));
    }

    signatures(individual) {
      const caption = (who) => {
        const c = this.data[who] && this.data[who].caption;
        return c ? S.linesOf(c).toUpperCase() : who === "confirmer" ? "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG" : "THỦ TRƯỞNG ĐƠN VỊ";
      };
      const block = (who, kinds) => el("div", { class: "sign" },
        el("div", { class: "center bold", text: caption(who) }),
        this.field(who + ".title", "Chức vụ người ký", { cls: "center bold upper" }),
        el("div", { class: "center italic", text: "(Ký, đóng dấu)" }),
        S.pictures((make) => (make ? this.at(who, true) : this.data[who]), kinds, this.hooks.maxImageBytes, (k) => this.changed("/" + who + "/" + k)),
        this.field(who + ".full_name", "Họ tên người ký", { cls: "center bold" }));
      const both = [["signature_image", "ảnh chữ ký"], ["seal_image", "ảnh con dấu"]];
      let right;
      if (individual) {
        this.reporterName = el("div", { class: "center bold reporter-name" });
        right = el("div", { class: "sign" },
          el("div", { class: "center bold", text: "NGƯỜI BÁO CÁO THÀNH TÍCH" }),
          el("div", { class: "center italic", text: "(Ký, ghi rõ họ và tên)" }),
          S.pictures((make) => (make ? this.at("person", true) : this.data.person), [["signature_image", "ảnh chữ ký"]], this.hooks.maxImageBytes,
            (k) => this.changed("/person/" + k)),
          this.reporterName);
        this.showReporter();
      } else right = block("signer", both);
      return el("div", { class: "foot aw-foot" }, block("confirmer", both), right);
    }

    showReporter() {
      if (this.reporterName) this.reporterName.textContent = (this.data.person && this.data.person.full_name) || "(họ tên ở mục I)";
    }

    // Further items of II ("3. Các biện pháp, giải pháp đã thực hiện:"): a heading and its own outline each.
    drawSections() {
      this.syncSections();
      const box = this.sectionsBox;
      box.innerHTML = "";
      const list = Array.isArray(this.data.achievement_sections) ? this.data.achievement_sections : [];
      this.sections = list.map((section, k) => {
        const pointer = "/achievement_sections/" + k;
        const body = this.outline(pointer + "/body", { keepOne: true });
        box.appendChild(el("div", { class: "aw-section" },
          el("div", { class: "aw-section-head" }, (this.firstSection + k) + ".",
            S.cell(section, "heading", { label: "Tiêu đề khoản thành tích", placeholder: "Tiêu đề (ví dụ: Các biện pháp, giải pháp đã thực hiện:)",
              pointer: pointer + "/heading", multiline: true, rich: true, onInput: (p) => this.changed(p) }),
            el("button", { type: "button", class: "link small", text: "Xóa khoản này", onclick: () => {
              this.syncSections();
              list.splice(k, 1);
              this.drawSections();
              this.changed("/achievement_sections");
            } })),
          body.holder));
        body.o.setItems(O.itemsFromBody(section.body === undefined ? [] : typeof section.body === "string" ? [section.body] : section.body));
        return body;
      });
      box.appendChild(el("button", { type: "button", class: "add-part", "data-part": "achievement_sections",
        text: "+ Thêm khoản thành tích (" + (this.firstSection + list.length) + ".)", onclick: () => {
          this.syncSections();
          this.data.achievement_sections = list.concat([{ heading: "" }]);
          this.drawSections();
          this.changed("/achievement_sections");
          const heads = box.querySelectorAll(".aw-section-head textarea");
          if (heads.length) heads[heads.length - 1].focus();
        } }));
    }

    // What the outlines of the sections hold, into the data (before they are drawn again or sent).
    syncSections() {
      (this.sections || []).forEach((o, k) => {
        const section = this.data.achievement_sections && this.data.achievement_sections[k];
        if (!section) return;
        const all = o.o.items;
        const kept = all.filter((it, i) => !(o.o.isEmpty(i) && !(i + 1 < all.length && all[i + 1].depth > it.depth)));
        const body = O.bodyFromItems(kept).body;
        if (body.length) section.body = body; else delete section.body;
      });
    }

    drawTables() {
      const redraw = () => this.drawTables();
      const t = this.data.achievement_table;
      this.tableBox.innerHTML = "";
      if (t && Array.isArray(t.columns)) {
        const columns = t.columns.map((c, i) => [i, c || "Cột " + (i + 1)]);
        const header = el("div", { class: "aw-columns" }, el("span", { class: "small", text: "Tiêu đề cột: " }),
          ...t.columns.map((c, i) => S.cell(t.columns, i, { label: "Tiêu đề cột " + (i + 1), pointer: "/achievement_table/columns/" + i, keepEmpty: true,
            onInput: (p) => this.changed(p) })),
          el("button", { type: "button", class: "link small", text: "+ Thêm cột", onclick: () => {
            t.columns.push("");
            for (const r of t.rows) r.push("");
            redraw();
            this.changed("/achievement_table/columns");
          } }));
        this.tableBox.appendChild(el("div", { class: "aw-table-part" },
          S.cell(t, "title", { label: "Tên bảng", pointer: "/achievement_table/title", cls: "center bold", rich: true, onInput: (p) => this.changed(p) }),
          header,
          S.table(t.rows = t.rows || [], { columns, pointer: "/achievement_table/rows", cls: "tasks aw-achievement-table",
            newRow: () => t.columns.map(() => ""), redraw, onInput: (p) => this.changed(p) }),
          S.cell(t, "note", { label: "Ghi chú dưới bảng", pointer: "/achievement_table/note", cls: "italic", rich: true, onInput: (p) => this.changed(p) }),
          el("button", { type: "button", class: "link small", text: "Xóa bảng thành tích", onclick: () => {
            delete this.data.achievement_table;
            redraw();
            this.changed("/achievement_table");
          } })));
      } else {
        this.tableBox.appendChild(el("button", { type: "button", class: "add-part", "data-part": "achievement_table", text: "+ Thêm bảng thành tích (số liệu theo năm)",
          onclick: () => {
            this.data.achievement_table = { columns: ["Chỉ tiêu", "", ""], rows: [["", "", ""]] };
            redraw();
            this.changed("/achievement_table");
          } }));
      }
      const history = (box, key, second, third) => {
        if (!box) return;
        box.innerHTML = "";
        const rows = (this.data[key] = Array.isArray(this.data[key]) ? this.data[key] : []);
        box.appendChild(S.table(rows, { columns: [["year", "Năm"], [second[0], second[1]], ["decision", third]], pointer: "/" + key,
          newRow: () => ({ year: "", [second[0]]: "" }), redraw, onInput: (p) => this.changed(p) }));
      };
      history(this.titlesBox, "emulation_titles", ["title", "Danh hiệu thi đua"], "Số, ngày, tháng, năm của quyết định công nhận; cơ quan ban hành");
      history(this.awardsBox, "awards", ["form", "Hình thức khen thưởng"], "Số, ngày, tháng, năm của quyết định khen thưởng; cơ quan ban hành");
    }

    // Another kind or subject chosen: the sheet is laid out again with what was written so far.
    redrawForm() {
      this.data = this.getData();
      this.sections = [];
      this.build();
    }

    // ----- data in and out

    setData(data) {
      this.data = JSON.parse(JSON.stringify(data || {}));
      this.sections = [];
      this.touched.clear();
      this.build();
    }

    getData() {
      this.syncSections();
      const d = JSON.parse(JSON.stringify(this.data));
      const all = this.achievements.o.items;
      const kept = all.map((it, i) => i).filter((i) => !(this.achievements.o.isEmpty(i) && !(i + 1 < all.length && all[i + 1].depth > all[i].depth)));
      const { body, pointers } = O.bodyFromItems(kept.map((i) => all[i]));
      this.achievementRows = new Map(pointers.map((p, k) => [p.replace(/^\/body/, "/achievements"), kept[k]]));
      d.achievements = body.length ? body : "";
      if (this.duties) {
        const duties = this.duties.o.data().filter((r) => !(r === "" || (Array.isArray(r) && !r.length)));
        if (duties.length) d.duties = duties; else delete d.duties;
      }
      // A table row left empty is not a row; the year and the title are what a row of T1/T2 needs.
      for (const [key, second] of [["emulation_titles", "title"], ["awards", "form"]]) {
        if (!Array.isArray(d[key])) continue;
        d[key] = d[key].filter((r) => Object.values(r).some((v) => v !== ""))
          .map((r) => ({ ...r, year: r.year === undefined ? "" : r.year, [second]: r[second] === undefined ? "" : r[second] }));
        if (!d[key].length) delete d[key];
      }
      if (Array.isArray(d.achievement_sections)) {
        d.achievement_sections = d.achievement_sections.filter((x) => x.heading || x.body);
        for (const x of d.achievement_sections) if (x.heading === undefined) x.heading = "";
        if (!d.achievement_sections.length) delete d.achievement_sections;
      }
      if (d.achievement_table) d.achievement_table.rows = d.achievement_table.rows.filter((r) => r.some((c) => c !== ""));
      for (const k of ["person", "collective", "confirmer", "signer", "issuer", "form", "campaign"])
        if (d[k] && typeof d[k] === "object" && !Object.keys(d[k]).length) delete d[k];
      // The record names its bundled form (the schema lists them); an agency's template keeps what was loaded.
      const named = ((this.schema.properties.template || {}).enum || []).includes(this.template);
      if (named && this.template !== "bao-cao-thanh-tich") d.template = this.template;
      return d;
    }

    // A report being written still previews: what the layout cannot do without (the unit's name, a date that chooses
    // the decree) shows as dots / today. Only the preview gets them; a download takes the data as it is.
    previewData() {
      const d = this.getData();
      d.issuer = { name: "……", ...(d.issuer || {}) };
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d.report_date || "")) d.report_date = new Date().toISOString().slice(0, 10);
      return d;
    }

    // ----- messages at their fields

    fieldFor(pointer) {
      const ach = pointer.match(/^\/achievements(\/\d+(\/children\/\d+)*)/);
      if (ach && this.achievementRows && this.achievementRows.has(ach[0])) {
        const row = this.achievements.o.list.querySelectorAll(":scope > .item")[this.achievementRows.get(ach[0])];
        if (row) return row;
      }
      if (pointer === "/report_date") return this.dateInput;
      const parts = pointer.split("/");
      while (parts.length > 1) {
        const found = this.host.querySelector('[data-pointer="' + CSS.escape(parts.join("/")) + '"]');
        if (found) return found;
        parts.pop();
      }
      return this.host.querySelector(".sheet-editor");
    }

    isTouched(pointer) {
      for (const t of this.touched) if (pointer === t || pointer.startsWith(t + "/") || t.startsWith(pointer + "/")) return true;
      return false;
    }
  }

  window.VBAward = { AwardEditor };
})();
