"""Write a local Sphinx inventory for the Ansible docsite labels that the collection's generated docs refer to.

antsibull-docs links module pages to pages of the Ansible docsite (``:ref:`action_plugins```, ``common_return_values``,
other collections' plugins). Sphinx resolves those through intersphinx, which would download the docsite's inventory;
this script writes one holding just the labels used, so the build stays offline and the links still point to the docsite.

    python docs_inventory.py RST_DIR OUT.inv

Exit status 1, naming them, when a label is neither defined in RST_DIR nor known here: add it to DOCSITE_LABELS.
"""

from __future__ import annotations

import pathlib
import re
import sys
import zlib

# The base URL that antsibull-docs' sphinx-init gives the Ansible docsite (intersphinx name ansible_devel).
DOCSITE_URL = "https://docs.ansible.com/projects/ansible/devel/"

# Labels of the Ansible docsite's own pages: label -> (page, title).
DOCSITE_LABELS: dict[str, tuple[str, str]] = {
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
}

# ansible_collections.<namespace>.<name>.<plugin>_<type>: a plugin page of another collection on the docsite.
_PLUGIN_LABEL = re.compile(r"^ansible_collections\.(?P<namespace>\w+)\.(?P<name>\w+)\.(?P<plugin>\w+)_(?P<type>[a-z]+)$")
_REFERENCE = re.compile(r":ref:`(?:[^`<]*<(?P<target>[^`>]+)>|(?P<bare>[^`<>]+))`")
_DEFINITION = re.compile(r"^\.\. _(?P<label>[^:]+):\s*$", re.MULTILINE)


def referenced_and_defined(rst_dir: pathlib.Path) -> tuple[set[str], set[str]]:
    referenced: set[str] = set()
    defined: set[str] = set()
    for path in rst_dir.rglob("*.rst"):
        text = path.read_text(encoding="utf-8")
        referenced.update((match.group("target") or match.group("bare")).strip().lower() for match in _REFERENCE.finditer(text))
        defined.update(match.group("label").strip().lower() for match in _DEFINITION.finditer(text))
    return referenced, defined


def docsite_entry(label: str) -> tuple[str, str] | None:
    """(URI relative to DOCSITE_URL, title) of an Ansible docsite label, or None when unknown."""
    anchor = re.sub(r"[^a-z0-9]+", "-", label).strip("-")
    if label in DOCSITE_LABELS:
        page, title = DOCSITE_LABELS[label]
        return f"{page}#{anchor}", title
    match = _PLUGIN_LABEL.match(label)
    if match:
        fields = match.groupdict()
        page = f"collections/{fields['namespace']}/{fields['name']}/{fields['plugin']}_{fields['type']}.html"
        return f"{page}#{anchor}", f"{fields['namespace']}.{fields['name']}.{fields['plugin']} {fields['type']}"
    return None


def inventory_bytes(entries: dict[str, tuple[str, str]]) -> bytes:
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    lines = "".join(f"{label} std:label -1 {uri} {title}\n" for label, (uri, title) in sorted(entries.items()))
    return header.encode("utf-8") + zlib.compress(lines.encode("utf-8"))


def main(rst_dir: str, out: str) -> int:
    referenced, defined = referenced_and_defined(pathlib.Path(rst_dir))
    external = sorted(referenced - defined)
    entries: dict[str, tuple[str, str]] = {}
    unknown: list[str] = []
    for label in external:
        entry = docsite_entry(label)
        if entry is None:
            unknown.append(label)
        else:
            entries[label] = entry
    if unknown:
        names = ", ".join(unknown)
        print(f"docs_inventory.py: labels neither in the docs nor known on the Ansible docsite: {names} (add them to DOCSITE_LABELS)", file=sys.stderr)
        return 1
    pathlib.Path(out).write_bytes(inventory_bytes(entries))
    print(f"{len(entries)} Ansible docsite labels in {out}: {', '.join(sorted(entries))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
