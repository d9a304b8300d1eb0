# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one wrapper around the official ESA SDK: builds the client, runs every call through the retry policy,
and answers plain dicts (ESA's PascalCase fields) or EsaApiError.

Gets, revokes, activations and deletes take ``accept``: ESA codes that answer None instead of raising (as amazon.aws's
is_boto3_error_code and hrobot's accept_errors do), for callers that expect them; a Get accepts Certificate.NotFound by default.

Controller only: imported by action plugins, whose module is imported once in the controller's main
process before workers fork, so the SDK's import cost is paid once per run.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
import typing as t

from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import CERTIFICATE_NOT_FOUND, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.messages import describe_sdk_error
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.retry import RetryPolicy
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import ConnectionSettings
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.transport import share_prepared_session
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.version import USER_AGENT

try:
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_esa20240910 import models as esa_models
    from alibabacloud_esa20240910.client import Client as SdkEsaClient
    from alibabacloud_tea_openapi.utils_models import Config as OpenApiConfig
    from darabonba.runtime import RuntimeOptions
except ImportError:
    CredentialClient = esa_models = SdkEsaClient = OpenApiConfig = RuntimeOptions = None  # pylint: disable=invalid-name
    HAS_ESA_SDK = False
    ESA_SDK_IMPORT_ERROR: str | None = traceback.format_exc()
else:
    HAS_ESA_SDK = True
    ESA_SDK_IMPORT_ERROR = None

# With DEBUG=sdk in the environment, darabonba-core writes every request header, the STS token included,
# to stderr through this logger; secrets must never reach the terminal or Ansible's output.
logging.getLogger("darabonba-core").disabled = True

SDK_REQUIREMENT = "alibabacloud-esa20240910 (and alibabacloud-credentials)"
MAX_PAGE_SIZE = 100
# A walk over a listing stops here, whatever its TotalCount says: 1,000 pages of 100 are 100,000 certificates, ten times
# the largest site measured (scripts/bench_scale.sh: 10,000), and a broken or hostile TotalCount cannot keep a task
# listing for hours on the account's shared rate limit.
MAX_LISTING_PAGES = 1000
# Not found is a value, not an error, for the callers of a Get (amazon.aws does the same).
NOT_FOUND: tuple[str, ...] = (CERTIFICATE_NOT_FOUND,)


def missing_sdk_message() -> str:
    """One line for a failed task when the SDK cannot be imported on the controller."""
    reason = ""
    if ESA_SDK_IMPORT_ERROR:
        reason = f" ({ESA_SDK_IMPORT_ERROR.strip().splitlines()[-1]})"
    return (
        f"Failed to import the required Python library {SDK_REQUIREMENT} on the controller{reason}:"
        f" install it for the Python that runs Ansible on {platform.node()} ({sys.executable} -m pip install alibabacloud-esa20240910);"
        " the managed hosts do not need it."
    )


class EsaClient:
    """ESA client-certificate calls, each retried by ``retry_policy`` and failing only with EsaApiError."""

    def __init__(self, settings: ConnectionSettings, *, retry_policy: RetryPolicy | None = None) -> None:
        # Always the official client: unit tests drive it against the emulator, or replace the whole EsaClient
        # (tests/unit/plugins/plugin_utils/fake_esa_client.py), never the SDK beneath it.
        self.settings = settings
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy(settings.retries)
        if not HAS_ESA_SDK:
            raise EsaApiError(missing_sdk_message())
        self._sdk = SdkEsaClient(_sdk_config(settings))
        # The SDK's own session would send plain http through HTTP_PROXY: this one never does (see _esa.transport).
        share_prepared_session(settings.protocol, settings.endpoint_host)

    def create_client_certificate(self, site_id: int, *, validity_days: int, csr: str | None = None, pkey_type: str | None = None) -> dict[str, t.Any]:
        """Issue a certificate; ESA generates the key (answered once, in PrivateKey) when no CSR is given.

        Raises AmbiguousCreateError when the certificate may have been issued although the call failed.
        """
        request = esa_models.CreateClientCertificateRequest(site_id=site_id, validity_days=validity_days, csr=csr, pkey_type=pkey_type)
        return self._call(
            "CreateClientCertificate", self._sdk.create_client_certificate_with_options, request, site_id=site_id, may_have_taken_effect_on_failure=True
        )

    def get_client_certificate(self, site_id: int, cert_id: str, *, accept: tuple[str, ...] = NOT_FOUND) -> dict[str, t.Any] | None:
        """The certificate's record (``Result``) and PEM (``Certificate``), or None when the site has no such certificate."""
        request = esa_models.GetClientCertificateRequest(site_id=site_id, id=cert_id)
        return _unless_accepted(
            accept, lambda: self._call("GetClientCertificate", self._sdk.get_client_certificate_with_options, request, site_id=site_id, cert_id=cert_id)
        )

    def list_client_certificates(self, site_id: int, *, page_number: int = 1, page_size: int = MAX_PAGE_SIZE) -> dict[str, t.Any]:
        """One page: ``Result`` (records as Get's ``Result``), ``TotalCount``, ``PageNumber``, ``PageSize``."""
        request = esa_models.ListClientCertificatesRequest(site_id=site_id, page_number=page_number, page_size=page_size)
        return self._call("ListClientCertificates", self._sdk.list_client_certificates_with_options, request, site_id=site_id)

    def iter_client_certificates(self, site_id: int, *, page_size: int = MAX_PAGE_SIZE) -> t.Iterator[dict[str, t.Any]]:
        """Every certificate record of the site, walking all pages."""
        return walk_listing(
            lambda number: self.list_client_certificates(site_id, page_number=number, page_size=page_size), "ListClientCertificates", site_id, page_size
        )

    def revoke_client_certificate(self, site_id: int, cert_id: str, *, accept: tuple[str, ...] = ()) -> dict[str, t.Any] | None:
        """Revoke; a retried call whose first attempt took effect answers Certificate.StatusError (already revoked)."""
        request = esa_models.RevokeClientCertificateRequest(site_id=site_id, id=cert_id)
        return _unless_accepted(
            accept, lambda: self._call("RevokeClientCertificate", self._sdk.revoke_client_certificate_with_options, request, site_id=site_id, cert_id=cert_id)
        )

    def delete_client_certificate(self, site_id: int, cert_id: str, *, accept: tuple[str, ...] = ()) -> dict[str, t.Any] | None:
        """Delete the record; a retry after a lost answer may see Certificate.NotFound (already deleted)."""
        request = esa_models.DeleteClientCertificateRequest(site_id=site_id, id=cert_id)
        return _unless_accepted(
            accept, lambda: self._call("DeleteClientCertificate", self._sdk.delete_client_certificate_with_options, request, site_id=site_id, cert_id=cert_id)
        )

    def get_client_ca_certificate_hostnames(self, site_id: int, ca_id: str | None = None) -> dict[str, t.Any]:
        """The hostnames that require a client certificate from the CA ``ca_id`` (the ESA-managed CA when None): ``Hostnames``, ``Id``, ``SiteName``."""
        request = esa_models.GetClientCaCertificateHostnamesRequest(site_id=site_id, id=ca_id)
        return self._call(
            "GetClientCaCertificateHostnames", self._sdk.get_client_ca_certificate_hostnames_with_options, request, site_id=site_id, cert_id=ca_id
        )

    def set_client_ca_certificate_hostnames(self, site_id: int, hostnames: list[str], ca_id: str | None = None) -> dict[str, t.Any]:
        """Replace that set (an empty list clears it); the same call twice leaves the same set, so it is retried like a read."""
        request = esa_models.SetClientCaCertificateHostnamesRequest(site_id=site_id, hostnames=list(hostnames), id=ca_id)
        return self._call(
            "SetClientCaCertificateHostnames", self._sdk.set_client_ca_certificate_hostnames_with_options, request, site_id=site_id, cert_id=ca_id
        )

    def upload_client_ca_certificate(self, site_id: int, certificate: str, *, name: str | None = None) -> dict[str, t.Any]:
        """Upload a client CA (PEM); the answer is flat, like Create's.

        ESA keeps a second copy when the same certificate is uploaded twice and has no idempotency token, so this is
        retried only when the request surely did not take effect; otherwise AmbiguousCreateError, for the caller to reconcile.
        """
        request = esa_models.UploadClientCaCertificateRequest(site_id=site_id, certificate=certificate, name=name)
        return self._call(
            "UploadClientCaCertificate", self._sdk.upload_client_ca_certificate_with_options, request, site_id=site_id, may_have_taken_effect_on_failure=True
        )

    def get_client_ca_certificate(self, site_id: int, ca_id: str, *, accept: tuple[str, ...] = NOT_FOUND) -> dict[str, t.Any] | None:
        """The client CA's record (``Result``) and PEM (``Certificate``), or None when the site has no such client CA."""
        request = esa_models.GetClientCaCertificateRequest(site_id=site_id, id=ca_id)
        return _unless_accepted(
            accept, lambda: self._call("GetClientCaCertificate", self._sdk.get_client_ca_certificate_with_options, request, site_id=site_id, cert_id=ca_id)
        )

    def list_client_ca_certificates(self, site_id: int, *, page_number: int = 1, page_size: int = MAX_PAGE_SIZE) -> dict[str, t.Any]:
        """One page of uploaded client CAs: ``Result`` (records as Get's ``Result``), ``TotalCount``, ``PageNumber``, ``PageSize``."""
        request = esa_models.ListClientCaCertificatesRequest(site_id=site_id, page_number=page_number, page_size=page_size)
        return self._call("ListClientCaCertificates", self._sdk.list_client_ca_certificates_with_options, request, site_id=site_id)

    def iter_client_ca_certificates(self, site_id: int, *, page_size: int = MAX_PAGE_SIZE) -> t.Iterator[dict[str, t.Any]]:
        """Every uploaded client CA record of the site, walking all pages."""
        return walk_listing(
            lambda number: self.list_client_ca_certificates(site_id, page_number=number, page_size=page_size), "ListClientCaCertificates", site_id, page_size
        )

    def delete_client_ca_certificate(self, site_id: int, ca_id: str, *, accept: tuple[str, ...] = ()) -> dict[str, t.Any] | None:
        """Delete an uploaded client CA; a retry after a lost answer may see Certificate.NotFound (already deleted)."""
        request = esa_models.DeleteClientCaCertificateRequest(site_id=site_id, id=ca_id)
        return _unless_accepted(
            accept,
            lambda: self._call("DeleteClientCaCertificate", self._sdk.delete_client_ca_certificate_with_options, request, site_id=site_id, cert_id=ca_id),
        )

    def _call(
        self,
        action: str,
        sdk_method: t.Callable[[t.Any, t.Any], t.Any],
        request: t.Any,
        *,
        site_id: int,
        cert_id: str | None = None,
        may_have_taken_effect_on_failure: bool = False,
    ) -> dict[str, t.Any]:
        def describe(exc: BaseException) -> EsaApiError:
            return describe_sdk_error(
                exc,
                action=action,
                site_id=site_id,
                cert_id=cert_id,
                endpoint=self.settings.endpoint_url,
                timeout=self.settings.timeout_seconds,
                secrets=self.settings.secret_values,
                access_key_id=self.settings.access_key_id,
            )

        response = self.retry_policy.call(
            lambda: sdk_method(request, RuntimeOptions()),
            action=action,
            may_have_taken_effect_on_failure=may_have_taken_effect_on_failure,
            describe=describe,
        )
        body = getattr(response, "body", None)
        return body.to_map() if body is not None else {}


def _unless_accepted(accept: tuple[str, ...], call: t.Callable[[], dict[str, t.Any]]) -> dict[str, t.Any] | None:
    """The answer, or None when ESA answered with a code the caller expects (``accept``)."""
    try:
        return call()
    except EsaApiError as error:
        if error.code is not None and error.code in accept:
            return None
        raise


class PageWalk:
    """The pages of one walk over a paged listing, read through ``list_page``: refuses a page that repeats an earlier
    one (the same records: a listing that ignores PageNumber would never end) and a walk past ``max_pages``."""

    def __init__(self, list_page: t.Callable[[int], dict[str, t.Any]], action: str, site_id: int, *, max_pages: int = MAX_LISTING_PAGES) -> None:
        self._list_page = list_page
        self.action = action
        self.site_id = site_id
        self.max_pages = max_pages
        self.pages_read = 0
        self._first_seen: dict[frozenset[str], int] = {}
        self._total: t.Any = None

    def read(self, page_number: int) -> dict[str, t.Any]:
        """One page (the answer's body); EsaApiError, before any call, once ``max_pages`` pages were read, or for a repeat."""
        if self.pages_read >= self.max_pages:
            raise EsaApiError(
                f"{self.action} of site {self.site_id} goes on past {self.max_pages} pages (TotalCount {self._total_shown}): stopped reading it there,"
                " at this collection's limit for one listing; try again later, and report it to Alibaba Cloud if it persists",
                action=self.action,
            )
        page = self._list_page(page_number)
        self.pages_read += 1
        self._total = page.get("TotalCount")
        ids = frozenset(str(item["Id"]) for item in page.get("Result") or [] if isinstance(item, dict) and item.get("Id"))
        earlier = self._first_seen.setdefault(ids, page_number) if ids else page_number
        if earlier != page_number:
            raise EsaApiError(
                f"{self.action} of site {self.site_id} answered page {page_number} with the same certificates as page {earlier}"
                f" (TotalCount {self._total_shown}): stopped reading it there, as the listing would not end; try again later, and report it"
                " to Alibaba Cloud if it persists",
                action=self.action,
            )
        return page

    @property
    def _total_shown(self) -> str:
        return repr(self._total)[:40]


def walk_listing(list_page: t.Callable[[int], dict[str, t.Any]], action: str, site_id: int, page_size: int = MAX_PAGE_SIZE) -> t.Iterator[dict[str, t.Any]]:
    """Every record of a paged listing: stop at TotalCount, or without it at a short or empty page (ESA may cap PageSize);
    through one PageWalk, so a repeated page or a walk past MAX_LISTING_PAGES ends with EsaApiError."""
    walk = PageWalk(list_page, action, site_id)
    page_number = 1
    seen = 0
    while True:
        page = walk.read(page_number)
        records = page.get("Result") or []
        yield from records
        seen += len(records)
        total = page.get("TotalCount")
        if not records:
            return
        if isinstance(total, int):
            if seen >= total:
                return
        elif len(records) < (page.get("PageSize") or page_size):
            return
        page_number += 1


def _sdk_config(settings: ConnectionSettings) -> t.Any:
    timeout_ms = settings.timeout_seconds * 1000
    common: dict[str, t.Any] = {
        "endpoint": settings.endpoint_host,
        "protocol": settings.protocol,
        "region_id": settings.region,
        "user_agent": USER_AGENT,
        "read_timeout": timeout_ms,
        "connect_timeout": timeout_ms,
    }
    if settings.uses_default_chain:
        # The ESA client does not consult the default chain by itself; it must be handed a credential client.
        return OpenApiConfig(credential=CredentialClient(), **common)
    return OpenApiConfig(
        access_key_id=settings.access_key_id,
        access_key_secret=settings.access_key_secret,
        security_token=settings.security_token,
        **common,
    )
