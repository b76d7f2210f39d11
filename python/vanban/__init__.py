"""vanban for Python: compile a DOCX template once, render it with data many times.

    import vanban
    plan = vanban.Template.bundled("ke-hoach")          # or Template.from_file("mine.docx")
    docx = plan.render({"agency": {...}, ...})          # bytes of a finished .docx
    plan.render_to_file(data, "plan.docx")              # written atomically

A thin ctypes layer over libvanban's C API (include/vanban/vanban.h): nothing is compiled for Python, and the
library releases the GIL while it renders, so one Template may render from many threads at once. Every failure is a
VanbanError holding every problem found, each located (template part, paragraph and tag; JSON pointer and
line:column in the data). `vanban.docxtpl` offers docxtpl's API on top (docs/python.md).
"""
from __future__ import annotations

import ctypes
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

from ._native import Buffer, RenderOptions, lib, templates_directory

__all__ = ["Template", "Schema", "VanbanError", "UnsupportedError", "ErrorRecord", "validate", "import_document",
           "library_version", "templates_directory", "__version__"]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]
#: Data for a render or a validation: JSON text (str or bytes), or Python values that json.dumps accepts.
Data = Union[str, bytes, Dict[str, Any], List[Any]]

_RENDER_LENIENT = 1
_STATUS_USAGE = 8


@dataclass(frozen=True)
class ErrorRecord:
    """One problem. Fields that do not apply are "" or 0 (docs/messages.md lists the codes)."""
    kind: str          #: "template", "data", "schema", "json", "package", "io", "limit", "usage", ...
    code: str          #: stable id of the kind of problem, e.g. "schema.required"; "" when none
    message: str       #: what is wrong, in English
    message_vi: str    #: plain Vietnamese for people, naming the field by its label
    part: str          #: template part, e.g. "word/document.xml" (or the package/file name)
    paragraph: int     #: 1-based paragraph in `part`
    tag: str           #: the tag exactly as typed, e.g. "{{ agency.name | uper }}"
    context: str       #: a little visible text around the tag
    json_pointer: str  #: RFC 6901 pointer into the data
    source: str        #: the name of the data (or schema)
    line: int          #: 1-based line in the data text, 0 when unknown
    column: int        #: 1-based column (code points), 0 when unknown
    hint: str          #: how to fix it, when known
    text: str          #: the whole record as one line
    text_vi: str       #: the whole record as one line, in Vietnamese


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", errors="replace") if raw else ""


class VanbanError(Exception):
    """A failed call. `records` holds every problem found (not only the first); `kind` is the first one's kind.

    str(error) is the first record's one-line text, with the number of further problems."""

    def __init__(self, kind: str, records: List[ErrorRecord], json_text: Optional[str] = None) -> None:
        self.kind = kind
        self.records = records
        self.json = json_text if json_text is not None else json.dumps(
            [record.__dict__ for record in records], ensure_ascii=False)
        first = records[0].text if records else kind
        more = f" (and {len(records) - 1} more)" if len(records) > 1 else ""
        super().__init__(first + more)

    @classmethod
    def _take(cls, status: int, errors: ctypes.c_void_p) -> "VanbanError":
        """Builds the exception from a C error list and frees the list."""
        try:
            records = []
            for i in range(lib.vanban_errors_count(errors)):
                e = lib.vanban_errors_get(errors, i).contents
                records.append(ErrorRecord(
                    kind=_text(e.kind_name), code=_text(e.code), message=_text(e.message),
                    message_vi=_text(e.message_vi), part=_text(e.part), paragraph=e.paragraph, tag=_text(e.tag),
                    context=_text(e.context), json_pointer=_text(e.json_pointer), source=_text(e.source),
                    line=e.line, column=e.column, hint=_text(e.hint), text=_text(e.text), text_vi=_text(e.text_vi)))
            return cls(_text(lib.vanban_status_name(status)), records, _text(lib.vanban_errors_json(errors)))
        finally:
            lib.vanban_errors_free(errors)


    @classmethod
    def usage(cls, message: str, code: str, where: str = "", hint: str = "") -> "VanbanError":
        """A usage error raised by the Python layer itself, as one record (`where` is a JSON pointer)."""
        text = message + (f" (at {where})" if where else "") + (f"; {hint}" if hint else "")
        record = ErrorRecord(kind="usage", code=code, message=message, message_vi=message, part="", paragraph=0,
                             tag="", context="", json_pointer=where, source="", line=0, column=0, hint=hint,
                             text=text, text_vi=text)
        return cls("usage", [record])


class UnsupportedError(VanbanError, NotImplementedError):
    """Something vanban has no form for (yet), named: a docxtpl Subdoc, a `jinja_env`, a RichText colour, ..."""

    def __init__(self, construct: str, where: str = "", hint: str = "") -> None:
        record = VanbanError.usage(f"{construct} is not supported by vanban", "python.unsupported", where,
                                   hint).records[0]
        super().__init__("usage", [record])
        self.construct, self.where, self.hint = construct, where, hint


def _check(status: int, errors: ctypes.c_void_p) -> None:
    if status != 0:
        raise VanbanError._take(status, errors)


def _json_bytes(data: Data) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _take_buffer(out: Buffer) -> bytes:
    try:
        return ctypes.string_at(out.data, out.size)
    finally:
        lib.vanban_buffer_free(ctypes.byref(out))


def library_version() -> str:
    """The version of the loaded libvanban, e.g. "0.1.0"."""
    return _text(lib.vanban_version())


class Template:
    """A compiled DOCX template (or ODT, or an unzipped package folder); immutable, usable from many threads.

    Compile it once with from_file(), from_bytes() or bundled(), then render() as many times as you like."""

    def __init__(self, handle: ctypes.c_void_p, name: str) -> None:
        """Use from_file(), from_bytes() or bundled()."""
        self._handle = handle
        self.name = name

    @classmethod
    def from_file(cls, path: PathLike) -> "Template":
        """Compiles a .docx/.odt file or a folder holding the unzipped package. Raises VanbanError listing every
        template problem at once (part, paragraph, tag as typed)."""
        handle, errors = ctypes.c_void_p(), ctypes.c_void_p()
        _check(lib.vanban_template_open(os.fsencode(path), ctypes.byref(handle), ctypes.byref(errors)), errors)
        return cls(handle, os.fspath(path))

    @classmethod
    def from_bytes(cls, package: bytes, name: str = "template.docx") -> "Template":
        """Compiles a package held in memory (the bytes are copied); `name` is used in messages."""
        handle, errors = ctypes.c_void_p(), ctypes.c_void_p()
        _check(lib.vanban_template_from_memory(package, len(package), name.encode(), ctypes.byref(handle),
                                               ctypes.byref(errors)), errors)
        return cls(handle, name)

    @classmethod
    def bundled(cls, name: str = "ke-hoach", fmt: str = "docx") -> "Template":
        """A template installed with vanban (<prefix>/share/vanban/templates/NAME/FMT), e.g. the KẾ HOẠCH plan."""
        return cls.from_file(bundled_path(name, fmt))

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            lib.vanban_template_free(handle)

    def _options(self, lenient: bool, image_directory: Optional[PathLike]) -> RenderOptions:
        options = RenderOptions()
        lib.vanban_render_options_init(ctypes.byref(options))
        options.flags = _RENDER_LENIENT if lenient else 0
        options.image_directory = os.fsencode(image_directory) if image_directory is not None else None
        return options

    def render(self, data: Data, *, data_name: str = "data", lenient: bool = False,
               image_directory: Optional[PathLike] = None) -> bytes:
        """Renders with `data` (JSON text, or Python values) into the bytes of a finished document.

        Strict by default: every missing value is a VanbanError naming its tag and JSON pointer, all at once.
        lenient=True renders missing values as empty text and missing lists as no rows. Pictures given in the data
        as file paths are read only when `image_directory` is given (relative paths are taken from there)."""
        text = _json_bytes(data)
        options = self._options(lenient, image_directory)
        out, errors = Buffer(), ctypes.c_void_p()
        _check(lib.vanban_render_with_options(self._handle, text, len(text), data_name.encode(), ctypes.byref(options),
                                              ctypes.byref(out), ctypes.byref(errors)), errors)
        return _take_buffer(out)

    def render_to_file(self, data: Data, path: PathLike, *, data_name: str = "data", lenient: bool = False,
                       image_directory: Optional[PathLike] = None) -> None:
        """Like render(), written atomically to `path`: on any error the file is untouched."""
        text = _json_bytes(data)
        options = self._options(lenient, image_directory)
        errors = ctypes.c_void_p()
        _check(lib.vanban_render_to_file_with_options(self._handle, text, len(text), data_name.encode(),
                                                      ctypes.byref(options), os.fsencode(path),
                                                      ctypes.byref(errors)), errors)

    def inspect(self) -> Dict[str, Any]:
        """What the template reads: {"skeleton": {...data to fill in...}, "loops", "conditions", "outputs"}."""
        out, errors = Buffer(), ctypes.c_void_p()
        _check(lib.vanban_template_inspect(self._handle, ctypes.byref(out), ctypes.byref(errors)), errors)
        return json.loads(_take_buffer(out))


def bundled_path(name: str = "ke-hoach", fmt: str = "docx") -> str:
    """The path of a bundled template's package folder, e.g. <prefix>/share/vanban/templates/ke-hoach/docx."""
    root = templates_directory()
    if root is None:
        raise VanbanError.usage("no bundled templates found", "python.no-templates",
                                hint="install vanban with cmake --install, or set VANBAN_PREFIX")
    return os.path.join(root, name, fmt)


class Schema:
    """A compiled JSON Schema (draft 4/6/7); immutable, usable from many threads."""

    def __init__(self, schema: Data, name: str = "schema") -> None:
        text = _json_bytes(schema)
        self._handle, errors = ctypes.c_void_p(), ctypes.c_void_p()
        _check(lib.vanban_schema_compile(text, len(text), name.encode(), ctypes.byref(self._handle),
                                         ctypes.byref(errors)), errors)

    @classmethod
    def from_file(cls, path: PathLike) -> "Schema":
        with open(path, "rb") as f:
            return cls(f.read(), os.fspath(path))

    def __del__(self) -> None:
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            lib.vanban_schema_free(handle)

    def validate(self, data: Data, data_name: str = "data") -> None:
        """Returns when the data is valid; otherwise raises VanbanError with every violation (JSON pointer and
        line:column in the data text, the field named by its schema title)."""
        text = _json_bytes(data)
        errors = ctypes.c_void_p()
        _check(lib.vanban_schema_validate(self._handle, text, len(text), data_name.encode(), ctypes.byref(errors)),
               errors)


def validate(schema: Data, data: Data, *, schema_name: str = "schema", data_name: str = "data") -> None:
    """Checks `data` against a JSON Schema given as text or Python values; raises VanbanError with every violation."""
    Schema(schema, schema_name).validate(data, data_name)


def import_document(document: Union[PathLike, bytes], name_or_format: Optional[str] = None,
                    template: str = "ke-hoach") -> Dict[str, Any]:
    """Reads an existing plan (.docx, .odt, .txt or .md: a path, or bytes with `name_or_format` such as "docx") into
    data for a bundled template: {"template", "data", "unrecognised": [...], "warnings": [...]} (docs/import.md)."""
    if isinstance(document, bytes):
        if not name_or_format:
            raise VanbanError.usage("import_document() of bytes needs name_or_format", "python.usage",
                                    hint='pass the file name or "docx", "odt", "txt", "md"')
        content = document
    else:
        with open(document, "rb") as f:
            content = f.read()
        name_or_format = name_or_format or os.path.basename(os.fspath(document))
    out, errors = Buffer(), ctypes.c_void_p()
    _check(lib.vanban_import(content, len(content), name_or_format.encode(), template.encode(), ctypes.byref(out),
                             ctypes.byref(errors)), errors)
    return json.loads(_take_buffer(out))
