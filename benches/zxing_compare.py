"""zxing-cpp's half of `cargo xtask bench-compare`.

Reads the manifest written by `benches/compare.rs`, times zxing-cpp on the very same luma
planes, and prints one table with both. zxing-cpp runs with QR Code + Code 128 (Hutong's
default formats), its default rotate/downscale search, and without inversion (Hutong's
default does not look for inverted codes either).
"""
import json
import statistics
import sys
import time

import numpy as np
import zxingcpp


def percentile(sorted_ms, p):
    i = round((len(sorted_ms) - 1) * p)
    return sorted_ms[min(i, len(sorted_ms) - 1)]


def main():
    manifest_path, iters = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
    with open(manifest_path) as f:
        cases = json.load(f)
    formats = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.Code128)
    header = f"{'case':<28} {'hutong med':>10} {'p95':>7} {'zxing-cpp med':>13} {'p95':>7} {'ratio':>6}  codes h/z"
    print(header)
    print("-" * len(header))
    for case in cases:
        img = np.fromfile(case["file"], dtype=np.uint8).reshape(case["height"], case["width"])
        read = lambda: zxingcpp.read_barcodes(img, formats=formats, try_invert=False)
        for _ in range(5):
            found = len(read())
        ms = []
        for _ in range(iters):
            t = time.perf_counter()
            read()
            ms.append((time.perf_counter() - t) * 1000.0)
        ms.sort()
        z_med, z_p95 = statistics.median(ms), percentile(ms, 0.95)
        h_med, h_p95 = case["hutong_median_ms"], case["hutong_p95_ms"]
        print(
            f"{case['case']:<28} {h_med:>10.2f} {h_p95:>7.2f} {z_med:>13.2f} {z_p95:>7.2f} "
            f"{h_med / z_med:>6.2f}  {case['hutong_codes']}/{found}"
        )


if __name__ == "__main__":
    main()
