# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The message catalogue: every ESA failure as one line that names the cause and the option to fix."""

from __future__ import annotations

import re
import typing as t
import urllib.parse

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.classification import (
    is_quota_exceeded_code,
    is_throttling_answer,
    is_unparseable_answer,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import (
    CERTIFICATE_NOT_FOUND,
    CERTIFICATE_STATUS_ERROR,
    INTERNAL_EXCEPTION,
    INVALID_PARAMETER,
    MAX_CLIENT_CAS_PER_PLAN,
    PLAN_LACKS_FEATURE,
    SERVICE_UNAVAILABLE,
    SIGNATURE_NONCE_USED,
    EsaApiError,
    _clean,
    sdk_error_code,
    sdk_request_id,
    sdk_status_code,
)
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.redaction import quote
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import ESA_REGIONS, esa_endpoint_host
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport_failure import (
    CONNECT_FAILED,
    CONNECT_TIMEOUT,
    CONNECTION_DROPPED,
    DNS,
    READ_TIMEOUT,
    REFUSED,
    TLS,
    TLS_PLAIN_HTTP,
    TLS_VERIFY,
    UNREACHABLE,
    TransportFailure,
    classify_transport_failure,
    exception_chain,
    is_credential_failure,
)

# ESA's two public OpenAPI endpoints (plus esa-vpc. variants): the region decides which accounts' sites they serve.
_ESA_HOST = re.compile(r"^(?P<prefix>esa(?:-vpc)?)\.(?P<region>[a-z0-9-]+)\.aliyuncs\.com$")

# Access key ids start with these (long-term keys, STS); anything else may be a secret typed into access_key_id.
_ACCESS_KEY_ID_PREFIXES = ("LTAI", "STS.")

# The SDK formats ``message`` as "code: <status>, <ESA's Message> request id: <id>".
_SDK_MESSAGE = re.compile(r"^code: \d+, (?P<message>.*) request id: \S*$", re.DOTALL)

_CREDENTIAL_HELP = (
    "set access_key_id and access_key_secret, or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    " (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY) on the controller, or configure the default credential chain"
)

# Which options feed each action's parameters, for InvalidParameter.
_PARAMETERS_BY_ACTION = {
    "CreateClientCertificate": "site_id, the CSR (csr_path or csr_content), pkey_type and validity_days",
    "ListClientCertificates": "site_id",
}

# Every code ESA documents for the client-certificate actions, plus the API gateway's own codes (Alibaba Cloud's common error table).
_SITE_UNKNOWN = (
    "{Site} is not a site of this account at {endpoint} ({code}): check site_id, and that the credentials belong to the account that "
    "owns the site; {other_endpoint}."
)

_MESSAGES: dict[str, str] = {
    "InvalidParameter.SiteId": _SITE_UNKNOWN,
    "SiteNotFound": _SITE_UNKNOWN,
    "MissingSiteId": "{action} reached ESA without a SiteId (MissingSiteId): set site_id.",
    INVALID_PARAMETER: "ESA rejected a parameter of {action} (InvalidParameter: {service_message}): check {parameters}.",
    INTERNAL_EXCEPTION: "ESA failed internally while handling {action} for {site} (InternalException: {service_message}): try again later.",
    PLAN_LACKS_FEATURE: "The ESA plan of {site} does not include client certificates (QuotaCheckFailed.Function): upgrade the site's plan, or "
    "use another site_id.",
    CERTIFICATE_STATUS_ERROR: "The status of {certificate} on {site} does not allow {action} (Certificate.StatusError: {service_message}): check its "
    "status (already revoked or already active?) with alibabacloud.esa.esa_client_certificate_info.",
    "Id.MissingParameter": "{action} reached ESA without a certificate Id (Id.MissingParameter): set id.",
    CERTIFICATE_NOT_FOUND: "{Site} has no client certificate {cert_id} (Certificate.NotFound): check id and site_id.",
    "Unauthorized.InvalidTime": "ESA rejected the request time of {action} (Unauthorized.InvalidTime): check the controller's clock (NTP); requests are "
    "signed with the controller's time.",
    "Unauthorized.InvalidToken": "ESA could not authenticate {action} (Unauthorized.InvalidToken): check access_key_id, access_key_secret and "
    "security_token (STS tokens expire).",
    SERVICE_UNAVAILABLE: "ESA was unavailable for {action} (ServiceUnavailable: {service_message}): try again later, or raise api_retries.",
    "InvalidTimeStamp.Expired": "ESA's gateway refused {action} because the time it was signed with is too far from ESA's (InvalidTimeStamp.Expired): "
    "set the controller's clock right (NTP); requests are signed with the controller's time.",
    "InvalidAccessKeyId.NotFound": "ESA does not know {key_id}, used for {action} (InvalidAccessKeyId.NotFound): check access_key_id; the key may have "
    "been deleted.",
    "InvalidAccessKeyId.Inactive": "{Key_id}, used for {action}, is disabled (InvalidAccessKeyId.Inactive): check access_key_id, or enable the key in RAM.",
    "SignatureDoesNotMatch": "ESA could not verify the signature of {action} (SignatureDoesNotMatch): access_key_secret is not the secret of {key_id}; "
    "set access_key_id and access_key_secret from the same AccessKey pair.",
    "IncompleteSignature": "ESA's gateway found the signature of {action} incomplete (IncompleteSignature: {service_message}): check access_key_id and "
    "access_key_secret for stray spaces or line breaks, and that no proxy between the controller and {endpoint} rewrites requests.",
    SIGNATURE_NONCE_USED: "ESA's gateway had already seen the signature nonce of {action} (SignatureNonceUsed): every attempt is signed with a new "
    "nonce, so something between the controller and {endpoint} (a proxy?) replays requests; check it, or try again.",
    "InvalidApi.NotFound": "{Endpoint} does not know the action {action} (InvalidApi.NotFound): check endpoint (ESA answers at esa.cn-hangzhou.aliyuncs.com "
    "and esa.ap-southeast-1.aliyuncs.com), or upgrade alibabacloud-esa20240910 on the controller.",
    "InvalidSecurityToken.Expired": "The STS token used for {action} has expired (InvalidSecurityToken.Expired): renew security_token.",
    "InvalidSecurityToken.MismatchWithAccessKey": "The STS token does not belong to the access key (InvalidSecurityToken.MismatchWithAccessKey): "
    "set access_key_id, access_key_secret and security_token from the same STS answer.",
    "Forbidden.RAM": "The credentials may not call esa:{action} on {site} (Forbidden.RAM: {service_message}): grant that action in RAM, or use other "
    "credentials.",
    "NoPermission": "The credentials may not call esa:{action} on {site} (NoPermission: {service_message}): grant that action in RAM, or use other "
    "credentials.",
    "InvalidCredentials": "No Alibaba Cloud credentials were found on the controller for {action} (InvalidCredentials): " + _CREDENTIAL_HELP + ".",
}

_THROTTLED = "ESA kept throttling {action} ({code}: {service_message}): run fewer hosts at once (forks, throttle) or raise api_retries."

_CLIENT_CA_QUOTA = (
    "The plan of {site} already holds as many client CA certificates as it allows ({code}: {service_message}): ESA allows at most "
    f"{MAX_CLIENT_CAS_PER_PLAN} client CA certificates per plan; delete one with alibabacloud.esa.esa_client_ca_certificate state=absent, then upload again."
)

_TRANSPORT_MESSAGES: dict[str, str] = {
    DNS: "Could not resolve the host of {endpoint} ({detail}): check endpoint and region, and the controller's DNS.",
    REFUSED: "{Endpoint} refused the connection for {action} ({detail}): check endpoint and region, and that the service listens there.",
    UNREACHABLE: "{Endpoint} is unreachable from the controller ({detail}): check endpoint, and the controller's network and proxy settings.",
    CONNECT_FAILED: "Could not connect to {endpoint} for {action} ({detail}): check endpoint, and the controller's network and proxy settings.",
    CONNECT_TIMEOUT: "Connecting to {endpoint} timed out after {timeout}: check endpoint and the controller's network, or raise api_timeout.",
    READ_TIMEOUT: "{Endpoint} did not answer {action} within {timeout}: raise api_timeout, or try again later.",
    TLS_VERIFY: "TLS verification of {endpoint} failed ({detail}): check that endpoint names the ESA service; a TLS-inspecting proxy needs its CA "
    "trusted on the controller.",
    TLS_PLAIN_HTTP: "{Endpoint} answered in plain HTTP, not HTTPS, during {action} ({detail}): for a local emulator write the endpoint as "
    "{http_endpoint} (plain HTTP is accepted for loopback hosts only); otherwise check that endpoint names ESA's HTTPS port.",
    TLS: "TLS with {endpoint} failed during {action} ({detail}): check endpoint (use http:// only for a loopback emulator).",
    CONNECTION_DROPPED: "The connection to {endpoint} broke during {action} ({detail}): try again later; if it persists, check endpoint and any proxy.",
}

_TRANSPORT_FALLBACK = "Calling {action} at {endpoint} failed ({detail}): check endpoint, and the controller's network and proxy settings."


def describe_sdk_error(
    exc: BaseException,
    *,
    action: str,
    site_id: int | str | None = None,
    cert_id: str | None = None,
    endpoint: str | None = None,
    timeout: int | float | None = None,
    secrets: t.Iterable[str | None] = (),
    access_key_id: str | None = None,
) -> EsaApiError:
    """Turn any SDK exception into an EsaApiError whose one-line message names the cause and what to fix; never echoes ``secrets``.

    ``access_key_id`` (None with the default credential chain) is named when ESA does not know it or the secret does not match it.
    """
    secret_values = tuple(secret for secret in secrets if secret)
    context = _MessageContext(
        action=action, site_id=site_id, cert_id=cert_id, endpoint=endpoint, timeout=timeout, secrets=secret_values, access_key_id=access_key_id
    )
    code = sdk_error_code(exc)
    request_id = sdk_request_id(exc)
    status_code = sdk_status_code(exc)
    service_message = None

    transport = None if code else classify_transport_failure(exc)
    if transport is not None:
        message = context.transport_message(transport)
    elif code is None and is_credential_failure(exc):
        message = f"Could not get Alibaba Cloud credentials on the controller for {action} ({context.quote(_innermost_message(exc))}): {_CREDENTIAL_HELP}."
    elif code is None and is_unparseable_answer(exc):
        message = (
            f"{context.endpoint_text} did not answer {action} in ESA's JSON format: check that endpoint names the ESA service"
            " (a proxy or another server may be answering)."
        )
    elif code is not None or status_code is not None:
        service_message = context.quote(_service_message(exc)) or None
        message = context.code_message(code, status_code, service_message or "")
    else:
        message = f"Calling {action} on ESA failed ({type(exc).__name__}: {context.quote(_innermost_message(exc))})."

    error = EsaApiError(
        quote(message, secret_values, limit=None),
        code=code,
        request_id=request_id,
        status_code=status_code,
        action=action,
        transport_kind=transport.kind if transport else None,
        service_message=service_message,
    )
    error.__cause__ = exc
    return error


def explain_generated_key_refusal(error: EsaApiError, pkey_type: str | None) -> EsaApiError:
    """InvalidParameter from a Create without CSR (key_source=esa): most likely the PkeyType, of which ESA documents only RSA."""
    if error.code != INVALID_PARAMETER:
        return error
    return error.reworded(
        f"ESA rejected {error.action or 'CreateClientCertificate'} with PkeyType {pkey_type or '(none)'} and no CSR "
        f"(InvalidParameter: {error.service_message or 'no details'}): ESA documents only RSA for keys it generates (ECDSA is unverified); "
        "use key_source=local, which sends a CSR, or pkey_type=RSA, and check validity_days."
    )


def endpoint_host(endpoint: str | None) -> str | None:
    """The host of ``endpoint`` (``host[:port]`` or a URL), lower-case, or None."""
    if not endpoint:
        return None
    hostname = urllib.parse.urlsplit(endpoint if "//" in endpoint else f"//{endpoint}").hostname
    return hostname or None


def other_endpoint_hint(endpoint: str | None) -> str:
    """Where a site this endpoint does not know may live: ESA's other public endpoint (or both, for any other endpoint)."""
    match = _ESA_HOST.match(endpoint_host(endpoint) or "")
    if match and match.group("region") in ESA_REGIONS:
        other = next(region for region in ESA_REGIONS if region != match.group("region"))
        endpoint_type = "vpc" if match.group("prefix") == "esa-vpc" else "public"
        return (
            f"the site may belong to the other endpoint: {ESA_REGIONS[other]} use {esa_endpoint_host(other, endpoint_type)} "
            f"(region {other}); set region or endpoint"
        )
    regions = ", ".join(f"{accounts} use {esa_endpoint_host(region, 'public')} (region {region})" for region, accounts in ESA_REGIONS.items())
    return f"the site may belong to the other endpoint: {regions}; set region or endpoint"


def _access_key_text(access_key_id: str | None) -> str:
    if access_key_id is None:
        return "the access key id from the default credential chain"
    if access_key_id.startswith(_ACCESS_KEY_ID_PREFIXES):
        return f"access key {access_key_id}"
    # A value that is not shaped like a key id may be the secret itself: never repeat it.
    return "the access_key_id given (not shown: it does not start with LTAI or STS., so access_key_id and access_key_secret may be swapped)"


class _MessageContext:
    def __init__(
        self,
        *,
        action: str,
        site_id: int | str | None,
        cert_id: str | None,
        endpoint: str | None,
        timeout: int | float | None,
        secrets: tuple[str, ...],
        access_key_id: str | None = None,
    ) -> None:
        self.secrets = secrets
        self.action = action
        self.site_id = site_id
        self.cert_id = cert_id
        self.endpoint = endpoint
        self.endpoint_text = f"ESA endpoint {endpoint}" if endpoint else "the ESA endpoint"
        self.timeout_text = f"{timeout:g}s (api_timeout)" if timeout is not None else "api_timeout"
        self.access_key_id = access_key_id

    def _fields(self, service_message: str, code: str | None = None) -> dict[str, str]:
        site = f"site {self.site_id}" if self.site_id is not None else "the site"
        key_id = _access_key_text(self.access_key_id)
        return {
            "action": self.action,
            "code": code or "throttled",
            "site": site,
            "Site": _capitalised(site),
            "certificate": f"certificate {self.cert_id}" if self.cert_id else "the certificate",
            "cert_id": str(self.cert_id) if self.cert_id else "(id not given)",
            "parameters": _PARAMETERS_BY_ACTION.get(self.action, "site_id and id"),
            "service_message": service_message,
            "endpoint": self.endpoint_text,
            "Endpoint": _capitalised(self.endpoint_text),
            "other_endpoint": other_endpoint_hint(self.endpoint),
            "http_endpoint": _as_http(self.endpoint),
            "key_id": key_id,
            "Key_id": _capitalised(key_id),
            "timeout": self.timeout_text,
        }

    def code_message(self, code: str | None, status_code: int | None, service_message: str) -> str:
        fields = self._fields(service_message or "no details", code)
        if code in _MESSAGES:
            return _MESSAGES[code].format(**fields)
        if is_throttling_answer(code, status_code):
            return _THROTTLED.format(**fields)
        if self.action == "UploadClientCaCertificate" and is_quota_exceeded_code(code):
            return _CLIENT_CA_QUOTA.format(**fields)
        status = f"HTTP {status_code}" if status_code is not None else "no HTTP status"
        detail = f"{code}, {status}" if code else status
        if service_message:
            detail = f"{detail}: {service_message}"
        if status_code is not None and status_code >= 500:
            return f"ESA failed while handling {self.action} for {fields['site']} ({detail}): try again later."
        return f"ESA refused {self.action} for {fields['site']} ({detail})."

    def quote(self, text: str) -> str:
        """Text that came from outside (ESA, the SDK, the OS): secrets removed before it is shortened, so no prefix survives."""
        return quote(text, self.secrets)

    def transport_message(self, transport: TransportFailure) -> str:
        template = _TRANSPORT_MESSAGES.get(transport.kind, _TRANSPORT_FALLBACK)
        message = template.format(**self._fields(""), detail=self.quote(transport.detail))
        if transport.through_proxy:
            message = message[:-1] + " (the request went through the proxy set by HTTPS_PROXY; plain http to a loopback endpoint never uses one)."
        return message


def _as_http(endpoint: str | None) -> str:
    """The endpoint written with http:// (what a plain-HTTP emulator needs), from https://host:port or host:port."""
    if not endpoint:
        return "http://HOST:PORT"
    rest = endpoint.split("://", 1)[1] if "://" in endpoint else endpoint
    return f"http://{rest}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _service_message(exc: BaseException) -> str:
    data = getattr(exc, "data", None)
    message = None
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message")
    if not message:
        sdk_message = getattr(exc, "message", None)
        if isinstance(sdk_message, str):
            match = _SDK_MESSAGE.match(sdk_message)
            message = match.group("message") if match else sdk_message
    message = _clean(message)
    return str(message) if message else ""


def _innermost_message(exc: BaseException) -> str:
    chain = exception_chain(exc)
    for item in reversed(chain):
        text = getattr(item, "message", None) or str(item)
        if text:
            return str(text)
    return type(exc).__name__
