#!/usr/bin/python3
"""W2 of ../shared/bench-peers through vanban.docxtpl: the peers' docxtpl runner with its import line changed.

  python_docxtpl_runner.py KIT OUTDIR     (KIT: the folder with templates/ and out/data/ made by the peers' scripts)

As runners/docxtpl_runner.py: one DocxTemplate over the in-memory template bytes, the 1,000 records rendered one
after another and each written with save(); no jinja_env (vanban always escapes, as Environment(autoescape=True)).
Prints one JSON line like the peers' runners.
"""
import io
import json
import os
import resource
import sys
import time

from vanban.docxtpl import DocxTemplate  # the one changed line (was: from docxtpl import DocxTemplate)


def main():
    kit, outdir = sys.argv[1], sys.argv[2]
    with open(os.path.join(kit, "templates", "docxtpl", "form.docx"), "rb") as f:
        tpl = DocxTemplate(io.BytesIO(f.read()))
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(kit, "out", "data", "forms.json"), encoding="utf-8") as f:
        records = json.load(f)["records"]
    t0 = time.perf_counter()
    for i, record in enumerate(records):
        tpl.render(record)
        tpl.save(os.path.join(outdir, "%04d.docx" % i))
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"engine": "vanban.docxtpl", "workload": "w2", "n": len(records), "ms_total": ms,
                      "docs_per_s": len(records) / (ms / 1000),
                      "rss_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
