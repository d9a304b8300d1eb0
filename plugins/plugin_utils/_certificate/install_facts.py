# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts of the files an install of a key made on the host leaves behind, worked out on the controller.

A fresh issue costs two target executions, and importing cryptography was a good part of the second one. The
controller already holds everything the target checked there: the CSR the host made (sent to ESA) and ESA's
certificate. So it checks that the certificate carries the CSR's public key and parses the certificate, and the
target only checks, with hashlib, that the key file is still the one that signed the CSR and that the PEM it writes is
the one these facts describe (see _target.phases.install). The facts are the ones the target's own parse would give,
so the next run's inspection finds them in the bookkeeping file and parses nothing.
"""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import pem_facts
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.issuance import csr_identity


class IssuedForAnotherKey(CollectionError, ValueError):
    """ESA's certificate cannot be installed with the host's key: nothing may be written."""


def facts_for_install(certificate_pem: str, csr_pem: str) -> dict[str, t.Any]:
    """The parsed facts (module_utils._parse_cache) of the certificate, the key that signed ``csr_pem`` and no CSR file."""
    facts = pem_facts({"Certificate": certificate_pem})
    if facts is None:
        raise IssuedForAnotherKey("ESA returned a certificate that is not PEM; nothing was written")
    csr_public_key, _common_name = csr_identity(csr_pem)
    if facts["public_key_sha256"] != csr_public_key:
        raise IssuedForAnotherKey("the issued certificate does not match the CSR's public key; nothing was written")
    return {"certificate": facts, "privatekey": {"public_key_sha256": facts["public_key_sha256"], "key_type": facts["key_type"]}, "csr": None}
