"""The installed Python package `vanban`, from a clean interpreter that sees only the install prefix.

    python3 -I tests/python/test_package.py PREFIX

Renders the bundled KẾ HOẠCH through vanban.Template, checks the error records, and runs docxtpl programs twice —
with `from docxtpl import ...` (Debian's python3-docxtpl, the oracle) and with `from vanban.docxtpl import ...` —
comparing the visible text of every paragraph (table cells included) and the picture sizes. The docxtpl comparisons
are skipped when python3-docxtpl is not installed.
"""
import dataclasses
import datetime
import glob
import io
import json
import os
import struct
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile
import zlib

PREFIX = sys.argv.pop(1) if len(sys.argv) > 1 else os.environ.get("VANBAN_TEST_PREFIX", "")
SITE = os.path.join(PREFIX, "lib", "python3", "dist-packages")
sys.path.insert(0, SITE)  # the only addition to the isolated interpreter's path

import vanban  # noqa: E402
import vanban.docxtpl  # noqa: E402

try:
    import docxtpl
    from docx import Document
    from docx.shared import Mm as DocxMm
except ImportError:
    docxtpl = None

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def paragraph_texts(docx: bytes):
    """The visible text of every paragraph of word/document.xml in document order (tabs as \\t, breaks as \\n)."""
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    texts = []
    for p in root.iter(W + "p"):
        text = ""
        for node in p.iter():
            if node.tag == W + "t":
                text += node.text or ""
            elif node.tag == W + "tab" and node is not p:
                text += "\t"
            elif node.tag in (W + "br", W + "cr"):
                text += "\n"
        texts.append(text)
    return texts


def run_looks(docx: bytes):
    """Every run with text of word/document.xml as (text, {property: value}), for the properties RichText sets;
    neighbours in one paragraph with the same properties merged (where runs are cut does not show)."""
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    looks = []
    for p in root.iter(W + "p"):
        looks.append(("¶", {}))
        for r in p.iter(W + "r"):
            add_run_look(r, looks)
    return looks


def add_run_look(r, looks):
    text = "".join(t.text or "" for t in r.iter(W + "t"))
    if text:
        look = {}
        props = r.find(W + "rPr")
        for child in (props if props is not None else []):
            name = child.tag[len(W):]
            if name == "rFonts":
                look.update({"font." + k[len(W):]: v for k, v in child.attrib.items()})
            elif name in ("b", "i", "u", "strike", "color", "sz", "szCs", "highlight", "vertAlign", "rStyle"):
                look[name] = child.get(W + "val")
        if looks and looks[-1][0] != "¶" and looks[-1][1] == look:
            looks[-1] = (looks[-1][0] + text, look)
        else:
            looks.append((text, look))


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def picture_sizes(docx: bytes):
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return [(int(e.get("cx")), int(e.get("cy"))) for e in root.iter(WP + "extent")]


def png(width: int, height: int) -> bytes:
    """A real RGB PNG with no density chunk."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + bytes(v for x in range(width) for v in (x * 7 % 256, y * 5 % 256, 120))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@dataclasses.dataclass
class Person:
    name: str
    age: int


class InstalledPackage(unittest.TestCase):
    def test_comes_from_the_prefix_and_finds_the_installed_library(self):
        self.assertTrue(os.path.abspath(vanban.__file__).startswith(os.path.abspath(SITE)), vanban.__file__)
        self.assertEqual(vanban.library_version(), vanban.__version__)
        self.assertEqual(vanban.templates_directory(),
                         os.path.normpath(os.path.join(PREFIX, "share", "vanban", "templates")))

    def test_renders_the_bundled_ke_hoach(self):
        plan = vanban.Template.bundled("ke-hoach")
        example = os.path.join(vanban.templates_directory(), "ke-hoach", "example.json")
        with open(example, encoding="utf-8") as f:
            data = json.load(f)
        docx = plan.render(data)
        texts = paragraph_texts(docx)
        self.assertIn("KẾ HOẠCH", texts)
        # Balanced titles keep their planned lines together with no-break spaces (docs/ke-hoach.md).
        visible = "\n".join(texts).replace("\u00a0", " ")
        self.assertIn(data["title"] if isinstance(data.get("title"), str) else "KẾ HOẠCH", visible)
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "plan.docx")
            plan.render_to_file(json.dumps(data), out)
            self.assertEqual(paragraph_texts(read(out)), texts)
            vanban.validate(read(os.path.join(vanban.templates_directory(), "ke-hoach", "schema.json")), data)
            # The importer reads the rendered plan back into data for the same template.
            imported = vanban.import_document(out)
            self.assertEqual(imported["template"], "ke-hoach")
            self.assertTrue(imported["data"])

    def test_errors_carry_every_located_record(self):
        plan = vanban.Template.bundled("ke-hoach")
        with self.assertRaises(vanban.VanbanError) as caught:
            plan.render('{\n  "agency": 12\n}\n', data_name="bad.json")
        error = caught.exception
        self.assertEqual(error.kind, "data")
        self.assertGreater(len(error.records), 1)  # every problem, not only the first
        first = error.records[0]
        self.assertEqual(first.part, "word/document.xml")
        self.assertGreater(first.paragraph, 0)
        self.assertTrue(first.tag.startswith("{"), first)
        self.assertEqual(len(json.loads(error.json)), len(error.records))
        schema = os.path.join(vanban.templates_directory(), "ke-hoach", "schema.json")
        with self.assertRaises(vanban.VanbanError) as caught:
            vanban.Schema.from_file(schema).validate('{\n  "agency": 12\n}\n', "bad.json")
        agency = [r for r in caught.exception.records if r.json_pointer == "/agency"]
        self.assertTrue(agency, caught.exception.json)
        self.assertEqual((agency[0].kind, agency[0].source, agency[0].line, agency[0].column),
                         ("schema", "bad.json", 2, 13))
        self.assertTrue(agency[0].message_vi)
        self.assertTrue(agency[0].code.startswith("schema."), agency[0].code)
        with self.assertRaises(vanban.VanbanError) as caught:
            vanban.Template.from_file("/nonexistent.docx")
        self.assertEqual(caught.exception.kind, "io")


@unittest.skipUnless(docxtpl, "python3-docxtpl is not installed")
class DocxtplPrograms(unittest.TestCase):
    """The same docxtpl program, run with docxtpl's classes and with vanban.docxtpl's."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp()
        cls.photo = os.path.join(cls.work, "photo.png")
        with open(cls.photo, "wb") as f:
            f.write(png(120, 48))
        document = Document()
        document.add_paragraph("Kính gửi: {{ recipient }}")
        document.add_paragraph("Ghi chú: {{r note }} — hết.")
        split = document.add_paragraph("Tách: ")  # a tag over three runs, as Word saves an edited tag
        split.add_run("{{").bold = True
        split.add_run("r no")
        split.add_run("te }}!")
        document.add_paragraph("Ngày {{ day }}, {{ person.name }} ({{ person.age + 1 }})")
        table = document.add_table(rows=3, cols=3)
        table.rows[0].cells[0].text = "{%tr for t in tasks %}"
        table.rows[1].cells[0].text = "{{ loop.index }}"
        table.rows[1].cells[1].text = "{{ t.name }}"
        table.rows[1].cells[2].text = "{{ t.owner | upper }}"
        table.rows[2].cells[0].text = "{%tr endfor %}"
        document.add_paragraph("Ảnh: {{ photo }}")
        document.add_paragraph("Ảnh cao: {{ tall }}")
        document.add_paragraph("{{ listing }}")
        document.add_paragraph("{%p if signer %}")
        document.add_paragraph("Người ký: {{ signer }}")
        document.add_paragraph("{%p endif %}")
        cls.template = os.path.join(cls.work, "program.docx")
        document.save(cls.template)

    def run_program(self, module, mm):
        """A docxtpl program; `module` is docxtpl or vanban.docxtpl, `mm` the Mm it imports."""
        tpl = module.DocxTemplate(self.template)
        note = module.RichText("khẩn", bold=True)
        note.add(" và ", italic=False)
        note.add("mật", italic=True, underline=True)
        context = {
            "recipient": "Ủy ban nhân dân xã Tân Lập & các phòng",
            "note": note,
            "tasks": [{"name": "Rà soát thủ tục", "owner": "Văn phòng"},
                      {"name": "Tập huấn <cán bộ>", "owner": "Công chức Tư pháp"}],
            "photo": module.InlineImage(tpl, self.photo, width=mm(30)),
            "tall": module.InlineImage(tpl, io.BytesIO(read(self.photo)), height=mm(12)),
            "listing": module.Listing("Dòng một\nDòng hai\tcột"),
            "signer": "Nguyễn Văn An",
            "day": datetime.date(2025, 3, 10),
            "person": Person("Trần Thị Bình", 41),
        }
        tpl.render(context, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    def test_same_text_and_pictures_as_docxtpl(self):
        expected = self.run_program(docxtpl, DocxMm)
        actual = self.run_program(vanban.docxtpl, vanban.docxtpl.Mm)
        self.assertEqual(paragraph_texts(actual), paragraph_texts(expected))
        self.assertIn("Ghi chú: khẩn và mật — hết.", paragraph_texts(actual))
        self.assertIn("Tách: khẩn và mật!", paragraph_texts(actual))
        self.assertIn("Ngày 2025-03-10, Trần Thị Bình (42)", paragraph_texts(actual))
        self.assertIn("Dòng một\nDòng hai\tcột", paragraph_texts(actual))
        self.assertIn("2Tập huấn <cán bộ>", "".join(paragraph_texts(actual)))
        sizes, expected_sizes = picture_sizes(actual), picture_sizes(expected)
        self.assertEqual(len(sizes), 2)
        for (cx, cy), (ex, ey) in zip(sizes, expected_sizes):
            self.assertLessEqual(abs(cx - ex), 1, (sizes, expected_sizes))
            self.assertLessEqual(abs(cy - ey), 1, (sizes, expected_sizes))
        self.assertEqual(sizes[0][0], DocxMm(30))

    def test_rich_text_formatting_reaches_the_runs(self):
        root = ET.fromstring(zipfile.ZipFile(io.BytesIO(self.run_program(vanban.docxtpl, DocxMm)))
                             .read("word/document.xml"))
        runs = {}
        for r in root.iter(W + "r"):
            text = "".join(t.text or "" for t in r.iter(W + "t"))
            props = r.find(W + "rPr")
            runs[text] = set() if props is None else {child.tag[len(W):] for child in props}
        self.assertIn("b", runs["khẩn"])
        self.assertTrue({"i", "u"} <= runs["mật"], runs)

    def test_python_docx_lengths_work_too(self):
        docx = self.run_program(vanban.docxtpl, DocxMm)
        self.assertEqual(picture_sizes(docx)[0][0], DocxMm(30))

    def test_undeclared_variables(self):
        names = {"recipient", "note", "tasks", "photo", "tall", "listing", "signer", "day", "person"}
        self.assertEqual(docxtpl.DocxTemplate(self.template).get_undeclared_template_variables(), names)
        tpl = vanban.docxtpl.DocxTemplate(self.template)
        self.assertEqual(tpl.get_undeclared_template_variables(), names)

    def test_what_vanban_cannot_do_is_named(self):
        tpl = vanban.docxtpl.DocxTemplate(self.template)
        with self.assertRaisesRegex(NotImplementedError, r"Subdoc.add_paragraph"):
            tpl.new_subdoc().add_paragraph("a sub-document built with python-docx calls")
        with self.assertRaisesRegex(vanban.VanbanError, r"jinja_env"):
            tpl.render({}, jinja_env=object())
        with self.assertRaisesRegex(vanban.docxtpl.UnsupportedError, r"RichText url_id='rId9'"):
            vanban.docxtpl.RichText("liên kết", url_id="rId9")
        with self.assertRaises(vanban.docxtpl.UnsupportedError) as caught:
            tpl.render({"recipient": "x", "tasks": [{"name": len}]})
        self.assertEqual(caught.exception.records[0].json_pointer, "/tasks/0/name")

    def test_subdoc_from_a_file_as_docxtpl_places_it(self):
        annex = Document()
        annex.add_heading("Phụ lục: danh sách", level=1)
        annex.add_paragraph("Mục thứ nhất", style="List Number")
        annex.add_paragraph("Mục thứ hai", style="List Number")
        table = annex.add_table(rows=2, cols=2)
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Họ và tên", "Đơn vị"
        table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Nguyễn Văn An", "Văn phòng"
        annex.add_paragraph("Ảnh: ").add_run().add_picture(self.photo, width=DocxMm(20))
        annex_path = os.path.join(self.work, "annex.docx")
        annex.save(annex_path)
        template = Document()
        template.add_paragraph("Trước {{ title }}")
        template.add_paragraph("{{p annex }}")
        template.add_paragraph("Sau")
        template_path = os.path.join(self.work, "with-annex.docx")
        template.save(template_path)

        def program(module):
            tpl = module.DocxTemplate(template_path)
            tpl.render({"title": "phụ lục", "annex": tpl.new_subdoc(annex_path)})
            out = io.BytesIO()
            tpl.save(out)
            return out.getvalue()

        expected, actual = program(docxtpl), program(vanban.docxtpl)
        non_empty = lambda texts: [t for t in texts if t.strip()]  # noqa: E731
        self.assertEqual(non_empty(paragraph_texts(actual)), non_empty(paragraph_texts(expected)))
        self.assertIn("Nguyễn Văn An", paragraph_texts(actual))
        self.assertEqual(len(picture_sizes(actual)), 1)
        self.assertEqual(picture_sizes(actual), picture_sizes(expected))

    def rich_program(self, module):
        """docxtpl's objects with every property they take, and \\a \\f in values."""
        document = Document()
        document.add_paragraph("Màu: {{r colours }}")
        document.add_paragraph("{{ listing }}").alignment = 1
        document.add_paragraph("Chuỗi: {{ text }}")
        path = os.path.join(self.work, "rich.docx")
        document.save(path)
        tpl = module.DocxTemplate(path)
        colours = module.RichText("đỏ", color="#FF0000", size=28, bold=True)
        colours.add(" vàng", highlight="yellow", underline="double")
        colours.add(" Arial", font="Arial", strike=True)
        colours.add(" Mincho", font="eastAsia:MS Mincho", subscript=True)
        colours.add(" trên", superscript=True, italic=True, underline="wave", style="Strong")
        colours.add(" lạ", underline="zigzag")  # docxtpl: a single underline
        colours.add(" a\nb\tc\ad\fe", color="00AA00")
        tpl.render({"colours": colours, "listing": module.Listing("một\nhai\tba\abốn & năm\fsáu"),
                    "text": "x\ay\fz"})
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    def link_program(self, module):
        """RichText hyperlinks made with build_url_id."""
        document = Document()
        document.add_paragraph("Xem {{r link }} nhé")
        path = os.path.join(self.work, "link.docx")
        document.save(path)
        tpl = module.DocxTemplate(path)
        link = module.RichText("Cổng thông tin", url_id=tpl.build_url_id("https://chinhphu.vn/?a=1&b=2"),
                               color="0000FF", underline=True)
        link.add(" và ")
        link.add("thư", url_id=tpl.build_url_id("mailto:vanthu@example.gov.vn"), color="0000FF", underline=True)
        tpl.render({"link": link})
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    def test_hyperlinks_as_docxtpl(self):
        def links(docx):
            with zipfile.ZipFile(io.BytesIO(docx)) as z:
                rels = ET.fromstring(z.read("word/_rels/document.xml.rels"))
                body = ET.fromstring(z.read("word/document.xml"))
            target = {r.get("Id"): (r.get("Target"), r.get("TargetMode")) for r in rels}
            w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
            rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            return [("".join(t.text or "" for t in h.iter(w + "t")), target.get(h.get(rid)))
                    for h in body.iter(w + "hyperlink")]
        expected = links(self.link_program(docxtpl))
        actual = links(self.link_program(vanban.docxtpl))
        self.assertEqual(actual, expected)
        self.assertEqual(actual, [("Cổng thông tin", ("https://chinhphu.vn/?a=1&b=2", "External")),
                                  ("thư", ("mailto:vanthu@example.gov.vn", "External"))])

    def test_richtext_and_listing_as_docxtpl(self):
        expected = self.rich_program(docxtpl)
        actual = self.rich_program(vanban.docxtpl)
        self.assertEqual(paragraph_texts(actual), paragraph_texts(expected))
        self.assertIn("bốn & năm", paragraph_texts(actual))
        self.assertEqual(run_looks(actual), run_looks(expected))

    def test_rich_text_paragraphs(self):
        document = Document()
        document.add_paragraph("trước")
        document.add_paragraph("{{p body }}")
        document.add_paragraph("sau")
        path = os.path.join(self.work, "rp.docx")
        document.save(path)
        tpl = vanban.docxtpl.DocxTemplate(path)
        body = vanban.docxtpl.RP()
        body.add(vanban.docxtpl.R("Tiêu đề", bold=True), parastyle="Heading1")
        body.add("thường")
        tpl.render({"body": body})
        out = io.BytesIO()
        tpl.save(out)
        self.assertEqual(paragraph_texts(out.getvalue()), ["trước", "Tiêu đề", "thường", "sau"])
        root = ET.fromstring(zipfile.ZipFile(out).read("word/document.xml"))
        styles = [p.find(W + "pPr/" + W + "pStyle") for p in root.iter(W + "p")]
        self.assertEqual(styles[1].get(W + "val"), "Heading1")

    def test_missing_values_are_located_errors_unless_lenient(self):
        tpl = vanban.docxtpl.DocxTemplate(self.template)
        with self.assertRaises(vanban.VanbanError) as caught:
            tpl.render({"recipient": "x"})
        pointers = {r.json_pointer for r in caught.exception.records}
        self.assertIn("/note", pointers)
        tpl.render({"recipient": "Sở Nội vụ", "person": Person("Lê Văn Cường", 30)}, lenient=True)
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "out.docx")
            tpl.save(out)
            self.assertIn("Kính gửi: Sở Nội vụ", paragraph_texts(read(out)))
            self.assertEqual(glob.glob(os.path.join(work, ".vanban-*")), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
