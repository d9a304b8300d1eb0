# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options of every ESA module, and how they resolve on the controller.

Options win over environment variables, ``ALIBABA_CLOUD_*`` over the older ``ALICLOUD_*``,
and with no key pair anywhere the Alibaba Cloud default credential chain applies.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import connection_argument_spec

# No env fallbacks here: the action plugin reads the controller's environment, never the target's.
# The spec lives in module_utils because modules document (and so must accept) the same options.
CONNECTION_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = connection_argument_spec()

DEFAULT_REGION = "cn-hangzhou"
DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_RETRIES = 8
MAX_RETRIES = 20

CREDENTIALS_FROM_OPTIONS = "options"
CREDENTIALS_FROM_ALIBABA_CLOUD_ENV = "ALIBABA_CLOUD_* environment"
CREDENTIALS_FROM_ALICLOUD_ENV = "ALICLOUD_* environment"
CREDENTIALS_FROM_DEFAULT_CHAIN = "default credential chain"

_REGION_PATTERN = re.compile(r"^[a-z0-9-]+$")
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PORT_PATTERN = re.compile(r"^[0-9]{1,5}$")


class ConnectionSettingsError(ValueError):
    """A connection option (or its environment fallback) is unusable; the message names it."""


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to build an ESA client; secrets stay out of ``repr`` so they never reach logs."""

    access_key_id: str | None
    access_key_secret: str | None = dataclasses.field(repr=False)
    security_token: str | None = dataclasses.field(repr=False)
    region: str
    endpoint_host: str
    protocol: t.Literal["https", "http"]
    timeout_seconds: int
    retries: int
    credential_source: str

    @property
    def uses_default_chain(self) -> bool:
        return self.access_key_id is None

    @property
    def endpoint_url(self) -> str:
        return f"{self.protocol}://{self.endpoint_host}"

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Values that must never appear in any message, result or log line."""
        return tuple(value for value in (self.access_key_secret, self.security_token) if value)


@dataclasses.dataclass(frozen=True)
class _CredentialSource:
    name: str
    id_name: str
    secret_name: str
    token_name: str


_OPTION_CREDENTIALS = _CredentialSource(CREDENTIALS_FROM_OPTIONS, "access_key_id", "access_key_secret", "security_token")
_ENVIRONMENT_CREDENTIALS = (
    _CredentialSource(
        CREDENTIALS_FROM_ALIBABA_CLOUD_ENV, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"
    ),
    _CredentialSource(CREDENTIALS_FROM_ALICLOUD_ENV, "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"),
)


def resolve_connection_settings(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> ConnectionSettings:
    """Turn module options plus the controller's environment into validated settings, or raise ConnectionSettingsError."""
    access_key_id, access_key_secret, security_token, credential_source = _resolve_credentials(params, environ)
    region = _resolve_region(params, environ)
    endpoint_host, protocol = _resolve_endpoint(params, environ, region)
    return ConnectionSettings(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        region=region,
        endpoint_host=endpoint_host,
        protocol=protocol,
        timeout_seconds=_resolve_int(params, "api_timeout", DEFAULT_TIMEOUT_SECONDS, minimum=1, maximum=None),
        retries=_resolve_int(params, "api_retries", DEFAULT_RETRIES, minimum=0, maximum=MAX_RETRIES),
        credential_source=credential_source,
    )


def _present(value: t.Any) -> str | None:
    # An empty string (e.g. an unset variable templated in) means "not given", not "empty key".
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _resolve_credentials(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> tuple[str | None, str | None, str | None, str]:
    sources: list[tuple[_CredentialSource, t.Mapping[str, t.Any]]] = [(_OPTION_CREDENTIALS, params)]
    sources.extend((source, environ) for source in _ENVIRONMENT_CREDENTIALS)
    for source, values in sources:
        key_id = _present(values.get(source.id_name))
        secret = _present(values.get(source.secret_name))
        token = _present(values.get(source.token_name))
        if key_id and secret:
            # The whole group comes from one source: a token never pairs with another source's keys.
            return key_id, secret, token, source.name
        if key_id or secret:
            given, missing = (source.id_name, source.secret_name) if key_id else (source.secret_name, source.id_name)
            raise ConnectionSettingsError(
                f"{given} is set but {missing} is not ({source.name}): set both {source.id_name} and {source.secret_name}, or neither."
            )
        if token:
            raise ConnectionSettingsError(
                f"{source.token_name} is set without {source.id_name} and {source.secret_name} ({source.name}):"
                f" an STS token only works with the key pair it was issued with; set all three, or unset {source.token_name}."
            )
    return None, None, None, CREDENTIALS_FROM_DEFAULT_CHAIN


def _resolve_region(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> str:
    candidates = (
        ("region", params.get("region")),
        ("ALIBABA_CLOUD_REGION_ID", environ.get("ALIBABA_CLOUD_REGION_ID")),
        ("ALICLOUD_REGION", environ.get("ALICLOUD_REGION")),
    )
    for name, value in candidates:
        region = _present(value)
        if region is None:
            continue
        if not _REGION_PATTERN.match(region):
            origin = "region" if name == "region" else f"region (from {name})"
            raise ConnectionSettingsError(f"{origin} {region!r} is not a region id: use lower-case letters, digits and '-', for example cn-hangzhou.")
        return region
    return DEFAULT_REGION


def _resolve_endpoint(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str], region: str) -> tuple[str, t.Literal["https", "http"]]:
    endpoint = _present(params.get("endpoint"))
    origin = "endpoint"
    if endpoint is None:
        endpoint = _present(environ.get("ALIBABA_CLOUD_ESA_ENDPOINT"))
        origin = "endpoint (from ALIBABA_CLOUD_ESA_ENDPOINT)"
    if endpoint is None:
        return f"esa.{region}.aliyuncs.com", "https"
    return parse_endpoint(endpoint, origin=origin)


def parse_endpoint(endpoint: str, *, origin: str = "endpoint") -> tuple[str, t.Literal["https", "http"]]:
    """Split ``[scheme://]host[:port][/]`` into the SDK's ``host[:port]`` and protocol; plain http only to loopback."""
    rest = endpoint.strip()
    protocol: t.Literal["https", "http"] = "https"
    explicit_http = False
    if "://" in rest:
        scheme, rest = rest.split("://", 1)
        if scheme.lower() == "http":
            protocol, explicit_http = "http", True
        elif scheme.lower() != "https":
            raise ConnectionSettingsError(
                f"{origin} {endpoint!r} uses scheme {scheme!r}: use host[:port], https://host[:port], or http:// for a loopback host."
            )
    if rest.endswith("/"):
        rest = rest[:-1]
    for mark, what in (("@", "user information"), ("/", "a path"), ("?", "a query"), ("#", "a fragment")):
        if mark in rest:
            raise ConnectionSettingsError(f"{origin} {endpoint!r} contains {what}: give only [http(s)://]host[:port].")
    host, port = _split_host_port(rest, endpoint, origin)
    if explicit_http and not _is_loopback(host):
        raise ConnectionSettingsError(
            f"{origin} {endpoint!r} asks for plain http to a non-loopback host, which would send signed requests unencrypted:"
            " use https, or http only with 127.0.0.1, ::1 or localhost."
        )
    shown_host = f"[{host}]" if ":" in host else host
    return (f"{shown_host}:{port}" if port is not None else shown_host), protocol


def _split_host_port(hostport: str, endpoint: str, origin: str) -> tuple[str, int | None]:
    port_text: str | None = None
    if hostport.startswith("["):
        closing = hostport.find("]")
        if closing < 0:
            raise ConnectionSettingsError(f"{origin} {endpoint!r} opens '[' without closing it: write IPv6 addresses as [address]:port.")
        host, after = hostport[1:closing], hostport[closing + 1:]
        if after:
            if not after.startswith(":"):
                raise ConnectionSettingsError(f"{origin} {endpoint!r} has text after ']': write IPv6 addresses as [address]:port.")
            port_text = after[1:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ConnectionSettingsError(f"{origin} {endpoint!r}: {host!r} between brackets is not an IPv6 address.") from None
    elif hostport.count(":") > 1:
        raise ConnectionSettingsError(f"{origin} {endpoint!r} looks like a bare IPv6 address: write it as [address] or [address]:port.")
    else:
        host, _sep, port_text = hostport.partition(":")
        if not _sep:
            port_text = None
        if not _is_hostname_or_ipv4(host):
            raise ConnectionSettingsError(f"{origin} {endpoint!r} does not name a valid host: give [http(s)://]host[:port].")
    port: int | None = None
    if port_text is not None:
        if not _PORT_PATTERN.match(port_text) or not 1 <= int(port_text) <= 65535:
            raise ConnectionSettingsError(f"{origin} {endpoint!r} has port {port_text!r}: a port is a number from 1 to 65535.")
        port = int(port_text)
    return host, port


def _is_hostname_or_ipv4(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    return all(_HOSTNAME_LABEL.match(label) for label in labels)


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _resolve_int(params: t.Mapping[str, t.Any], name: str, default: int, *, minimum: int, maximum: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if isinstance(raw, bool):
        raise ConnectionSettingsError(f"{name} must be a whole number, not {raw!r}.")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConnectionSettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
        raise ConnectionSettingsError(f"{name} is {value}: it must be {bounds}.")
    return value
