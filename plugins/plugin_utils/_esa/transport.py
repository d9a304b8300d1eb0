# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests sessions the SDK uses for ESA: which proxy a request may take, and adapters built once per run.

Proxies. darabonba-core (the SDK's HTTP layer) hands ``Session.send`` an explicit ``proxies`` dict built from the
RuntimeOptions or, when those are empty, from ``HTTP_PROXY``/``http_proxy`` and ``HTTPS_PROXY``/``https_proxy``. An
empty RuntimeOptions value cannot say "no proxy", ``noProxy`` only adds a ``no_proxy`` key that requests' adapters
ignore, and ``NO_PROXY`` is never read. So the decision is made here, in the session the SDK sends through:

- plain http (the endpoint parser allows it only to loopback addresses): never a proxy, so signed requests and
  private keys made by ESA never cross a proxy unencrypted (``trust_env`` off as well, for redirects);
- https: the proxy darabonba chose (a corporate proxy is legitimate), unless ``NO_PROXY`` names the host.

Cost. Building darabonba's adapter creates an SSL context that loads the system CA store and, for https, certifi's
bundle: about 0.07 s and 0.05 s of CPU, even for a plain http endpoint. Ansible runs each host's task in a new fork
of the main process, which imports the action plugins (and so this module) before forking. The adapters are made
once, at import, with the SDK's own ``get_adapter``, and each worker hands a session mounting them to the SDK's
session cache under the key the SDK would use; the adapters are the ones the SDK would build itself (certificate
verification included). If an SDK release names its sessions differently, the key does not match and the SDK
builds its own session; the unit tests pin the key format to the SDK in use, and that no proxy is used for http.
"""

from __future__ import annotations

import typing as t

try:
    from darabonba.core import DEFAULT_POOL_MAXSIZE, DaraCore
    from darabonba.request import DaraRequest
    from requests import Session
    from requests.adapters import HTTPAdapter
    from requests.utils import should_bypass_proxies
except ImportError:  # the SDK is missing: EsaClient reports it, nothing to prepare here
    DaraCore = None  # pylint: disable=invalid-name
    Session = object  # type: ignore[misc,assignment]  # pylint: disable=invalid-name

PROTOCOLS = ("https", "http")


class DirectSession(Session):
    """For plain http to a loopback endpoint: every request goes straight to the endpoint, never through a proxy."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # redirects would otherwise pick proxies from the environment again

    def send(self, request: t.Any, **kwargs: t.Any) -> t.Any:
        kwargs["proxies"] = {}
        return super().send(request, **kwargs)


class ProxyAwareSession(Session):
    """For https: the proxy the SDK chose, unless NO_PROXY (or the SDK's ``no_proxy``) names the host."""

    def send(self, request: t.Any, **kwargs: t.Any) -> t.Any:
        proxies = kwargs.get("proxies") or {}
        if proxies and should_bypass_proxies(request.url, no_proxy=proxies.get("no_proxy")):
            kwargs["proxies"] = {}
        return super().send(request, **kwargs)


SESSION_CLASSES: dict[str, type] = {"https": ProxyAwareSession, "http": DirectSession}


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
    """Give the SDK this endpoint's session (proxy rule above, prepared adapter); True when one was added or replaced."""
    if DaraCore is None or not isinstance(getattr(DaraCore, "_sessions", None), dict):
        return False
    session_class = SESSION_CLASSES[protocol]
    key = session_key(protocol, endpoint_host)
    sessions = DaraCore._sessions  # pylint: disable=protected-access
    if isinstance(sessions.get(key), session_class):
        return False
    adapter = _ADAPTERS.get(protocol)
    if adapter is None:
        if protocol != "http":
            return False  # the SDK builds (and verifies) its own https session, as it would without this module
        adapter = HTTPAdapter(pool_maxsize=DEFAULT_POOL_MAXSIZE)  # plain http needs no SSL context, only the proxy rule
    session = session_class()
    session.mount(f"{protocol}://", adapter)
    sessions[key] = session
    return True
