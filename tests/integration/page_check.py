#!/usr/bin/env python3
"""Checks for test_page.sh, standard library only.
  page_check.py links PAGE     every src/href of PAGE stays among the night's own files
  page_check.py ink PNG        prints the share (per mille) of pixels that are not white
"""
import struct
import sys
import zlib
from html.parser import HTMLParser


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset", "action", "formaction", "poster", "background") or name.startswith("on"):
                self.bad.append(f"{tag} {name}={value}")
            elif name in ("href", "xlink:href"):
                v = value or ""
                if ":" in v or v.startswith("/") or "\\" in v or ".." in v or v.startswith("#") is False and v == "":
                    self.bad.append(f"{tag} {name}={v}")
            if tag in ("script", "iframe", "object", "embed", "link", "img", "base"):
                self.bad.append(f"element {tag}")


def links(path):
    p = Links()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    for b in p.bad:
        print(b)
    return 1 if p.bad else 0


def ink(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG type"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    coloured = 0
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            if line[x] < 240 or line[x + 1] < 240 or line[x + 2] < 240:
                coloured += 1
        prev = line
    print(coloured * 1000 // (w * h))
    return 0


if __name__ == "__main__":
    sys.exit(links(sys.argv[2]) if sys.argv[1] == "links" else ink(sys.argv[2]))
