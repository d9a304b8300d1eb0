# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options of every ESA module, and how they resolve on the controller.

Options win over environment variables, ``ALIBABA_CLOUD_*`` over the older ``ALICLOUD_*``,
and with no key pair anywhere the Alibaba Cloud default credential chain applies.
ESA's OpenAPI answers in two regions only (ESA_REGIONS); an explicit endpoint wins over region and endpoint type.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError

# The only regions with an ESA API endpoint (ESA endpoint page), and whose accounts each one serves.
ESA_REGIONS: dict[str, str] = {"cn-hangzhou": "China-site accounts", "ap-southeast-1": "international accounts"}
DEFAULT_REGION = "cn-hangzhou"
ENDPOINT_TYPES = ("public", "vpc")
DEFAULT_ENDPOINT_TYPE: t.Final = "public"
REGION_ENVIRONMENT = ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION")
ENDPOINT_ENVIRONMENT = "ALIBABA_CLOUD_ESA_ENDPOINT"
ENDPOINT_TYPE_ENVIRONMENT = "ALIBABA_CLOUD_ESA_ENDPOINT_TYPE"
DEFAULT_TIMEOUT_SECONDS = 30
DEFAULT_RETRIES = 8
MAX_RETRIES = 20


_REGION_PATTERN = re.compile(r"^[a-z0-9-]+$")
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_PORT_PATTERN = re.compile(r"^[0-9]{1,5}$")


class ConnectionSettingsError(CollectionError, ValueError):
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
    # None when an explicit endpoint names the address (then region and endpoint type did not choose it).
    endpoint_type: t.Literal["public", "vpc"] | None = "public"
    # One line each, for the action to show: what was resolved differently from what the environment said.
    warnings: tuple[str, ...] = ()

    @property
    def uses_default_chain(self) -> bool:
        return self.access_key_id is None

    @property
    def uses_explicit_endpoint(self) -> bool:
        return self.endpoint_type is None

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


# Where a key pair may come from, in order; the name appears in messages about an incomplete pair.
_OPTION_CREDENTIALS = _CredentialSource("options", "access_key_id", "access_key_secret", "security_token")
_ENVIRONMENT_CREDENTIALS = (
    _CredentialSource("ALIBABA_CLOUD_* environment", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"),
    _CredentialSource("ALICLOUD_* environment", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALICLOUD_SECURITY_TOKEN"),
)


def resolve_connection_settings(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> ConnectionSettings:
    """Turn module options plus the controller's environment into validated settings, or raise ConnectionSettingsError."""
    access_key_id, access_key_secret, security_token = _resolve_credentials(params, environ)
    warnings: list[str] = []
    explicit = _explicit_endpoint(params, environ)
    region, ignored_region_variables = _resolve_region(params, environ, explicit_endpoint=explicit is not None)
    endpoint_type = _resolve_endpoint_type(params, environ)
    if explicit is not None:
        endpoint_host, protocol, origin = explicit
        if _present(params.get("endpoint_type")) is not None:
            warnings.append(f"endpoint_type {endpoint_type} is ignored: {origin} names the address to call ({protocol}://{endpoint_host}).")
        chosen_type: t.Literal["public", "vpc"] | None = None
    else:
        endpoint_host, protocol, chosen_type = esa_endpoint_host(region, endpoint_type), "https", endpoint_type
        if ignored_region_variables:
            warnings.append(_ignored_region_warning(ignored_region_variables, f"https://{endpoint_host}"))
    return ConnectionSettings(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        security_token=security_token,
        region=region,
        endpoint_host=endpoint_host,
        protocol=protocol,
        timeout_seconds=_resolve_int(params, "api_timeout", DEFAULT_TIMEOUT_SECONDS, minimum=1, maximum=None),
        retries=_resolve_int(params, "api_retries", DEFAULT_RETRIES, minimum=0, maximum=MAX_RETRIES),
        endpoint_type=chosen_type,
        warnings=tuple(warnings),
    )


def esa_endpoint_host(region: str, endpoint_type: str) -> str:
    """ESA's API host for one of ESA_REGIONS: ``esa.<region>`` or, inside an Alibaba Cloud VPC, ``esa-vpc.<region>``."""
    prefix = "esa-vpc" if endpoint_type == "vpc" else "esa"
    return f"{prefix}.{region}.aliyuncs.com"


def _regions_sentence() -> str:
    return " and ".join(f"{region} ({accounts})" for region, accounts in ESA_REGIONS.items())


def _present(value: t.Any) -> str | None:
    # An empty string (e.g. an unset variable templated in) means "not given", not "empty key".
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _resolve_credentials(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """The key id, secret and token of the first source that has a key pair; all None for the default credential chain."""
    sources: list[tuple[_CredentialSource, t.Mapping[str, t.Any]]] = [(_OPTION_CREDENTIALS, params)]
    sources.extend((source, environ) for source in _ENVIRONMENT_CREDENTIALS)
    for source, values in sources:
        key_id = _present(values.get(source.id_name))
        secret = _present(values.get(source.secret_name))
        token = _present(values.get(source.token_name))
        if key_id and secret:
            # The whole group comes from one source: a token never pairs with another source's keys.
            return key_id, secret, token
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
    return None, None, None


def _resolve_region(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str], *, explicit_endpoint: bool) -> tuple[str, list[tuple[str, str]]]:
    """The region, and the generic region variables passed over because they name no ESA region."""
    region = _present(params.get("region"))
    if region is not None:
        if explicit_endpoint:
            # The endpoint names the address, so the region only has to be well formed.
            if not _REGION_PATTERN.match(region):
                raise ConnectionSettingsError(f"region {region!r} is not a region id: use lower-case letters, digits and '-', for example cn-hangzhou.")
            return region, []
        if region not in ESA_REGIONS:
            raise ConnectionSettingsError(
                f"region {region!r} has no ESA endpoint: ESA's API is only in {_regions_sentence()};"
                " set region to one of them, or set endpoint to the address to call."
            )
        return region, []
    # These variables serve every Alibaba Cloud service, so one naming another region says nothing about ESA.
    ignored: list[tuple[str, str]] = []
    for name in REGION_ENVIRONMENT:
        value = _present(environ.get(name))
        if value is None:
            continue
        if value in ESA_REGIONS:
            return value, []
        ignored.append((name, value))
    return DEFAULT_REGION, [] if explicit_endpoint else ignored


def _ignored_region_warning(ignored: list[tuple[str, str]], endpoint_url: str) -> str:
    named = " and ".join(f"{name}={value!r}" for name, value in ignored)
    verb = "is" if len(ignored) == 1 else "are"
    return (
        f"{named} {verb} not an ESA region, so ESA is called at {endpoint_url} ({DEFAULT_REGION}): ESA's API is only in {_regions_sentence()};"
        " set the region option (ap-southeast-1 for an international account) to choose, and to silence this warning."
    )


def _resolve_endpoint_type(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> t.Literal["public", "vpc"]:
    candidates = (("endpoint_type", params.get("endpoint_type")), (f"endpoint_type (from {ENDPOINT_TYPE_ENVIRONMENT})", environ.get(ENDPOINT_TYPE_ENVIRONMENT)))
    for origin, value in candidates:
        endpoint_type = _present(value)
        if endpoint_type is None:
            continue
        if endpoint_type == "public":
            return "public"
        if endpoint_type == "vpc":
            return "vpc"
        raise ConnectionSettingsError(f"{origin} is {endpoint_type!r}: use public, or vpc from inside an Alibaba Cloud VPC.")
    return DEFAULT_ENDPOINT_TYPE


def _explicit_endpoint(params: t.Mapping[str, t.Any], environ: t.Mapping[str, str]) -> tuple[str, t.Literal["https", "http"], str] | None:
    """``(host[:port], protocol, origin)`` from the endpoint option or its variable, or None when neither is set."""
    endpoint = _present(params.get("endpoint"))
    origin = "endpoint"
    if endpoint is None:
        endpoint = _present(environ.get(ENDPOINT_ENVIRONMENT))
        origin = f"endpoint (from {ENDPOINT_ENVIRONMENT})"
    if endpoint is None:
        return None
    return (*parse_endpoint(endpoint, origin=origin), origin)


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
        host, after = hostport[1:closing], hostport[closing + 1 :]
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
