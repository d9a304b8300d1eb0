# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The settling rule of SPEC.md, as a pure function of what one example's two runs recorded.

Either the first run is refused before any ESA write with a one-line message (failed, msg without a
newline, no write call reached the emulator during it), or the second run with the same options
reports changed: false and does not fail.
"""

from __future__ import annotations

import typing as t

READ_ACTION_PREFIXES = ("Get", "List")


def write_calls(stats_before: dict[str, t.Any], stats_after: dict[str, t.Any]) -> dict[str, int]:
    """ESA calls that may write (anything but Get*/List*) that the emulator received in between, by action.

    Calls, not successful answers: a create that ESA refuses was still sent, so the options were not refused before it.
    """
    before, after = stats_before.get("calls", {}), stats_after.get("calls", {})
    moved = {action: count - before.get(action, 0) for action, count in after.items()}
    return {action: delta for action, delta in sorted(moved.items()) if delta and not action.startswith(READ_ACTION_PREFIXES)}


def one_line_message(result: dict[str, t.Any]) -> bool:
    message = result.get("msg")
    return isinstance(message, str) and bool(message.strip()) and "\n" not in message and "\r" not in message


def refused_cleanly(first: dict[str, t.Any], writes: dict[str, int]) -> bool:
    return bool(first.get("failed")) and one_line_message(first) and not writes


def settled(second: dict[str, t.Any]) -> bool:
    return not second.get("failed") and second.get("changed") is False


def verdict(recorded: dict[str, t.Any]) -> tuple[bool, str]:
    """(holds, why) for the results of one example: the settle playbook's JSON."""
    first, second = recorded["first"], recorded["second"]
    writes = write_calls(recorded["stats_before"], recorded["stats_after_first"])
    if refused_cleanly(first, writes):
        return True, "the first run was refused before any ESA write, with a one-line message"
    if settled(second):
        return True, "the second run reported changed: false"
    why = []
    if first.get("failed"):
        if writes:
            why.append(f"the first run failed after ESA write calls {writes}")
        if not one_line_message(first):
            why.append("the first run failed without a one-line message")
    if second.get("failed"):
        why.append("the second run failed")
    elif second.get("changed") is not False:
        why.append(f"the second run reported changed: {second.get('changed')!r} (reasons {second.get('reasons')})")
    return False, "; ".join(why)
