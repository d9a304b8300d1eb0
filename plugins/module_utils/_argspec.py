# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs, one builder per option family, mirrored one-to-one by the doc fragments.

The action plugins validate with the same specs on the controller, so the module and its
action plugin can never disagree about what an option means.
"""

from __future__ import annotations

import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._hostnames import normalize_hostnames, too_many_hostnames

PKEY_TYPES = ["RSA", "ECDSA"]
MAX_VALIDITY_DAYS = 3650


def connection_argument_spec() -> dict[str, dict[str, t.Any]]:
    """Connection options; env fallbacks are resolved on the controller, never on the target."""
    return {
        "access_key_id": {"type": "str"},
        "access_key_secret": {"type": "str", "no_log": True},
        "security_token": {"type": "str", "no_log": True},
        "region": {"type": "str"},
        "endpoint_type": {"type": "str", "choices": ["public", "vpc"]},
        "endpoint": {"type": "str"},
        "api_timeout": {"type": "int", "default": 30},
        "api_retries": {"type": "int", "default": 8},
    }


def client_certificate_argument_spec() -> dict[str, t.Any]:
    """The options of esa_client_certificate (without the file attributes, which add_file_common_args brings)."""
    spec = {
        "site_id": {"type": "int", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "path": {"type": "path", "required": True},
        "privatekey_path": {"type": "path"},
        "privatekey_mode": {"type": "raw", "default": "0600", "no_log": False},
        "csr_path": {"type": "path"},
        "csr_content": {"type": "str"},
        "key_source": {"type": "str", "default": "local", "choices": ["local", "esa"]},
        "pkey_type": {"type": "str", "default": "RSA", "choices": PKEY_TYPES},
        "common_name": {"type": "str"},
        "validity_days": {"type": "int", "default": 365},
        "remaining_days": {"type": "int"},
        "verify_remote": {"type": "bool", "default": True},
        "rotate_key": {"type": "bool", "default": True},
        "revoke_replaced": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
        "backup": {"type": "bool", "default": False},
        "return_content": {"type": "bool", "default": False},
    }
    spec.update(connection_argument_spec())
    return spec


CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE = [["csr_path", "csr_content"]]


def client_certificate_input_errors(params: dict[str, t.Any]) -> list[str]:
    """Checks that an argument spec cannot express; each message names the parameter to fix."""
    errors = []
    uses_csr = bool(params.get("csr_path") or params.get("csr_content"))
    if params.get("state", "present") == "present":
        validity = params.get("validity_days")
        if validity is None or not 1 <= validity <= MAX_VALIDITY_DAYS:
            errors.append(f"validity_days must be between 1 and {MAX_VALIDITY_DAYS}, got {validity}")
        remaining = params.get("remaining_days")
        if remaining is not None and remaining < 0:
            errors.append(f"remaining_days must be 0 or more, got {remaining}")
        if uses_csr and params.get("key_source") == "esa":
            errors.append("key_source=esa cannot be combined with csr_path or csr_content: ESA generates the key only when no CSR is sent")
        if not uses_csr and not params.get("privatekey_path"):
            errors.append("privatekey_path is required unless csr_path or csr_content is given")
    if params.get("site_id") is not None and params["site_id"] <= 0:
        errors.append(f"site_id must be a positive ESA site id, got {params['site_id']}")
    return errors


def client_certificate_info_argument_spec() -> dict[str, t.Any]:
    spec = {
        "site_id": {"type": "int", "required": True},
        "id": {"type": "str"},
        "status": {"type": "str", "choices": ["active", "revoked"]},
        "common_name": {"type": "str"},
        "fingerprint_sha256": {"type": "str"},
        "expires_within_days": {"type": "int"},
        "include_pem": {"type": "bool", "default": False},
    }
    spec.update(connection_argument_spec())
    return spec


def client_certificate_hostnames_argument_spec() -> dict[str, t.Any]:
    """The options of esa_client_certificate_hostnames."""
    spec = {
        "site_id": {"type": "int", "required": True},
        "ca_id": {"type": "str"},
        "hostnames": {"type": "list", "elements": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "append": {"type": "bool", "default": False},
    }
    spec.update(connection_argument_spec())
    return spec


CLIENT_CERTIFICATE_HOSTNAMES_REQUIRED_IF = [["state", "present", ["hostnames"]]]


def client_certificate_hostnames_input_errors(params: dict[str, t.Any]) -> list[str]:
    """Checks that an argument spec cannot express; each message names the parameter to fix."""
    errors = _site_id_errors(params)
    if params.get("ca_id") is not None and not params["ca_id"].strip():
        errors.append("ca_id must be the ESA id of an uploaded client CA, or left out for the ESA-managed CA; got an empty string")
    if params.get("append") and params.get("state") == "absent":
        errors.append("append applies to state=present only: with state=absent, the hostnames listed are removed from the set")
    errors.extend(_hostnames_errors(params.get("hostnames"), limit=params.get("state", "present") == "present"))
    return errors


def client_ca_certificate_argument_spec() -> dict[str, t.Any]:
    """The options of esa_client_ca_certificate."""
    spec = {
        "site_id": {"type": "int", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "certificate": {"type": "str"},
        "id": {"type": "str"},
        "name": {"type": "str"},
        "hostnames": {"type": "list", "elements": "str"},
    }
    spec.update(connection_argument_spec())
    return spec


CLIENT_CA_CERTIFICATE_REQUIRED_IF = [["state", "present", ["certificate"]], ["state", "absent", ["id", "certificate"], True]]
MAX_CA_NAME = 128


def client_ca_certificate_input_errors(params: dict[str, t.Any]) -> list[str]:
    """Checks that an argument spec cannot express; each message names the parameter to fix (the PEM is checked by the action)."""
    errors = _site_id_errors(params)
    present = params.get("state", "present") == "present"
    if present and params.get("id") is not None:
        errors.append("id applies to state=absent only: with state=present the certificate itself (its SHA-256 fingerprint) finds the client CA")
    if not present and params.get("hostnames") is not None:
        errors.append("hostnames applies to state=present only: deleting a client CA unbinds its hostnames")
    name = params.get("name")
    if name is not None and not 1 <= len(name.strip()) <= MAX_CA_NAME:
        errors.append(f"name must have 1 to {MAX_CA_NAME} characters, got {len(name.strip())}")
    if present:
        errors.extend(_hostnames_errors(params.get("hostnames"), limit=True))
    return errors


def _site_id_errors(params: dict[str, t.Any]) -> list[str]:
    if params.get("site_id") is not None and params["site_id"] <= 0:
        return [f"site_id must be a positive ESA site id, got {params['site_id']}"]
    return []


def _hostnames_errors(hostnames: list[str] | None, *, limit: bool) -> list[str]:
    if hostnames is None:
        return []
    names, errors = normalize_hostnames(hostnames)
    too_many = too_many_hostnames(len(names)) if limit else None
    if too_many:
        errors.append(too_many)
    return errors
