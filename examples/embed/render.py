#!/usr/bin/env python3
"""Embedding vanban from Python with ctypes (standard library only).

    python3 render.py TEMPLATE DATA.json OUT.docx [SCHEMA.json]

The library is found through $VANBAN_LIBRARY (path of libvanban.so.0), else $VANBAN_PREFIX/lib*/, else the
system's library search path. Exit status: 0 rendered, 1 template or data problems (printed), 2 usage or I/O.
"""
import ctypes
import glob
import os
import sys

VANBAN_OK = 0
VANBAN_ERROR_IO = 6
VANBAN_ERROR_USAGE = 8
VANBAN_RENDER_LENIENT = 1


class Error(ctypes.Structure):
    """struct vanban_error; only ever used through pointers returned by vanban_errors_get()."""
    _fields_ = [
        ("kind", ctypes.c_int),
        ("kind_name", ctypes.c_char_p),
        ("message", ctypes.c_char_p),
        ("part", ctypes.c_char_p),
        ("paragraph", ctypes.c_int),
        ("tag", ctypes.c_char_p),
        ("context", ctypes.c_char_p),
        ("json_pointer", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("line", ctypes.c_int),
        ("column", ctypes.c_int),
        ("hint", ctypes.c_char_p),
        ("text", ctypes.c_char_p),
    ]


class Buffer(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_char)), ("size", ctypes.c_size_t)]


def load_library():
    candidates = []
    if os.environ.get("VANBAN_LIBRARY"):
        candidates.append(os.environ["VANBAN_LIBRARY"])
    if os.environ.get("VANBAN_PREFIX"):
        prefix = os.environ["VANBAN_PREFIX"]
        candidates += sorted(glob.glob(os.path.join(prefix, "lib*", "libvanban.so.*")))
        candidates += sorted(glob.glob(os.path.join(prefix, "lib*", "*", "libvanban.so.*")))
    candidates.append("libvanban.so.0")
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    sys.exit("render.py: cannot load libvanban (set VANBAN_LIBRARY or VANBAN_PREFIX)")


lib = load_library()
P = ctypes.c_void_p
status_t = ctypes.c_int
lib.vanban_version.restype = ctypes.c_char_p
lib.vanban_version.argtypes = []
lib.vanban_status_name.restype = ctypes.c_char_p
lib.vanban_status_name.argtypes = [status_t]
lib.vanban_errors_count.restype = ctypes.c_size_t
lib.vanban_errors_count.argtypes = [P]
lib.vanban_errors_get.restype = ctypes.POINTER(Error)
lib.vanban_errors_get.argtypes = [P, ctypes.c_size_t]
lib.vanban_errors_json.restype = ctypes.c_char_p
lib.vanban_errors_json.argtypes = [P]
lib.vanban_errors_free.restype = None
lib.vanban_errors_free.argtypes = [P]
lib.vanban_buffer_free.restype = None
lib.vanban_buffer_free.argtypes = [ctypes.POINTER(Buffer)]
lib.vanban_template_open.restype = status_t
lib.vanban_template_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(P), ctypes.POINTER(P)]
lib.vanban_template_free.restype = None
lib.vanban_template_free.argtypes = [P]
lib.vanban_render.restype = status_t
lib.vanban_render.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_uint,
                              ctypes.POINTER(Buffer), ctypes.POINTER(P)]
lib.vanban_render_to_file.restype = status_t
lib.vanban_render_to_file.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_uint,
                                      ctypes.c_char_p, ctypes.POINTER(P)]
lib.vanban_schema_compile.restype = status_t
lib.vanban_schema_compile.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(P),
                                      ctypes.POINTER(P)]
lib.vanban_schema_free.restype = None
lib.vanban_schema_free.argtypes = [P]
lib.vanban_schema_validate.restype = status_t
lib.vanban_schema_validate.argtypes = [P, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(P)]


class VanbanError(Exception):
    """A failed call: `status` and `records`, one dict per problem (every problem, not only the first)."""

    def __init__(self, status, errors):
        self.status = status
        self.records = []
        for i in range(lib.vanban_errors_count(errors)):
            e = lib.vanban_errors_get(errors, i).contents
            self.records.append({name: (getattr(e, name).decode() if isinstance(getattr(e, name), bytes)
                                        else getattr(e, name)) for name, _ in Error._fields_})
        self.json = lib.vanban_errors_json(errors).decode()
        lib.vanban_errors_free(errors)
        super().__init__(lib.vanban_status_name(status).decode())


def check(status, errors):
    if status != VANBAN_OK:
        raise VanbanError(status, errors)


class Template:
    """A compiled template; one object may render from many threads at once."""

    def __init__(self, path):
        self._handle = P()
        errors = P()
        check(lib.vanban_template_open(os.fsencode(path), ctypes.byref(self._handle), ctypes.byref(errors)), errors)

    def __del__(self):
        if getattr(self, "_handle", None):
            lib.vanban_template_free(self._handle)
            self._handle = None

    def render(self, data: bytes, data_name="data", lenient=False) -> bytes:
        out, errors = Buffer(), P()
        flags = VANBAN_RENDER_LENIENT if lenient else 0
        check(lib.vanban_render(self._handle, data, len(data), data_name.encode(), flags, ctypes.byref(out),
                                ctypes.byref(errors)), errors)
        try:
            return ctypes.string_at(out.data, out.size)
        finally:
            lib.vanban_buffer_free(ctypes.byref(out))

    def render_to_file(self, data: bytes, path, data_name="data", lenient=False):
        errors = P()
        flags = VANBAN_RENDER_LENIENT if lenient else 0
        check(lib.vanban_render_to_file(self._handle, data, len(data), data_name.encode(), flags, os.fsencode(path),
                                        ctypes.byref(errors)), errors)


def validate(schema_text: bytes, data: bytes, schema_name="schema", data_name="data"):
    schema, errors = P(), P()
    check(lib.vanban_schema_compile(schema_text, len(schema_text), schema_name.encode(), ctypes.byref(schema),
                                    ctypes.byref(errors)), errors)
    try:
        check(lib.vanban_schema_validate(schema, data, len(data), data_name.encode(), ctypes.byref(errors)), errors)
    finally:
        lib.vanban_schema_free(schema)


def main(argv):
    if len(argv) not in (4, 5):
        print(f"usage: {argv[0]} TEMPLATE DATA.json OUT.docx [SCHEMA.json]", file=sys.stderr)
        return 2
    template_path, data_path, out_path = argv[1:4]
    print(f"vanban {lib.vanban_version().decode()}")
    try:
        with open(data_path, "rb") as f:
            data = f.read()
        if len(argv) == 5:
            with open(argv[4], "rb") as f:
                validate(f.read(), data, argv[4], data_path)
            print(f"valid: {data_path}")
        tpl = Template(template_path)
        document = tpl.render(data, data_path)
        print(f"rendered {len(document)} bytes in memory")
        tpl.render_to_file(data, out_path, data_path)
        print(f"wrote {out_path}")
        return 0
    except OSError as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 2
    except VanbanError as e:
        print(f"{data_path}: {e} ({len(e.records)} problems)")
        for i, r in enumerate(e.records, 1):
            print(f"error {i}/{len(e.records)} [{r['kind_name']}]: {r['message']}")
            if r["part"]:
                print(f"  part: {r['part']} paragraph: {r['paragraph']}")
            if r["tag"]:
                print(f"  tag: {r['tag']}")
            if r["json_pointer"] or r["line"]:
                print(f"  data: {r['json_pointer']} at {r['source']} line {r['line']} column {r['column']}")
            if r["hint"]:
                print(f"  hint: {r['hint']}")
        return 2 if e.status in (VANBAN_ERROR_IO, VANBAN_ERROR_USAGE) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
