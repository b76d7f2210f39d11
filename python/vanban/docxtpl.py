"""docxtpl's API on top of vanban: change one import line and keep the program and its templates.

    from vanban.docxtpl import DocxTemplate, InlineImage, RichText, Listing   # was: from docxtpl import ...
    from docx.shared import Mm                                                  # or vanban.docxtpl's Mm

    tpl = DocxTemplate("invoice.docx")
    tpl.render({"customer": "Nguyễn Văn An", "logo": InlineImage(tpl, "logo.png", width=Mm(30)),
                "note": RichText("gấp", bold=True)})
    tpl.save("invoice-out.docx")

The template is compiled once, on the first render(), and reused by the next ones (docxtpl reparses it each
time). The Python context is converted to vanban's JSON forms (docs/template-language.md, "docxtpl's objects"):
RichText becomes {"rich": [spans]} with all of docxtpl's properties (every `{{r x }}` tag of the template is read as
`{{r x | rich }}`), RichTextParagraph {"paragraphs": […]}, Listing {"listing": text}, InlineImage a picture object,
a Subdoc from a file a sub-document object; `\\n \\t \\a \\f` in values are a line break, a tab, a new paragraph and
a page break. What vanban has no form for raises UnsupportedError naming the construct instead of being dropped: a
`jinja_env` (custom filters, globals), a Subdoc built with python-docx calls, a RichText url_id not made by
build_url_id(url) (which returns the address: vanban relates the link), rtl and
lang, Python functions in the context. Differences from docxtpl are listed in docs/python.md.
"""
from __future__ import annotations

import base64
import bisect
import dataclasses
import datetime
import decimal
import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from typing import IO, Any, Dict, List, Optional, Set, Union

from . import Template, UnsupportedError, VanbanError

__all__ = ["DocxTemplate", "RichText", "R", "RichTextParagraph", "RP", "Listing", "InlineImage", "Subdoc",
           "Length", "Emu", "Mm", "Cm", "Inches", "Pt", "UnsupportedError", "VanbanError"]

PathOrStream = Union[str, "os.PathLike[str]", IO[bytes]]


# ----- lengths: EMU integers, as python-docx's docx.shared (which works here too) ------------------------------

class Length(int):
    """A length in EMU (914400 per inch), like docx.shared.Length."""
    _EMUS_PER_INCH, _EMUS_PER_CM, _EMUS_PER_MM, _EMUS_PER_PT = 914400, 360000, 36000, 12700

    @property
    def mm(self) -> float:
        return self / float(self._EMUS_PER_MM)

    @property
    def cm(self) -> float:
        return self / float(self._EMUS_PER_CM)

    @property
    def inches(self) -> float:
        return self / float(self._EMUS_PER_INCH)

    @property
    def pt(self) -> float:
        return self / float(self._EMUS_PER_PT)

    @property
    def emu(self) -> int:
        return int(self)


def Emu(emu: int) -> Length:
    return Length(int(emu))


def Mm(mm: float) -> Length:
    return Length(int(mm * Length._EMUS_PER_MM))  # truncated, as python-docx does


def Cm(cm: float) -> Length:
    return Length(int(cm * Length._EMUS_PER_CM))


def Inches(inches: float) -> Length:
    return Length(int(inches * Length._EMUS_PER_INCH))


def Pt(points: float) -> Length:
    return Length(int(points * Length._EMUS_PER_PT))


def _length_text(emu: Any, what: str) -> str:
    """vanban's length text for an EMU count (python-docx lengths are EMU ints): exact to the EMU."""
    if isinstance(emu, bool) or not isinstance(emu, int):
        raise UnsupportedError(f"InlineImage {what}={emu!r} (not a length such as Mm(30))")
    return f"{emu / 36000:.6f}mm"


# ----- docxtpl's objects ------------------------------------------------------------------------------------

_UNDERLINES = ("single", "double", "thick", "dotted", "dash", "dotDash", "dotDotDash", "wave")


def _plain_text(text: Any) -> str:
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="ignore")
    return text if isinstance(text, str) else str(text)


def _is_link_target(url_id: Any) -> bool:
    """Whether url_id is what DocxTemplate.build_url_id returns (the address itself)."""
    return isinstance(url_id, str) and url_id.lower().startswith(("http://", "https://", "mailto:"))


class RichText:
    """Formatted text for a `{{r name }}` tag, with docxtpl's properties: style, color, highlight, size (half
    points, as docxtpl), subscript, superscript, bold, italic, underline (True or a style: double, wave, …),
    strike, font ("Arial" or "eastAsia:MS Mincho"); \\n, \\t, \\a and \\f in the text are a line break, a tab,
    a new paragraph and a page break. The runs keep the formatting of the tag's run where a property is not given.
    url_id=tpl.build_url_id(url) makes the text a hyperlink (http, https or mailto addresses); another url_id, rtl
    and lang raise UnsupportedError."""

    def __init__(self, text: Any = None, **text_prop: Any) -> None:
        self.spans: List[Dict[str, Any]] = []
        if text:
            self.add(text, **text_prop)

    def add(self, text: Any, style: Optional[str] = None, color: Optional[str] = None,
            highlight: Optional[str] = None, size: Optional[int] = None, subscript: Optional[bool] = None,
            superscript: Optional[bool] = None, bold: bool = False, italic: bool = False,
            underline: Union[bool, str] = False, strike: bool = False, font: Optional[str] = None,
            url_id: Optional[str] = None, rtl: bool = False, lang: Optional[str] = None) -> None:
        """Appends a piece of text (or another RichText) with its formatting."""
        if isinstance(text, RichText):
            self.spans += text.spans
            return
        for name, value in {"rtl": rtl, "lang": lang}.items():
            if value:
                raise UnsupportedError(f"RichText {name}={value!r}", hint="vanban's rich text has no rtl or lang yet")
        if url_id and not _is_link_target(url_id):
            raise UnsupportedError(f"RichText url_id={url_id!r}",
                                   hint="give the id tpl.build_url_id(url) returns: vanban relates the link itself")
        span: Dict[str, Any] = {"text": _plain_text(text)}
        if url_id:
            span["url"] = url_id
        if style:
            span["style"] = style
        if color:
            span["color"] = color
        if highlight:
            span["highlight"] = highlight[1:] if highlight.startswith("#") else highlight
        if size:
            span["size"] = size / 2  # docxtpl's half points; vanban's JSON has points
        if subscript:
            span["subscript"] = True
        if superscript:
            span["superscript"] = True
        if bold:
            span["bold"] = True
        if italic:
            span["italic"] = True
        if underline:
            # docxtpl turns an underline style it does not know into a single underline
            span["underline"] = underline if isinstance(underline, str) and underline in _UNDERLINES else True
        if strike:
            span["strike"] = True
        if font:
            span["font"] = font
        self.spans.append(span)

    def to_json(self) -> Dict[str, Any]:
        """vanban's JSON form: {"rich": [spans]} (docs/template-language.md)."""
        return {"rich": self.spans}

    def __str__(self) -> str:
        return "".join(span["text"] for span in self.spans)


R = RichText


class RichTextParagraph:
    """Several paragraphs for a `{{p name }}` tag (the tag's paragraph is replaced), each with its own paragraph
    style: RichTextParagraph().add(RichText(...) or "text", parastyle="Heading1") — later docxtpl's API."""

    def __init__(self, text: Any = None, **text_prop: Any) -> None:
        self.paragraphs: List[Dict[str, Any]] = []
        if text:
            self.add(text, **text_prop)

    def add(self, text: Any, parastyle: Optional[str] = None) -> None:
        """Appends a paragraph (a RichText, another RichTextParagraph's paragraphs, or plain text)."""
        if isinstance(text, RichTextParagraph):
            self.paragraphs += text.paragraphs
            return
        content = text.spans if isinstance(text, RichText) else [{"text": _plain_text(text)}]
        paragraph: Dict[str, Any] = {"text": content}
        if parastyle:
            paragraph["style"] = parastyle
        self.paragraphs.append(paragraph)

    def to_json(self) -> Dict[str, Any]:
        """vanban's JSON form: {"paragraphs": [{"text": [spans], "style": …}, …]}."""
        return {"paragraphs": self.paragraphs}


RP = RichTextParagraph


class Listing:
    """Text whose \\n, \\t, \\a and \\f are a line break, a tab, a new paragraph and a page break, in the
    formatting of the tag's run (plain text values in vanban do the same)."""

    def __init__(self, text: Any) -> None:
        self.text = _plain_text(text)

    def to_json(self) -> Dict[str, str]:
        """vanban's JSON form: {"listing": text}."""
        return {"listing": self.text}

    def __str__(self) -> str:
        return self.text


class InlineImage:
    """A picture for a `{{ name }}` tag: a file path or a binary stream, and optionally its width and/or height
    (lengths such as Mm(30) or docx.shared.Mm(30)); with one of them the other keeps the picture's proportions."""

    def __init__(self, tpl: "DocxTemplate", image_descriptor: Union[str, "os.PathLike[str]", IO[bytes]],
                 width: Optional[int] = None, height: Optional[int] = None, anchor: Any = None) -> None:
        if anchor is not None:
            raise UnsupportedError("InlineImage anchor (a hyperlink on a picture)")
        self.tpl, self.image_descriptor, self.width, self.height = tpl, image_descriptor, width, height
        self._json: Optional[Dict[str, str]] = None

    def to_json(self) -> Dict[str, str]:
        """vanban's picture object: {"image": data URI, "width": "…mm", "height": "…mm"} (read once, then cached)."""
        if self._json is None:
            if hasattr(self.image_descriptor, "read"):
                self.image_descriptor.seek(0)
                content = self.image_descriptor.read()
            else:
                with open(self.image_descriptor, "rb") as f:
                    content = f.read()
            picture = {"image": "data:application/octet-stream;base64," + base64.b64encode(content).decode("ascii")}
            if self.width is not None:
                picture["width"] = _length_text(self.width, "width")
            if self.height is not None:
                picture["height"] = _length_text(self.height, "height")
            self._json = picture
        return self._json


class Subdoc:
    """docxtpl's Subdoc: another DOCX whose body is placed at a `{{p name }}` tag, with its styles, lists, tables and
    pictures (vanban's {"subdoc": …} object). Made from an existing file or binary stream
    (tpl.new_subdoc("annex.docx")); a sub-document built with python-docx calls (tpl.new_subdoc() then
    sd.add_paragraph(…)) raises UnsupportedError — save it with python-docx and give the file."""

    _MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def __init__(self, tpl: "DocxTemplate" = None, docpath: Any = None) -> None:
        self.tpl, self.docpath = tpl, docpath
        self._json: Optional[Dict[str, str]] = None

    def __getattr__(self, name: str) -> Any:
        # docxtpl forwards everything else to a python-docx Document (add_paragraph, add_table, …).
        if name.startswith("__") or name in ("tpl", "docpath", "_json"):
            raise AttributeError(name)
        raise UnsupportedError(f"Subdoc.{name} (a sub-document built with python-docx calls)",
                               hint="build it with python-docx, save it, and give the file: tpl.new_subdoc(path)")

    def to_json(self) -> Dict[str, str]:
        """vanban's sub-document object: {"subdoc": data URI of the DOCX} (read once, then cached)."""
        if self._json is None:
            if self.docpath is None:
                raise UnsupportedError("Subdoc without a file (tpl.new_subdoc() built with python-docx calls)",
                                       hint="save the python-docx document and give its path: tpl.new_subdoc(path)")
            if hasattr(self.docpath, "read"):
                self.docpath.seek(0)
                content = self.docpath.read()
            else:
                with open(self.docpath, "rb") as f:
                    content = f.read()
            self._json = {"subdoc": f"data:{self._MEDIA_TYPE};base64," + base64.b64encode(content).decode("ascii")}
        return self._json


# ----- the context as JSON ----------------------------------------------------------------------------------

def _pointer(where: str, key: Any) -> str:
    return where + "/" + str(key).replace("~", "~0").replace("/", "~1")


def _object_json(value: Any) -> Any:
    """The JSON form of one value that is not plain JSON (json.dumps recurses into what it returns)."""
    if isinstance(value, (RichText, RichTextParagraph, Listing)):
        return value.to_json()
    if isinstance(value, (InlineImage, Subdoc)):
        return value.to_json()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (datetime.date, datetime.time, decimal.Decimal)):
        return str(value)  # what Jinja prints; arithmetic on it is not available
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if callable(value):
        raise UnsupportedError(f"a Python function or class in the context ({getattr(value, '__name__', value)!r})",
                               hint="compute the value in Python and put the result in the context")
    if hasattr(value, "__dict__"):
        return {key: item for key, item in vars(value).items() if not key.startswith("_") and not callable(item)}
    raise UnsupportedError(f"a value of type {type(value).__name__}")


def _locate(value: Any, where: str) -> None:
    """Walks the context to raise the conversion error with its JSON pointer (only after the fast path failed)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise UnsupportedError(f"the number {value!r}", where)
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if not isinstance(value, (dict, list, tuple)):
        try:
            value = _object_json(value)
        except UnsupportedError as e:
            raise UnsupportedError(e.construct, where, e.hint) from None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise UnsupportedError(f"a mapping key of type {type(key).__name__}", _pointer(where, key))
            _locate(item, _pointer(where, key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _locate(item, _pointer(where, i))


def context_json(context: Dict[str, Any]) -> str:
    """The context as vanban's JSON data (RichText as {"rich": spans}, InlineImage as a picture object, ...)."""
    try:
        return json.dumps(context, ensure_ascii=False, allow_nan=False, default=_object_json)
    except (TypeError, ValueError, UnsupportedError):
        _locate(context, "")
        raise


# ----- `{{r x }}` reads x through the rich filter ------------------------------------------------------------

_MARKUP = re.compile(r"<[^>]*>")
_RUN_TAG = re.compile(r"\{\{r\s(.*?)(-?)\}\}", re.S)
_ALREADY_RICH = re.compile(r"\|\s*rich\s*$")


def _read_run_tags_as_rich(xml: str) -> str:
    """Inserts ` | rich` before the closing braces of every `{{r … }}` tag, matched on the visible text (a tag may
    be split over runs): docxtpl's `{{r x }}` takes a RichText, whose JSON form vanban reads with `rich`."""
    visible_parts, starts, offsets, position, length = [], [], [], 0, 0
    for markup in _MARKUP.finditer(xml + "<>"):
        if markup.start() > position:
            starts.append(length)
            offsets.append(position)
            visible_parts.append(xml[position:markup.start()])
            length += markup.start() - position
        position = markup.end()
    visible = "".join(visible_parts)
    inserts = []
    for tag in _RUN_TAG.finditer(visible):
        if _ALREADY_RICH.search(tag.group(1).rstrip()):
            continue
        close = tag.start(2)  # the '-' of '-}}', else the first '}'
        piece = bisect.bisect_right(starts, close) - 1
        inserts.append(offsets[piece] + close - starts[piece])
    for at in reversed(inserts):
        xml = xml[:at] + " | rich " + xml[at:]
    return xml


def _prepare_package(package: bytes) -> bytes:
    """The template package with its `{{r }}` tags read through `rich` (the other entries copied unchanged)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename.startswith("word/") and entry.filename.endswith(".xml") and b"{" in content:
                content = _read_run_tags_as_rich(content.decode("utf-8")).encode("utf-8")
            target.writestr(entry, content)
    return out.getvalue()


# ----- the template -----------------------------------------------------------------------------------------

def _write_atomically(path: Union[str, "os.PathLike[str]"], content: bytes, sync: bool) -> None:
    """Writes a temporary file beside `path` and renames it over `path`, so a reader never sees half a document;
    with `sync`, the file reaches the disk before the rename (durability costs a disk wait per document)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".vanban-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class DocxTemplate:
    """docxtpl's DocxTemplate over vanban: render(context) then save(path_or_stream)."""

    def __init__(self, template_file: PathOrStream) -> None:
        self.template_file = template_file
        if hasattr(template_file, "read"):
            self._package: bytes = template_file.read()
            self._name = str(getattr(template_file, "name", "template.docx"))
        else:
            with open(template_file, "rb") as f:
                self._package = f.read()
            self._name = os.fspath(template_file)
        self._compiled: Optional[Template] = None
        self._rendered: Optional[bytes] = None
        self.is_rendered = False
        self.is_saved = False

    @property
    def template(self) -> Template:
        """The compiled vanban Template (compiled on first use, then reused by every render)."""
        if self._compiled is None:
            self._compiled = Template.from_bytes(_prepare_package(self._package), self._name)
        return self._compiled

    def render(self, context: Dict[str, Any], jinja_env: Any = None, autoescape: bool = False, *,
               lenient: bool = False) -> None:
        """Renders the template with `context` (kept in memory until save()).

        Values are always escaped (`autoescape` changes nothing). A missing value is a VanbanError naming its tag
        and JSON pointer; lenient=True prints it as empty, as docxtpl does. A `jinja_env` raises UnsupportedError:
        vanban has its own built-in filters and no Python callbacks."""
        if jinja_env is not None:
            raise UnsupportedError("a jinja_env (a custom Jinja environment, its filters or globals)",
                                   hint="vanban uses its built-in filters (docs/template-language.md); leave it out")
        data = context_json(context)
        self._rendered = self.template.render(data, data_name="context", lenient=lenient)
        self.is_rendered = True

    def save(self, filename: PathOrStream, *args: Any, sync: bool = False, **kwargs: Any) -> None:
        """Writes the rendered document (the template itself before any render) to a path, atomically (renamed into
        place; sync=True also fsyncs it first), or to a binary stream."""
        content = self._rendered if self._rendered is not None else self._package
        if hasattr(filename, "write"):
            filename.write(content)
        else:
            _write_atomically(filename, content, sync)
        self.is_saved = True

    def get_undeclared_template_variables(self, jinja_env: Any = None,
                                          context: Optional[Dict[str, Any]] = None) -> Set[str]:
        """The top-level names the template reads (less those in `context`, when given)."""
        if jinja_env is not None:
            raise UnsupportedError("a jinja_env (a custom Jinja environment, its filters or globals)")
        names = set(self.template.inspect()["skeleton"])
        return names - set(context) if context else names

    undeclared_template_variables = property(get_undeclared_template_variables)

    def new_subdoc(self, docpath: Any = None) -> Subdoc:
        """A sub-document from a DOCX file path or binary stream, for a `{{p name }}` tag (see Subdoc)."""
        return Subdoc(self, docpath)

    def build_url_id(self, url: str) -> str:
        """The url_id of a RichText hyperlink: the address itself, which vanban relates in the part where the link
        is placed (only http://, https:// and mailto: addresses render)."""
        if not _is_link_target(url):
            raise UnsupportedError(f"build_url_id({url!r})", hint="vanban links to http://, https:// and mailto: addresses only")
        return url

    def replace_pic(self, embedded_file: Any, dst_file: Any) -> None:
        raise UnsupportedError("replace_pic", hint="put a tag where a picture from the data goes")

    def replace_media(self, src_file: Any, dst_file: Any) -> None:
        raise UnsupportedError("replace_media", hint="put a tag where a picture from the data goes")

    def replace_embedded(self, src_file: Any, dst_file: Any) -> None:
        raise UnsupportedError("replace_embedded")

    def replace_zipname(self, zipname: str, dst_file: Any) -> None:
        raise UnsupportedError("replace_zipname")
