# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that turns ESA SDK exceptions into one-line messages naming the cause and the option to fix."""

from __future__ import annotations

import re
import typing as t
import urllib.parse

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
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
    TLS_VERIFY,
    UNREACHABLE,
    CredentialException,
    TransportFailure,
    classify_transport_failure,
    exception_chain,
    is_credential_failure,
)

try:
    from Tea.exceptions import TeaException
except ImportError:  # pragma: no cover - without the SDK there are no SDK errors to describe
    TeaException = None

# ESA's codes that callers act on (e.g. accept=(CERTIFICATE_NOT_FOUND,)): spelled here only.
CERTIFICATE_NOT_FOUND = "Certificate.NotFound"
CERTIFICATE_STATUS_ERROR = "Certificate.StatusError"
INVALID_PARAMETER = "InvalidParameter"
INTERNAL_EXCEPTION = "InternalException"
SERVICE_UNAVAILABLE = "ServiceUnavailable"
SIGNATURE_NONCE_USED = "SignatureNonceUsed"
PLAN_LACKS_FEATURE = "QuotaCheckFailed.Function"
# ESA's user guide: a plan holds at most this many uploaded client CA certificates.
MAX_CLIENT_CAS_PER_PLAN = 5
# ESA's two public OpenAPI endpoints (plus esa-vpc. variants): the region decides which accounts' sites they serve.
_ESA_HOST = re.compile(r"^(?P<prefix>esa(?:-vpc)?)\.(?P<region>[a-z0-9-]+)\.aliyuncs\.com$")
# Count limits: a code naming a quota, limit or excess (but flow control and the plan lacking the feature are not these).
_QUOTA_WORDS = ("quota", "limit", "exceed")
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
    TLS: "TLS with {endpoint} failed during {action} ({detail}): check endpoint (use http:// only for a loopback emulator).",
    CONNECTION_DROPPED: "The connection to {endpoint} broke during {action} ({detail}): try again later; if it persists, check endpoint and any proxy.",
}
_TRANSPORT_FALLBACK = "Calling {action} at {endpoint} failed ({detail}): check endpoint, and the controller's network and proxy settings."


class EsaApiError(CollectionError):
    """An ESA call failed; ``message`` is one line for the user, ``code`` is ESA's own code string when ESA answered.

    ``service_message`` is ESA's own Message (secrets removed, one line), for messages that quote it.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        status_code: int | None = None,
        action: str | None = None,
        transport_kind: str | None = None,
        service_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.status_code = status_code
        self.action = action
        self.transport_kind = transport_kind
        self.service_message = service_message

    def __str__(self) -> str:
        return self.message

    def reworded(self, message: str) -> EsaApiError:
        """The same failure in this task's terms: code, request id, status, action, transport kind and cause kept."""
        error = EsaApiError(message, **self._facts())
        error.__cause__ = self.__cause__ or self
        return error

    def _facts(self) -> dict[str, t.Any]:
        return {
            "code": self.code,
            "request_id": self.request_id,
            "status_code": self.status_code,
            "action": self.action,
            "transport_kind": self.transport_kind,
            "service_message": self.service_message,
        }

    def extend_message(self, text: str) -> None:
        """Add a clause (e.g. how many attempts were made) to the end of the one-line message's sentence."""
        base = self.message[:-1] if self.message.endswith(".") else self.message
        self.message = f"{base} {text}."
        self.args = (self.message,)

    def to_fail_kwargs(self) -> dict[str, t.Any]:
        """Keyword arguments for a failed task result: msg always, code and request_id when known."""
        fail_kwargs: dict[str, t.Any] = {"msg": self.message}
        if self.code is not None:
            fail_kwargs["code"] = self.code
        if self.request_id is not None:
            fail_kwargs["request_id"] = self.request_id
        return fail_kwargs


class AmbiguousCreateError(EsaApiError):
    """A create (certificate or client CA) failed in a way that may still have taken effect: reconcile before creating again.

    ``failure`` is what went wrong, without the advice the message ends with.
    """

    ADVICE = "The certificate may have been issued anyway: look for it on ESA before creating another."

    def __init__(self, failure: str, **facts: t.Any) -> None:
        super().__init__(f"{failure} {self.ADVICE}", **facts)
        self.failure = failure

    @classmethod
    def from_error(cls, error: EsaApiError) -> AmbiguousCreateError:
        ambiguous = cls(error.message, **error._facts())
        ambiguous.__cause__ = error.__cause__ or error
        return ambiguous


def is_sdk_error(exc: BaseException) -> bool:
    """True for what the SDK raises when a call fails (answers, transport, credentials), False for programming errors."""
    known = tuple(kind for kind in (TeaException, CredentialException) if kind is not None)
    return bool(known) and isinstance(exc, known)


def sdk_error_code(exc: BaseException) -> str | None:
    """ESA's code string, or None; the SDK stringifies a missing code (and request id) to 'None'."""
    return _clean(getattr(exc, "code", None))


def sdk_status_code(exc: BaseException) -> int | None:
    """The HTTP status of ESA's answer, or None (no answer)."""
    status = getattr(exc, "status_code", None)
    if status is None:
        data = getattr(exc, "data", None)
        status = data.get("statusCode") if isinstance(data, dict) else None
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def sdk_request_id(exc: BaseException) -> str | None:
    """ESA's request id, or None."""
    return _clean(getattr(exc, "request_id", None))


def retry_after_seconds(exc: BaseException) -> float | None:
    """The wait ESA asked for with x-acs-retry-after (milliseconds on the wire), or None.

    Read from whichever exception class carries it: tea-openapi 0.4.6 puts it on ThrottlingException (raised for any code
    when the header is there), 0.4.5 on ThrottlingException raised for codes containing "Throttling" (and drops it otherwise).
    """
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool) and retry_after > 0:
        return retry_after / 1000.0
    return None


def is_throttling_answer(code: str | None, status_code: int | None) -> bool:
    """Flow control: the gateway refused the request before ESA acted on it, so repeating it is always safe.

    Any code containing "throttling" (Throttling.User, Throttling.user, Throttling.Api, Throttling.ConcurrentLimitExceeded,
    Rejected.Throttling, ...), any HTTP 429, and ServiceUnavailable below 500. Decided from code and status only, never
    from the SDK's exception class, which tea-openapi 0.4.5 and 0.4.6 choose differently.
    """
    if status_code == 429:
        return True
    if code is None:
        return False
    if "throttling" in code.lower():
        return True
    # A 5xx ServiceUnavailable may come from a backend that failed mid-request; only below 500 is it surely flow control.
    return code == SERVICE_UNAVAILABLE and (status_code is None or status_code < 500)


def is_throttling(exc: BaseException) -> bool:
    return is_throttling_answer(sdk_error_code(exc), sdk_status_code(exc))


def is_signature_nonce_reused(exc: BaseException) -> bool:
    """SignatureNonceUsed: the gateway refused this request as a replay; a new attempt is signed with a new nonce."""
    return sdk_error_code(exc) == SIGNATURE_NONCE_USED


def is_quota_exceeded_code(code: str | None) -> bool:
    """A count limit was reached: the code names a quota, limit or excess, and is neither flow control nor QuotaCheckFailed.Function."""
    if code is None or code == PLAN_LACKS_FEATURE or is_throttling_answer(code, None):
        return False
    lowered = code.lower()
    return any(word in lowered for word in _QUOTA_WORDS)


def is_server_failure(exc: BaseException) -> bool:
    """A 5xx answer or InternalException: ESA failed while handling the request, which may or may not have taken effect."""
    status = sdk_status_code(exc)
    return (status is not None and status >= 500) or sdk_error_code(exc) == INTERNAL_EXCEPTION


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


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clean(value: t.Any) -> t.Any:
    if value is None or (isinstance(value, str) and value.strip() in ("", "None")):
        return None
    return value


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


def is_wrapped_sdk_failure(exc: BaseException) -> bool:
    """The SDK's catch-all wrapper (UnretryableException): a failure inside the SDK rather than an ESA answer."""
    return isinstance(getattr(exc, "inner_exception", None), BaseException)


def is_unparseable_answer(exc: BaseException) -> bool:
    # darabonba raises RuntimeError("Failed to parse the value as json format, ...") and loses the HTTP status.
    return any(isinstance(item, (RuntimeError, ValueError)) and "json" in str(item).lower() for item in exception_chain(exc))


def _innermost_message(exc: BaseException) -> str:
    chain = exception_chain(exc)
    for item in reversed(chain):
        text = getattr(item, "message", None) or str(item)
        if text:
            return str(text)
    return type(exc).__name__
