#!/usr/bin/env python3
"""Embedding vanban from Python with the `vanban` package (installed by `cmake --install`, docs/python.md).

    python3 render.py TEMPLATE DATA.json OUT.docx [SCHEMA.json]

The package is found on sys.path (<prefix>/lib/python3/dist-packages: put it on PYTHONPATH for a prefix other than
/usr) and finds its library by itself. Exit status: 0 rendered, 1 template or data problems (printed), 2 usage or
I/O.
"""
import sys

import vanban


def print_errors(data_path: str, error: vanban.VanbanError) -> None:
    print(f"{data_path}: {error.kind} ({len(error.records)} problems)")
    for i, r in enumerate(error.records, 1):
        print(f"error {i}/{len(error.records)} [{r.kind}]: {r.message}")
        if r.part:
            print(f"  part: {r.part} paragraph: {r.paragraph}")
        if r.tag:
            print(f"  tag: {r.tag}")
        if r.json_pointer or r.line:
            print(f"  data: {r.json_pointer} at {r.source} line {r.line} column {r.column}")
        if r.hint:
            print(f"  hint: {r.hint}")


def main(argv) -> int:
    if len(argv) not in (4, 5):
        print(f"usage: {argv[0]} TEMPLATE DATA.json OUT.docx [SCHEMA.json]", file=sys.stderr)
        return 2
    template_path, data_path, out_path = argv[1:4]
    print(f"vanban {vanban.library_version()}")
    try:
        with open(data_path, "rb") as f:
            data = f.read()
        if len(argv) == 5:
            vanban.Schema.from_file(argv[4]).validate(data, data_path)
            print(f"valid: {data_path}")
        tpl = vanban.Template.from_file(template_path)  # compile once, render many times (from any thread)
        document = tpl.render(data, data_name=data_path)
        print(f"rendered {len(document)} bytes in memory")
        tpl.render_to_file(data, out_path, data_name=data_path)
        print(f"wrote {out_path}")
        return 0
    except OSError as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 2
    except vanban.VanbanError as e:
        print_errors(data_path, e)
        return 2 if e.kind in ("io", "usage") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
