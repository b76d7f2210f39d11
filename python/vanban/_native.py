"""Loading libvanban and declaring the C functions (include/vanban/vanban.h) for ctypes.

Where the library is looked for, first found wins:
  1. $VANBAN_LIBRARY: the path of libvanban.so.0 itself;
  2. beside this package when `cmake --install` put both in one prefix (the path is written into _install.py);
  3. $VANBAN_PREFIX: <prefix>/lib*/libvanban.so.0 and <prefix>/lib/<multiarch>/libvanban.so.0;
  4. the system's library search path (ldconfig, LD_LIBRARY_PATH), as ctypes.util.find_library("vanban").
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
from typing import Iterator, Optional

SONAME = "libvanban.so.0"


def _installed_paths() -> "tuple[Optional[str], Optional[str]]":
    """(library, templates directory) recorded by `cmake --install`, or (None, None) for a pip install."""
    try:
        from . import _install  # type: ignore[attr-defined]  # written by cmake --install only
    except ImportError:
        return None, None
    here = os.path.dirname(os.path.abspath(__file__))
    return (os.path.normpath(os.path.join(here, _install.LIBRARY)),
            os.path.normpath(os.path.join(here, _install.TEMPLATES)))


def _candidates() -> Iterator[str]:
    """The places to try, in order; lazily, since find_library() runs ldconfig."""
    if os.environ.get("VANBAN_LIBRARY"):
        yield os.environ["VANBAN_LIBRARY"]
    installed, _ = _installed_paths()
    if installed:
        yield installed
    prefix = os.environ.get("VANBAN_PREFIX")
    if prefix:
        yield from sorted(glob.glob(os.path.join(prefix, "lib*", SONAME)))
        yield from sorted(glob.glob(os.path.join(prefix, "lib", "*", SONAME)))
    yield ctypes.util.find_library("vanban") or SONAME


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("vanban: cannot load libvanban (set VANBAN_LIBRARY to the path of libvanban.so.0, or "
                      "VANBAN_PREFIX to the prefix vanban was installed into). Tried:\n  " + "\n  ".join(tried))


def templates_directory() -> Optional[str]:
    """The folder of the bundled templates installed with this package (<prefix>/share/vanban/templates)."""
    _, templates = _installed_paths()
    if templates and os.path.isdir(templates):
        return templates
    prefix = os.environ.get("VANBAN_PREFIX")
    if prefix and os.path.isdir(os.path.join(prefix, "share", "vanban", "templates")):
        return os.path.join(prefix, "share", "vanban", "templates")
    return None


class ErrorStruct(ctypes.Structure):
    """struct vanban_error; read only through the pointers vanban_errors_get() returns (fields may be appended)."""
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
        ("code", ctypes.c_char_p),
        ("message_en", ctypes.c_char_p),
        ("message_vi", ctypes.c_char_p),
        ("text_vi", ctypes.c_char_p),
    ]


class Buffer(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_char)), ("size", ctypes.c_size_t)]


class RenderOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("flags", ctypes.c_uint),
        ("image_directory", ctypes.c_char_p),
        ("max_image_size", ctypes.c_uint64),
        ("max_images", ctypes.c_uint64),
    ]


lib = _load()

_P = ctypes.c_void_p
_PP = ctypes.POINTER(ctypes.c_void_p)
_status = ctypes.c_int
_str = ctypes.c_char_p
_size = ctypes.c_size_t


def _declare(name: str, restype, *argtypes) -> None:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)


_declare("vanban_version", _str)
_declare("vanban_status_name", _str, _status)
_declare("vanban_errors_count", _size, _P)
_declare("vanban_errors_get", ctypes.POINTER(ErrorStruct), _P, _size)
_declare("vanban_errors_json", _str, _P)
_declare("vanban_errors_free", None, _P)
_declare("vanban_buffer_free", None, ctypes.POINTER(Buffer))
_declare("vanban_template_open", _status, _str, _PP, _PP)
_declare("vanban_template_from_memory", _status, _str, _size, _str, _PP, _PP)
_declare("vanban_template_free", None, _P)
_declare("vanban_template_inspect", _status, _P, ctypes.POINTER(Buffer), _PP)
_declare("vanban_render_options_init", None, ctypes.POINTER(RenderOptions))
_declare("vanban_render_with_options", _status, _P, _str, _size, _str, ctypes.POINTER(RenderOptions),
         ctypes.POINTER(Buffer), _PP)
_declare("vanban_render_to_file_with_options", _status, _P, _str, _size, _str, ctypes.POINTER(RenderOptions), _str,
         _PP)
_declare("vanban_schema_compile", _status, _str, _size, _str, _PP, _PP)
_declare("vanban_schema_free", None, _P)
_declare("vanban_schema_validate", _status, _P, _str, _size, _str, _PP)
_declare("vanban_import", _status, _str, _size, _str, _str, ctypes.POINTER(Buffer), _PP)
