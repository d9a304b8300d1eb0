# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``exception`` text of a task that failed on an ESA call, for -vvv (as amazon.aws's fail_json_aws gives one).

Every exception of the chain (ours, the SDK's, the network's) with ESA's code, HTTP status and request id, and where it was
raised; never a secret or a private key. No Python traceback header: a failed ESA call is an expected failure.
"""

from __future__ import annotations

import traceback
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import sdk_error_code, sdk_request_id, sdk_status_code
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.redaction import quote, redact
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import exception_chain

# ansible shows a result's exception from -vvv on, where Display.vvv starts.
REPORT_VERBOSITY = 3
# One exception's text (an SDK error repeats ESA's whole answer) is cut here, after its secrets are removed.
_MAX_TEXT = 1000


def failure_report(error: BaseException, secrets: t.Iterable[str | None] = ()) -> str:
    """Lines naming each exception behind ``error``, outermost first, with ``secrets`` and private keys removed."""
    secrets = tuple(secrets)
    lines: list[str] = []
    for depth, item in enumerate(exception_chain(error)):
        lines.append(f"{'caused by ' if depth else ''}{_class_name(item)}: {quote(str(item), secrets, limit=_MAX_TEXT)}")
        answer = _answer_facts(item)
        if answer:
            lines.append(f"  {answer}")
        lines.extend(f"  at {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(item.__traceback__))
    return redact("\n".join(lines), secrets)


def _class_name(item: BaseException) -> str:
    kind = type(item)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _answer_facts(item: BaseException) -> str:
    facts = {
        "code": sdk_error_code(item),
        "HTTP status": sdk_status_code(item),
        "request id": sdk_request_id(item),
        "action": getattr(item, "action", None),
        "transport": getattr(item, "transport_kind", None),
    }
    return ", ".join(f"{name} {value}" for name, value in facts.items() if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "")
