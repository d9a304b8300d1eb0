"""Open the fleet report in headless Chromium and check that it renders: the DOM Chromium built holds the expected
text, the timeline's SVG and no script element, and none of the --not-orphan ids under the certificates no host holds;
the screenshot is a real picture (not blank). Standard library only.

With --layout-width, the page's layout at that width is measured by a script in a copy of the page (the page itself
forbids scripts): no horizontal overflow of the page, no element of a revoke box wider than its container, every id
(code.id) on one line, zero tiles muted and findings standing out; the measurements are written to --layout-json, and
a screenshot of the page at that width to --layout-screenshot.

    python scripts/report_in_browser.py REPORT.html --screenshot OUT.png [--dom OUT.html] [--expect TEXT ...]
        [--not-orphan ID ...] [--layout-width 800 --layout-screenshot OUT.png --layout-json OUT.json]
        [--chromium /usr/bin/chromium] [--window 1280x1600]

Chromium runs with a fresh profile and without any background networking; the page is a local file whose
Content-Security-Policy forbids every load, so nothing leaves the machine. Prints one line per check, then
"browser checks: N passed, M failed"; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
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
LAYOUT_HEIGHT = 3000
MUTED = "rgb(158, 158, 158)"  # .card.zero's colour in html_page._STYLE
# Runs in the measuring copy only, after the page is laid out; writes what it measured into <pre id="layout-measurements">.
MEASURE_SCRIPT = """
(function () {
  const root = document.documentElement;
  const out = {viewport: root.clientWidth, page_scroll_width: root.scrollWidth, revoke: [], ids: [], tiles: [], tables: []};
  document.querySelectorAll('.revoke').forEach(function (box) {
    const container = box.parentElement;
    const style = getComputedStyle(container);
    const edge = container.getBoundingClientRect();
    const left = edge.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
    const right = edge.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
    const elements = [box].concat(Array.from(box.querySelectorAll('*')));
    const measured = elements.map(function (element) {
      const rect = element.getBoundingClientRect();
      return {tag: element.tagName.toLowerCase(), width: rect.width, over: Math.max(rect.right - right, left - rect.left)};
    });
    const pre = box.querySelector('pre');
    out.revoke.push({container_width: right - left, elements: measured,
                     scrolls: pre ? pre.scrollWidth > pre.clientWidth : false});
  });
  document.querySelectorAll('code.id').forEach(function (element) {
    if (!element.textContent) { return; }
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = new Set(Array.from(range.getClientRects()).map(function (rect) { return Math.round(rect.top); }));
    out.ids.push({text: element.textContent, lines: tops.size});
  });
  document.querySelectorAll('.card').forEach(function (element) {
    const style = getComputedStyle(element);
    out.tiles.push({id: element.id, classes: element.className, count: element.querySelector('b').textContent,
                    color: style.color, background: style.backgroundColor, border: style.borderTopColor});
  });
  document.querySelectorAll('.scroll').forEach(function (box) {
    out.tables.push({box_width: box.clientWidth, content_width: box.scrollWidth});
  });
  const pre = document.createElement('pre');
  pre.id = 'layout-measurements';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


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
    orphans = Dom(answer.stdout.split('<div id="orphans">', 1)[-1].split("<h2>", 1)[0]).text if '<div id="orphans">' in answer.stdout else ""
    for cert_id in args.not_orphan:
        checks.expect(cert_id not in orphans, f"{cert_id} is not under the certificates no host holds")


def measure_layout(checks: Checks, args: argparse.Namespace) -> None:
    """The page at --layout-width, measured by a script in a copy of it (the CSP of the page itself forbids scripts)."""
    with open(args.report, encoding="utf-8") as handle:
        page = handle.read()
    copy = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page, count=1)
    copy = copy.replace("</body>", f"<script>{MEASURE_SCRIPT}</script></body>", 1)
    directory = tempfile.mkdtemp(prefix="esa-report-layout-")
    try:
        measuring = os.path.join(directory, "measure.html")
        with open(measuring, "w", encoding="utf-8") as handle:
            handle.write(copy)
        answer = run_chromium(args.chromium, "file://" + measuring, "--dump-dom", f"--window-size={args.layout_width},{LAYOUT_HEIGHT}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    found = re.search(r'<pre id="layout-measurements">(.*?)</pre>', answer.stdout, re.S)
    if not checks.expect(found is not None, f"the layout at {args.layout_width} px was measured (exit {answer.returncode})"):
        print(answer.stderr[-2000:], file=sys.stderr)
        return
    measured = json.loads(html.unescape(found.group(1)))
    if args.layout_json:
        with open(args.layout_json, "w", encoding="utf-8") as handle:
            json.dump(measured, handle, indent=1)
    width = args.layout_width
    checks.expect(measured["viewport"] == width, f"the page was laid out {width} px wide ({measured['viewport']})")
    checks.expect(measured["page_scroll_width"] <= width, f"nothing overflows the page at {width} px (scroll width {measured['page_scroll_width']})")
    checks.expect(len(measured["revoke"]) > 0, f"the page has revoke boxes to measure ({len(measured['revoke'])})")
    for number, box in enumerate(measured["revoke"], 1):
        widest = max(box["elements"], key=lambda element: element["over"])
        checks.expect(
            widest["over"] <= 0.5,
            f"revoke box {number}: no element wider than its container ({widest['tag']} {widest['width']:.0f} px"
            f" in {box['container_width']:.0f} px, {widest['over']:.1f} px over; the task scrolls in its box: {box['scrolls']})",
        )
    wrapped = [entry["text"] for entry in measured["ids"] if entry["lines"] != 1]
    checks.expect(len(measured["ids"]) > 0, f"the page has ids to measure ({len(measured['ids'])})")
    checks.expect(not wrapped, f"every id is on one line ({len(measured['ids'])} measured; wrapped: {wrapped})")
    zero = [tile for tile in measured["tiles"] if tile["count"] == "0"]
    findings = [tile for tile in measured["tiles"] if "finding" in tile["classes"].split()]
    checks.expect(len(zero) > 0, f"some tiles count zero ({[tile['id'] for tile in zero]})")
    checks.expect(all(tile["color"] == MUTED for tile in zero), f"every zero tile is muted ({sorted({tile['color'] for tile in zero})})")
    checks.expect(len(findings) > 0, f"some tiles are findings ({[tile['id'] for tile in findings]})")
    checks.expect(all(tile["count"] != "0" for tile in findings), "every finding tile counts something")
    checks.expect(all(tile["color"] != MUTED for tile in findings), f"no finding tile is muted ({sorted({tile['color'] for tile in findings})})")
    quiet_borders = {tile["border"] for tile in zero}
    checks.expect(
        all(tile["border"] not in quiet_borders for tile in findings),
        f"every finding tile's border stands out from the zero tiles' ({sorted({(tile['id'], tile['border']) for tile in findings})})",
    )
    for number, table in enumerate(measured["tables"], 1):
        checks.expect(
            table["content_width"] <= table["box_width"],
            f"table {number} fits its box at {width} px ({table['content_width']} px of content in {table['box_width']} px)",
        )
    if args.layout_screenshot:
        check_screenshot(checks, args, "file://" + os.path.abspath(args.report), args.layout_screenshot, f"{width}x{LAYOUT_HEIGHT}")


def check_screenshot(checks: Checks, args: argparse.Namespace, url: str, screenshot: str, window: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(screenshot)), exist_ok=True)
    if os.path.exists(screenshot):
        os.remove(screenshot)
    width, height = window.split("x")
    answer = run_chromium(args.chromium, url, f"--screenshot={os.path.abspath(screenshot)}", f"--window-size={width},{height}")
    if not checks.expect(answer.returncode == 0 and os.path.isfile(screenshot), f"Chromium took a screenshot: {screenshot}"):
        print(answer.stderr[-2000:], file=sys.stderr)
        return
    shot_width, shot_height, rows = png_pixels(screenshot)
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
    parser.add_argument("--not-orphan", action="append", default=[], help="an id that must not be under the certificates no host holds")
    parser.add_argument("--layout-width", type=int, help="measure the layout at this width (px)")
    parser.add_argument("--layout-screenshot", help="a screenshot of the page at --layout-width")
    parser.add_argument("--layout-json", help="where to write the layout measurements")
    args = parser.parse_args(argv)
    url = "file://" + os.path.abspath(args.report)
    print(f"headless Chromium ({args.chromium}) on {url}")
    checks = Checks()
    check_dom(checks, args, url)
    check_screenshot(checks, args, url, args.screenshot, args.window)
    if args.layout_width:
        measure_layout(checks, args)
    failed = sum(1 for passed, _text in checks.results if not passed)
    print(f"browser checks: {len(checks.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
