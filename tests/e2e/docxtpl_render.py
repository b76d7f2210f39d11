#!/usr/bin/python3
"""The oracle of tests/e2e/docxtpl_test.cpp: renders every case of a manifest with python3-docxtpl, in one process.

Usage: docxtpl_render.py MANIFEST RESULTS
MANIFEST is a JSON list of {"name", "template", "data", "output"}; each template is rendered with its data and saved
to output. RESULTS gets a JSON object {name: "ok" | "error: ..."}. A picture object of vanban's JSON ({"image": path,
"width": "35mm"}) becomes docxtpl's InlineImage(tpl, path, width=Mm(35)), a sub-document object ({"subdoc": path})
tpl.new_subdoc(path); docxtpl's objects in vanban's JSON forms (docs/template-language.md) become the objects:
{"listing": text} a Listing, {"rich": [spans]} a RichText built with RichText.add() span by span (a size in points
becomes docxtpl's half points, a "url" the url_id of tpl.build_url_id(url)).

Debian's docxtpl (0.16) renders the body, headers and footers; later releases also render word/footnotes.xml, with
the same patch_xml() and render_xml_part() as a header. The footnotes part is rendered here that way, with docxtpl's
own methods, so that footnotes can be compared too.
"""
import json
import sys

from docx.shared import Cm, Inches, Mm, Pt
from docxtpl import DocxTemplate, InlineImage, Listing, RichText

FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def render_footnotes(tpl, context):
    for rel in tpl.docx.part.rels.values():
        if rel.reltype == FOOTNOTES and not rel.is_external:
            part = rel.target_part
            xml = tpl.patch_xml(tpl.get_part_xml(part))
            xml = tpl.render_xml_part(xml, part, context)
            part._blob = xml.encode("utf-8")


UNITS = {"mm": Mm, "cm": Cm, "in": Inches, "pt": Pt}


def length(text):
    if text is None:
        return None
    return UNITS[text[-2:]](float(text[:-2]))


def rich_text(tpl, spans):
    """vanban's span list as the RichText a docxtpl user builds: one add() per span; a "url" becomes the url_id of
    tpl.build_url_id(url)."""
    rt = RichText()
    for span in spans:
        if isinstance(span, str):
            rt.add(span)
            continue
        props = dict(span)
        text = props.pop("text")
        if "size" in props:
            props["size"] = int(round(props["size"] * 2))
        if "url" in props:
            props["url_id"] = tpl.build_url_id(props.pop("url"))
        rt.add(text, **props)
    return rt


def pictures(tpl, value):
    """vanban's picture objects of the JSON ({"image": path, "width": "35mm", ...}) as the InlineImage a docxtpl user
    writes in Python: InlineImage(tpl, path, width=Mm(35)); its sub-document objects ({"subdoc": path}) as
    tpl.new_subdoc(path); docxtpl's objects in their JSON forms as the objects."""
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("listing"), str):
            return Listing(value["listing"])
        if isinstance(value.get("rich"), list):
            return rich_text(tpl, value["rich"])
    if isinstance(value, dict):
        if isinstance(value.get("subdoc"), str) and len(value) == 1:
            return tpl.new_subdoc(value["subdoc"])
        if isinstance(value.get("image"), str):
            return InlineImage(tpl, value["image"], width=length(value.get("width")), height=length(value.get("height")))
        return {k: pictures(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [pictures(tpl, v) for v in value]
    return value


def main():
    manifest, results_path = sys.argv[1], sys.argv[2]
    with open(manifest, encoding="utf-8") as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        try:
            with open(case["data"], encoding="utf-8") as f:
                context = json.load(f)
            tpl = DocxTemplate(case["template"])
            context = pictures(tpl, context)
            tpl.render(context)
            render_footnotes(tpl, context)
            tpl.save(case["output"])
            results[case["name"]] = "ok"
        except Exception as e:  # reported per case; the C++ test says which
            results[case["name"]] = "error: %s: %s" % (type(e).__name__, e)
    with open(results_path, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
