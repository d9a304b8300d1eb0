"""Check the built docsite as a reader gets it: every page exists, and a module page rendered in Chromium shows its options
table, examples and return values. Prints one PASS or FAIL line per check; exits 1 when any failed.

    python check_docsite.py --html DIR --collection DIR --module NAME --dom DOM.html --docs-json DOC.json

--html: Sphinx's output (scripts/build-docs.sh); --collection: the collection the docs were built from (its modules,
roles, extra docs and error codes are what must be there); --dom: the module page's DOM as Chromium built it
(scripts/chromium_check.sh dom); --docs-json: `ansible-doc --json` of that module, the source of truth for its options.
"""

from __future__ import annotations

import argparse
import ast
import html.parser
import json
import pathlib
import re
import sys
import typing as t
from dataclasses import dataclass, field

import yaml

ERRORS_MODULE = "plugins/plugin_utils/_esa/errors.py"  # the codes (constants)
MESSAGES_MODULE = "plugins/plugin_utils/_esa/messages.py"  # the catalogue (_MESSAGES)
TROUBLESHOOTING_PAGE = "docsite/guide_troubleshooting.html"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all_text(self) -> str:
        return "".join(self.text)


class Dom(html.parser.HTMLParser):
    """Every element with its attributes and the text inside it (its own and its descendants')."""

    VOID: t.ClassVar[set[str]] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)

    def by_id(self, element_id: str) -> Element | None:
        return next((element for element in self.elements if element.attrs.get("id") == element_id), None)

    def with_class(self, name: str) -> list[Element]:
        return [element for element in self.elements if name in element.classes]


class Report:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, why: str = "") -> None:
        print(f"PASS  {what}" if ok else f"FAIL  {what}{': ' + why if why else ''}")
        self.failed += 0 if ok else 1


def anchor(module: str, kind: str, name: str) -> str:
    """The id antsibull-docs gives an option or return value of a module: ansible-collections-<ns>-<name>-<module>-module-<kind>-<name>."""
    return re.sub(r"[^a-z0-9]+", "-", f"ansible_collections.alibabacloud.esa.{module}_module-{kind}-{name}".lower())


def collection_modules(collection: pathlib.Path) -> list[str]:
    return sorted(path.stem for path in (collection / "plugins" / "modules").glob("*.py") if not path.stem.startswith("_"))


def collection_roles(collection: pathlib.Path) -> list[str]:
    roles = collection / "roles"
    return sorted(path.parent.parent.name for path in roles.glob("*/meta/argument_specs.y*ml")) if roles.is_dir() else []


def extra_docs(collection: pathlib.Path) -> list[str]:
    path = collection / "docs" / "docsite" / "extra-docs.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return [entry for section in (data or {}).get("sections", []) for entry in section.get("toctree", [])]


def documented_error_codes(collection: pathlib.Path) -> list[str]:
    """The keys of _MESSAGES in _esa/messages.py: every ESA code the collection words a message for."""
    constants = {}
    for module in (ERRORS_MODULE, MESSAGES_MODULE):
        tree = ast.parse((collection / module).read_text(encoding="utf-8"))
        constants.update(
            {
                node.targets[0].id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant)
            }
        )
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "_MESSAGES" and isinstance(node.value, ast.Dict):
            keys = node.value.keys
            return sorted(key.value if isinstance(key, ast.Constant) else constants[key.id] for key in keys if key is not None)
    raise SystemExit(f"check_docsite.py: no _MESSAGES dict in {MESSAGES_MODULE}")


def first_example_line(examples: str) -> str:
    """The first task name of EXAMPLES, as a reader would look for it."""
    for line in examples.splitlines():
        match = re.match(r"^\s*-\s+name:\s*(?P<name>.+?)\s*$", line)
        if match:
            return match.group("name").strip("'\"")
    raise SystemExit("check_docsite.py: the module's EXAMPLES have no task name")


def check_pages(report: Report, html_dir: pathlib.Path, collection: pathlib.Path) -> None:
    index = (html_dir / "index.html").read_text(encoding="utf-8") if (html_dir / "index.html").is_file() else ""
    pages = (
        [(f"module {name}", f"{name}_module.html") for name in collection_modules(collection)]
        + [(f"role {name}", f"{name}_role.html") for name in collection_roles(collection)]
        + [(f"guide {name}", f"docsite/{name}.html") for name in extra_docs(collection)]
    )
    missing = [label for label, page in pages if not (html_dir / page).is_file()]
    unlinked = [label for label, page in pages if f'href="{page}' not in index]
    report.check(
        bool(pages) and not missing and not unlinked,
        f"docsite pages: {len(pages)} ({', '.join(pair[0] for pair in pages)}), each linked from index.html",
        f"missing {missing}, not linked from index.html {unlinked}",
    )


def check_module_dom(report: Report, dom: Dom, module: str, doc: dict) -> None:
    title = next((element.all_text() for element in dom.elements if element.tag == "title"), "")
    report.check(f"alibabacloud.esa.{module}" in title, f"Chromium loaded the page of alibabacloud.esa.{module}", f"title is {title!r}")

    options = sorted(doc["doc"].get("options", {}))
    missing = []
    for option in options:
        element = dom.by_id(anchor(module, "parameter", option))
        if element is None or "ansible-option-title" not in element.classes or element.all_text().strip() != option:
            missing.append(option)
    tables = [element for element in dom.elements if element.tag == "table" and "ansible-option-table" in element.classes]
    report.check(
        bool(options) and not missing and bool(tables),
        f"options table: {len(options)} options of ansible-doc, each a titled row ({', '.join(options[:4])}, ...)",
        f"no option table ({len(tables)})" if not tables else f"not rendered: {', '.join(missing)}",
    )

    example = first_example_line(doc.get("examples") or "")
    section = dom.by_id("examples")
    blocks = [element for element in dom.with_class("highlight") if element.tag == "div"]
    rendered = section is not None and example in section.all_text() and any(example in block.all_text() for block in blocks)
    report.check(rendered, f"examples: a highlighted code block shows {example!r}", "not found in the Examples section's code blocks")

    returns = sorted(doc.get("return") or {})
    missing_returns = [name for name in returns if dom.by_id(anchor(module, "return", name)) is None]
    report.check(not missing_returns, f"return values: {len(returns)} of ansible-doc, each rendered", f"not rendered: {', '.join(missing_returns)}")

    problems = [element.all_text().strip()[:120] for element in dom.elements if element.classes & {"system-message", "problematic"}]
    report.check(not problems, "no docutils error or problematic markup on the page", "; ".join(problems[:3]))


def check_error_codes(report: Report, html_dir: pathlib.Path, collection: pathlib.Path) -> None:
    page = html_dir / TROUBLESHOOTING_PAGE
    text = ""
    if page.is_file():
        dom = Dom(page.read_text(encoding="utf-8"))
        text = " ".join(element.all_text() for element in dom.elements if element.tag == "code")
    codes = documented_error_codes(collection)
    missing = [code for code in codes if not re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
    report.check(
        page.is_file() and not missing,
        f"troubleshooting guide names all {len(codes)} ESA codes of {MESSAGES_MODULE}",
        f"missing: {', '.join(missing)}" if page.is_file() else f"no {TROUBLESHOOTING_PAGE}",
    )


def check_sidebar(report: Report, dom: Dom) -> None:
    """The navigation sidebar as Chromium laid it out: the probe marked each link whose text overflows its box."""
    body = next((element for element in dom.elements if element.tag == "body"), None)
    probed = body is not None and body.attrs.get("data-probed") == "yes"
    links = [element for element in dom.elements if element.tag == "a" and element.attrs.get("data-clipped") == "yes"]
    report.check(
        probed and not links,
        "sidebar: every link's text fits its box (long module names wrap, none is clipped)",
        "the probe did not run" if not probed else "clipped: " + "; ".join(element.all_text().strip()[:60] for element in links[:3]),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=pathlib.Path, required=True)
    parser.add_argument("--collection", type=pathlib.Path, required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--dom", type=pathlib.Path, required=True)
    parser.add_argument("--docs-json", type=pathlib.Path, required=True)
    parser.add_argument("--sidebar-dom", type=pathlib.Path, required=True)
    args = parser.parse_args()

    report = Report()
    check_pages(report, args.html, args.collection)
    doc = json.loads(args.docs_json.read_text(encoding="utf-8"))[f"alibabacloud.esa.{args.module}"]
    check_module_dom(report, Dom(args.dom.read_text(encoding="utf-8", errors="replace")), args.module, doc)
    check_error_codes(report, args.html, args.collection)
    check_sidebar(report, Dom(args.sidebar_dom.read_text(encoding="utf-8", errors="replace")))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
