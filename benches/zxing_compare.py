"""zxing-cpp's half of `cargo xtask bench-compare`: a timing server driven by `benches/compare.rs`.

Loads every luma plane listed in the manifest (argv[1]), then answers one request per stdin
line, `<index>`, with one line `<ms> <json list of decoded texts>`: the time of a single
`read_barcodes` call on that plane. The Rust side alternates Hutong and zxing-cpp calls frame
by frame, so load from other processes on the machine hits both decoders alike.

zxing-cpp runs restricted to Hutong's formats (QR Code and Code 128), with try_rotate and
try_invert off (its fastest setting; it keeps try_downscale, its default, which it needs for
its full decode rate on large codes).
"""
import json
from importlib import metadata
import sys
import time

import numpy as np
import zxingcpp


def main():
    with open(sys.argv[1]) as f:
        frames = json.load(f)
    planes = [
        np.fromfile(fr["file"], dtype=np.uint8).reshape(fr["height"], fr["width"])
        for fr in frames
    ]
    formats = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128)
    out = sys.stdout
    out.write(f"ready zxing-cpp {metadata.version('zxing-cpp')}\n")
    out.flush()
    for line in sys.stdin:
        img = planes[int(line)]
        t = time.perf_counter()
        found = zxingcpp.read_barcodes(
            img, formats=formats, try_rotate=False, try_invert=False
        )
        ms = (time.perf_counter() - t) * 1000.0
        out.write(f"{ms:.4f} {json.dumps([b.text for b in found])}\n")
        out.flush()


if __name__ == "__main__":
    main()
