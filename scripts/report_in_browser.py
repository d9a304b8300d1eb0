"""Open the fleet report in headless Chromium and check that it renders: the DOM Chromium built holds the expected
text, the timeline's SVG and no script element; the screenshot is a real picture (not blank). Standard library only.

    python scripts/report_in_browser.py REPORT.html --screenshot OUT.png [--dom OUT.html] [--expect TEXT ...]
        [--chromium /usr/bin/chromium] [--window 1280x1600]

Chromium runs with a fresh profile and without any background networking; the page is a local file whose
Content-Security-Policy forbids every load, so nothing leaves the machine. Prints one line per check, then
"browser checks: N passed, M failed"; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # root, in a container-like sandbox of its own
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without it, Chromium reaches for Google's hosts at every start
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
TIMEOUT_SECONDS = 90


class Dom(html.parser.HTMLParser):
    """The elements and the text of the DOM that Chromium serialised (--dump-dom)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: dict[str, int] = {}
        self.chunks: list[str] = []
        self.feed(text)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements[tag] = self.elements.get(tag, 0) + 1

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def run_chromium(chromium: str, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tempfile.mkdtemp(prefix="esa-report-chromium-")
    try:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def png_pixels(path: str) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    offset, chunks, header = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unexpected PNG format (depth {depth}, colour type {colour}, interlace {interlace})")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for number in range(height):
        start = number * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            corner = previous[index - channels] if index >= channels else 0
            if kind == 1:
                line[index] = (line[index] + left) & 0xFF
            elif kind == 2:
                line[index] = (line[index] + up) & 0xFF
            elif kind == 3:
                line[index] = (line[index] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
                predictor = (left, up, corner)[distances.index(min(distances))]
                line[index] = (line[index] + predictor) & 0xFF
        rows.append(b"".join(bytes(line[i : i + 3]) for i in range(0, stride, channels)))
        previous = line
    return width, height, rows


class Checks:
    def __init__(self) -> None:
        self.results: list[tuple[bool, str]] = []

    def expect(self, condition: bool, text: str) -> bool:
        self.results.append((bool(condition), text))
        print(f"  {'PASS' if condition else 'FAIL'}  {text}")
        return bool(condition)


def check_dom(checks: Checks, args: argparse.Namespace, url: str) -> None:
    answer = run_chromium(args.chromium, url, "--dump-dom")
    if not checks.expect(answer.returncode == 0 and "<html" in answer.stdout, f"Chromium built the page's DOM (exit {answer.returncode})"):
        print(answer.stderr[-2000:], file=sys.stderr)
        return
    if args.dom:
        os.makedirs(os.path.dirname(os.path.abspath(args.dom)), exist_ok=True)
        with open(args.dom, "w", encoding="utf-8") as handle:
            handle.write(answer.stdout)
    dom = Dom(answer.stdout)
    checks.expect(dom.elements.get("script", 0) == 0, f"no script element in the DOM ({dom.elements.get('script', 0)} found)")
    bars = answer.stdout.count('class="bar-')
    checks.expect(dom.elements.get("svg", 0) == 1 and bars > 0, f"the expiry timeline is an inline SVG with {bars} bar segment(s)")
    for text in args.expect:
        checks.expect(text in dom.text, f"the page shows {text!r}")


def check_screenshot(checks: Checks, args: argparse.Namespace, url: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
    if os.path.exists(args.screenshot):
        os.remove(args.screenshot)
    width, height = args.window.split("x")
    answer = run_chromium(args.chromium, url, f"--screenshot={os.path.abspath(args.screenshot)}", f"--window-size={width},{height}")
    if not checks.expect(answer.returncode == 0 and os.path.isfile(args.screenshot), f"Chromium took a screenshot: {args.screenshot}"):
        print(answer.stderr[-2000:], file=sys.stderr)
        return
    shot_width, shot_height, rows = png_pixels(args.screenshot)
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)]  # every 4th pixel of every 4th row
    colours = len(set(pixels))
    inked = sum(1 for pixel in pixels if pixel != b"\xff\xff\xff") / max(len(pixels), 1)
    checks.expect(
        (shot_width, shot_height) == (int(width), int(height)) and colours >= 8 and inked >= 0.02,
        f"the screenshot is a rendered page: {shot_width}x{shot_height}, {colours} colours sampled, {inked:.0%} of it not white",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--dom")
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    parser.add_argument("--window", default="1280x1600")
    args = parser.parse_args(argv)
    url = "file://" + os.path.abspath(args.report)
    print(f"headless Chromium ({args.chromium}) on {url}")
    checks = Checks()
    check_dom(checks, args, url)
    check_screenshot(checks, args, url)
    failed = sum(1 for passed, _text in checks.results if not passed)
    print(f"browser checks: {len(checks.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
