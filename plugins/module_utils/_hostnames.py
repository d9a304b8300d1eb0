# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostnames that require client certificates from a CA: their spelling, ESA's limit of 50, and the change a task makes.

Pure functions, no I/O: which hostnames belong to a site only ESA knows, so that check is ESA's.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

MAX_HOSTNAMES = 50

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
# At least two labels (a site's hostnames live under its domain), optionally one leading wildcard label.
_HOSTNAME = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})+$")


def normalize_hostname(value: t.Any) -> str:
    """ESA's spelling of a hostname: lower case, no trailing dot, IDNs as punycode; ValueError when it is not one."""
    text = str(value).strip().rstrip(".").lower()
    if not text.isascii():
        try:
            text = ".".join(label if label == "*" else label.encode("idna").decode("ascii") for label in text.split("."))
        except UnicodeError:
            raise ValueError(f"{value!r} is not a hostname") from None
    if len(text) > 253 or not _HOSTNAME.match(text):
        raise ValueError(f"{value!r} is not a hostname")
    return text


def normalize_hostnames(values: t.Iterable[t.Any], *, option: str = "hostnames") -> tuple[list[str], list[str]]:
    """(each hostname once, in the order given; one message per name that is not a hostname, naming ``option``)."""
    names: list[str] = []
    errors: list[str] = []
    for value in values:
        try:
            name = normalize_hostname(value)
        except ValueError as exc:
            errors.append(f"{option}: {exc}")
            continue
        if name not in names:
            names.append(name)
    return names, errors


def too_many_hostnames(count: int, *, option: str = "hostnames", detail: str = "") -> str | None:
    """The message when ``count`` hostnames exceed ESA's limit per CA, else None."""
    if count <= MAX_HOSTNAMES:
        return None
    return f"{option}: ESA binds at most {MAX_HOSTNAMES} hostnames to a CA, this would bind {count}{detail}"


def esa_spelling(values: t.Iterable[t.Any] | None) -> list[str]:
    """Hostnames as ESA answered them, compared the way ESA compares them; never fails on ESA's own answer."""
    return sorted({str(value).strip().rstrip(".").lower() for value in values or [] if str(value).strip()})


@dataclasses.dataclass(frozen=True)
class HostnamePlan:
    """The set of hostnames bound to a CA before and after the task, each sorted; order never counts as a change."""

    before: list[str]
    after: list[str]

    @property
    def changed(self) -> bool:
        return set(self.before) != set(self.after)

    @property
    def added(self) -> list[str]:
        return sorted(set(self.after) - set(self.before))

    @property
    def removed(self) -> list[str]:
        return sorted(set(self.before) - set(self.after))


def plan_hostnames(current: t.Iterable[t.Any] | None, requested: t.Iterable[str] | None, *, state: str = "present", append: bool = False) -> HostnamePlan:
    """What the bound set becomes.

    ``present`` makes it exactly ``requested`` (with ``append``, adds them to what is bound); ``absent`` removes
    ``requested`` from it, or clears it when ``requested`` is None.
    """
    before = esa_spelling(current)
    wanted = set(requested or [])
    if state == "absent":
        after = sorted(set(before) - wanted) if requested is not None else []
    elif append:
        after = sorted(set(before) | wanted)
    else:
        after = sorted(wanted)
    return HostnamePlan(before=before, after=after)


def offending_hostnames(requested: t.Sequence[str], service_message: str | None, site_name: str | None) -> list[str]:
    """Which of ``requested`` made ESA answer InvalidParameter.

    The names ESA's message mentions, if any; otherwise those outside the site's domain (a site's hostnames
    are its name and names under it); otherwise none can be singled out.
    """
    message = (service_message or "").lower()
    site = (site_name or "").strip().rstrip(".").lower()
    # The site's own name may appear in the message as the site's, not as an offender.
    mentioned = [name for name in requested if name != site and re.search(rf"(?<![a-z0-9.*-]){re.escape(name)}(?![a-z0-9-]|\.[a-z0-9])", message)]
    if mentioned:
        return mentioned
    if not site:
        return []
    return [name for name in requested if name != site and not name.endswith("." + site)]
