#!/usr/bin/env python3
"""Adds a drawn signature and a red round seal to a plan or award record, as PNG pictures in data: URIs.

    python3 tools/sign-example.py examples/ke-hoach/002.json out/ke-hoach-002-signed.json

The pictures are drawn here (standard library only: zlib for PNG) so that the repository keeps no binary image and the
examples show a signed copy: the signature over the signer's name, the seal overlapping its left third, as an
agency's văn thư stamps a paper original.
"""
import base64
import json
import math
import struct
import sys
import zlib


def png(width, height, pixels):
    """RGBA rows (lists of (r, g, b, a)) → PNG bytes, 300 dpi."""
    raw = b"".join(b"\0" + b"".join(struct.pack("4B", *p) for p in row) for row in pixels)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    dots_per_metre = round(300 / 0.0254)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)) +
            chunk(b"pHYs", struct.pack(">IIB", dots_per_metre, dots_per_metre, 1)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def canvas(width, height):
    return [[(0, 0, 0, 0)] * width for _ in range(height)]


def dot(pixels, x, y, radius, colour):
    height, width = len(pixels), len(pixels[0])
    for j in range(max(0, int(y - radius - 1)), min(height, int(y + radius + 2))):
        for i in range(max(0, int(x - radius - 1)), min(width, int(x + radius + 2))):
            coverage = max(0.0, min(1.0, radius + 0.5 - math.hypot(i - x, j - y)))
            if coverage > pixels[j][i][3] / 255:
                pixels[j][i] = colour[:3] + (round(255 * coverage),)


def signature():
    """A hand-written flourish in blue ink: a loop, two waves and an underline."""
    width, height = 420, 150
    pixels = canvas(width, height)
    ink = (20, 40, 140)
    for k in range(1400):
        t = k / 1400
        x = 30 + 340 * t + 28 * math.sin(t * math.tau * 3.2)
        y = 78 - 38 * math.sin(t * math.tau * 2.1) * (1 - t * 0.6) + 10 * math.cos(t * math.tau * 7)
        dot(pixels, x, y, 2.6 - 1.2 * t, ink)
    for k in range(500):
        t = k / 500
        dot(pixels, 60 + 320 * t, 120 - 14 * t + 4 * math.sin(t * math.tau), 1.8, ink)
    return png(width, height, pixels)


def seal():
    """A round red seal: two rings and a five-pointed star (the text of a real seal is left out)."""
    size = 360
    pixels = canvas(size, size)
    red = (200, 20, 30)
    c = size / 2
    for j in range(size):
        for i in range(size):
            r = math.hypot(i - c, j - c)
            if 160 <= r <= 172 or 118 <= r <= 123:
                pixels[j][i] = red + (220,)
    # the star: a point is inside when it is inside the pentagon or one of its five tips
    outer, inner = 70, 27
    corners = []
    for k in range(10):
        angle = -math.pi / 2 + k * math.pi / 5
        radius = outer if k % 2 == 0 else inner
        corners.append((c + radius * math.cos(angle), c + radius * math.sin(angle)))
    for j in range(int(c - outer), int(c + outer) + 1):
        for i in range(int(c - outer), int(c + outer) + 1):
            inside = False
            for a, b in zip(corners, corners[1:] + corners[:1]):
                if (a[1] > j) != (b[1] > j) and i < a[0] + (j - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
                    inside = not inside
            if inside:
                pixels[j][i] = red + (220,)
    return png(size, size, pixels)


def data_uri(data):
    return "data:image/png;base64," + base64.b64encode(data).decode()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: sign-example.py IN.json OUT.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        record = json.load(f)
    signer = record.setdefault("signer", {})
    # sizes from the template: the signature 20 mm high above the name, the seal 35 mm across over its left third
    signer["signature_image"] = {"image": data_uri(signature()),
                                 "description": "Chữ ký của " + signer.get("full_name", "người ký")}
    signer["seal_image"] = {"image": data_uri(seal()), "description": "Dấu của cơ quan"}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
