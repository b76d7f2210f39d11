#!/usr/bin/env python3
"""The plain write loop of issue 24, in Python: the files of SRCDIR read into memory first, then each written to a
temporary name beside its place in OUTDIR and renamed (no fsync, as `vanban batch --sync none`), one at a time.
Prints one JSON line, as vanban-batch-bench does.  usage: writeloop.py SRCDIR OUTDIR"""
import json
import os
import sys
import time


def main(src, out):
    files = []
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as f:
            files.append((os.path.join(out, name), f.read()))
    t0 = time.perf_counter()
    for path, data in files:
        temp = path + ".tmp"
        with open(temp, "wb") as f:
            f.write(data)
        os.rename(temp, path)
    seconds = time.perf_counter() - t0
    print(json.dumps({"workload": "writeloop-python", "files": len(files), "seconds": round(seconds, 3),
                      "docs_per_s": round(len(files) / seconds)}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
