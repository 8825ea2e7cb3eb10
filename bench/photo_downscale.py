"""How long the server spends on one phone photo when an activity is filed.

Prints the median time of `attachment_prepare` (content check, EXIF
rotation, downscale to ACTIVITY_IMAGE_MAX_SIDE, JPEG re-encode) on a
12-megapixel JPEG, next to a baseline measured in the same run: decoding
the same photo with Pillow and nothing else.

    python bench/photo_downscale.py [--runs 15]
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from activities.services import attachment_prepare  # noqa: E402


def make_photo() -> bytes:
    # Noise compresses like a real photo; a flat colour would flatter the figure.
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data = make_photo()

    def baseline():
        with Image.open(io.BytesIO(data)) as image:
            image.load()

    def prepare():
        attachment_prepare(upload=SimpleUploadedFile("p.jpg", data))

    base = median_ms(baseline, args.runs)
    ours = median_ms(prepare, args.runs)
    out = attachment_prepare(upload=SimpleUploadedFile("p.jpg", data))
    print(f"photo 4000x3000, {len(data) / 1e6:.1f} MB in, {len(out.content) / 1e6:.2f} MB stored")
    print(f"baseline decode only : {base:8.1f} ms (median of {args.runs})")
    print(f"attachment_prepare   : {ours:8.1f} ms (median of {args.runs})  ratio {ours / base:.2f}x")


if __name__ == "__main__":
    main()
