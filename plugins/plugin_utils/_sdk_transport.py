# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SDK's HTTP adapters, built once in the controller's main process and shared by every forked worker.

darabonba-core (the SDK's HTTP layer) keeps one requests session per endpoint and process; building its
adapter creates an SSL context that loads the system CA store and, for https, certifi's bundle: about 0.07 s
and 0.05 s of CPU, even for a plain http endpoint. Ansible runs each host's task in a new fork of the main
process, which imports the action plugins (and so this module) before forking, so every host paid that cost
again for a single ESA read. Here the adapters are made once, at import, with the SDK's own ``get_adapter``,
and each worker hands a session mounting them to the SDK's session cache under the key the SDK would use.

Only the cost moves: the adapters and sessions are the ones the SDK would build itself (certificate
verification included). If an SDK release names or builds its sessions differently, the key simply does not
match and the SDK builds its own session, as before; the unit tests pin the key format to the pinned SDK.
"""

from __future__ import annotations

import typing as t

try:
    from darabonba.core import DEFAULT_POOL_MAXSIZE, DaraCore
    from darabonba.request import DaraRequest
    from requests import Session
except ImportError:  # the SDK is missing: EsaClient reports it, nothing to prepare here
    DaraCore = None  # pylint: disable=invalid-name

PROTOCOLS = ("https", "http")


def _build_adapters() -> dict[str, t.Any]:
    if DaraCore is None or not isinstance(getattr(DaraCore, "_sessions", None), dict):
        return {}
    try:
        return {protocol: DaraCore.get_adapter(protocol) for protocol in PROTOCOLS}
    except (OSError, ValueError):  # an unreadable CA store: let the SDK try (and report) it on the first call
        return {}


_ADAPTERS = _build_adapters()


def session_key(protocol: str, endpoint_host: str) -> str:
    """The key under which darabonba-core caches the session for requests to ``endpoint_host``.

    darabonba builds it from the request's ``host`` header (the endpoint, port included), the request's
    ``port`` attribute (which the ESA client leaves at its default) and the pool size (its default, since
    the collection sets no maxIdleConns).
    """
    return f"{protocol}://{endpoint_host.rstrip('/')}:{DaraRequest().port}:pool={DEFAULT_POOL_MAXSIZE}"


def share_prepared_session(protocol: str, endpoint_host: str) -> bool:
    """Give the SDK a session for this endpoint that mounts the prepared adapter; True when one was added."""
    adapter = _ADAPTERS.get(protocol)
    if adapter is None:
        return False
    key = session_key(protocol, endpoint_host)
    sessions = DaraCore._sessions  # pylint: disable=protected-access
    if key in sessions:
        return False
    session = Session()
    session.mount(f"{protocol}://", adapter)
    sessions[key] = session
    return True
