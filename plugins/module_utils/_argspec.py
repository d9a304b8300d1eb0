# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs, one builder per option family, mirrored one-to-one by the doc fragments.

The action plugins validate with the same specs on the controller, so the module and its
action plugin can never disagree about what an option means.
"""

from __future__ import annotations

import posixpath
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
        "on_revoked": {"type": "str", "default": "reissue", "choices": ["reissue", "fail"]},
        "delete_record": {"type": "bool", "default": False},
        "backup": {"type": "bool", "default": False},
        "return_content": {"type": "bool", "default": False},
    }
    spec.update(derived_files_argument_spec())
    spec.update(connection_argument_spec())
    return spec


def derived_files_argument_spec() -> dict[str, t.Any]:
    """The files esa_client_certificate derives from the pair on the target: a PKCS#12 bundle and a full-chain file."""
    return {
        "pkcs12_path": {"type": "path"},
        "pkcs12_passphrase": {"type": "str", "no_log": True},
        "pkcs12_friendly_name": {"type": "str"},
        "ca_certificate_content": {"type": "str"},
        "fullchain_path": {"type": "path"},
    }


# X.520 caps a common name at 64 characters; cryptography refuses to build a CSR with a longer (or empty) one.
MAX_COMMON_NAME = 64
CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE = [["csr_path", "csr_content"]]


def client_certificate_input_errors(params: dict[str, t.Any]) -> list[str]:
    """Checks that an argument spec cannot express; each message names the parameter to fix.

    Every combination that would reissue on every run is refused here, before any ESA call: see
    _settling_errors. (What only the target can see, such as two paths naming one file through a
    symlink, is refused by the module's inspection, also before any ESA write.)
    """
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
        errors.extend(_settling_errors(params, uses_csr))
        errors.extend(_derived_files_errors(params))
    errors.extend(_same_file_errors(params))
    if params.get("site_id") is not None and params["site_id"] <= 0:
        errors.append(f"site_id must be a positive ESA site id, got {params['site_id']}")
    return errors


def _settling_errors(params: dict[str, t.Any], uses_csr: bool) -> list[str]:
    """Options that would never settle: each run would find a reason to issue again."""
    errors = []
    validity, remaining = params.get("validity_days"), params.get("remaining_days")
    if validity is not None and remaining is not None and remaining >= 0 and remaining >= validity:
        errors.append(
            f"remaining_days ({remaining}) must be below validity_days ({validity}): a certificate of {validity} days "
            "would be due for renewal the moment it is issued, so every run would issue another"
        )
    common_name = params.get("common_name")
    if common_name is not None and not uses_csr:
        if params.get("key_source") == "esa":
            errors.append(
                "common_name cannot be combined with key_source=esa: ESA chooses the subject of a certificate whose key it "
                "generates, so the certificate would never carry this name; use key_source=local to choose it"
            )
        elif not common_name.strip() or len(common_name) > MAX_COMMON_NAME:
            errors.append(f"common_name must have 1 to {MAX_COMMON_NAME} characters and not be blank, got {len(common_name)} characters")
        elif common_name != common_name.strip():
            errors.append(f"common_name {common_name!r} has leading or trailing spaces; remove them")
    if params.get("revoke_replaced") and uses_csr and not params.get("privatekey_path"):
        errors.append(
            "revoke_replaced needs privatekey_path: the host proves it holds the replaced certificate's key before the "
            "controller revokes it, and with a CSR alone it has no key to prove with"
        )
    return errors


def _derived_files_errors(params: dict[str, t.Any]) -> list[str]:
    """The PKCS#12 and full-chain options, each of which needs another (the CA PEM itself is checked by the action)."""
    errors = []
    if params.get("pkcs12_path"):
        if not params.get("privatekey_path"):
            errors.append("pkcs12_path needs privatekey_path: the bundle holds the private key, which is read where it is and never leaves the host")
        if not params.get("pkcs12_passphrase"):
            errors.append("pkcs12_path needs pkcs12_passphrase (not empty): the bundle holds the private key and is encrypted with it")
    else:
        errors.extend(f"{name} applies only with pkcs12_path" for name in ("pkcs12_passphrase", "pkcs12_friendly_name") if params.get(name) is not None)
    if params.get("fullchain_path") and not params.get("ca_certificate_content"):
        errors.append("fullchain_path needs ca_certificate_content: ESA does not return its CA's certificate, so the chain's CA comes from the play")
    if params.get("ca_certificate_content") and not (params.get("pkcs12_path") or params.get("fullchain_path")):
        errors.append("ca_certificate_content applies only with pkcs12_path or fullchain_path, the files it goes into")
    return errors


def _same_file_errors(params: dict[str, t.Any]) -> list[str]:
    """Two options naming one file: the certificate would overwrite the key (or the CSR) on every run."""
    named = [(name, params.get(name)) for name in ("path", "privatekey_path", "csr_path", "pkcs12_path", "fullchain_path")]
    seen: dict[str, str] = {}
    errors = []
    for name, value in named:
        if not value:
            continue
        normalized = posixpath.normpath(value)
        if normalized in seen:
            errors.append(f"{name} and {seen[normalized]} name the same file ({value}): each needs a file of its own")
        seen.setdefault(normalized, name)
    record = posixpath.normpath(params["path"]) + ".esa.json" if params.get("path") else None
    for name in ("privatekey_path", "csr_path", "pkcs12_path", "fullchain_path"):
        if record and params.get(name) and posixpath.normpath(params[name]) == record:
            errors.append(f"{name} names the bookkeeping file of path ({record}): choose another file")
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
    errors.extend(_empty_hostnames_errors(params, "to unbind every hostname use state=absent without hostnames"))
    errors.extend(_hostnames_errors(params.get("hostnames"), limit=params.get("state", "present") == "present"))
    return errors


def _empty_hostnames_errors(params: dict[str, t.Any], advice: str) -> list[str]:
    """An empty list would unbind every hostname, turning mTLS off: a variable left empty by mistake must not do that."""
    if params.get("state", "present") == "present" and params.get("hostnames") == []:
        return [f"hostnames is an empty list, which would stop requiring client certificates on every hostname: {advice}"]
    return []


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
        errors.extend(
            _empty_hostnames_errors(
                params, "leave hostnames out to keep the binding as it is, or unbind with alibabacloud.esa.esa_client_certificate_hostnames state=absent"
            )
        )
        errors.extend(_hostnames_errors(params.get("hostnames"), limit=True))
    return errors


def site_id_type_error(value: t.Any) -> str:
    """The one line for a site_id that is not a number: most often the site's name, given where ESA wants its id."""
    return (
        f"site_id must be the numeric ESA site id (for example 1234567890123), not a site name: got {str(value)[:80]!r}; "
        "the ESA console shows the id of each site in its site list, and ESA's ListSites API returns it as SiteId"
    )


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


def client_certificate_revoke_argument_spec() -> dict[str, t.Any]:
    """The options of esa_client_certificate_revoke."""
    spec = {
        "site_id": {"type": "int", "required": True},
        "id": {"type": "list", "elements": "str"},
        "fingerprint_sha256": {"type": "list", "elements": "str"},
        "common_name": {"type": "list", "elements": "str"},
        "common_name_pattern": {"type": "str"},
        "keep": {"type": "list", "elements": "str"},
        "min_age_minutes": {"type": "int", "default": 60},
        "state": {"type": "str", "default": "revoked", "choices": ["revoked", "absent"]},
        "max_revocations": {"type": "int", "default": 10},
    }
    spec.update(connection_argument_spec())
    return spec


REVOKE_SELECTORS = ("id", "fingerprint_sha256", "common_name", "common_name_pattern")


def client_certificate_revoke_input_errors(params: dict[str, t.Any]) -> list[str]:
    """Checks that an argument spec cannot express; each message names the parameter to fix (fingerprints are checked by the action)."""
    errors = _site_id_errors(params)
    if all(params.get(name) is None for name in REVOKE_SELECTORS):
        errors.append(
            "give at least one selector (id, fingerprint_sha256, common_name or common_name_pattern): without one, every certificate of the site would match"
        )
    for name in ("id", "common_name"):
        if any(not (value or "").strip() for value in params.get(name) or []):
            errors.append(f"{name} has an empty entry: remove it, or check the variable it came from")
    pattern = params.get("common_name_pattern")
    if pattern is not None and not pattern.strip():
        errors.append("common_name_pattern is empty: give a shell-style pattern such as '*.retired.example.com'")
    for name in ("min_age_minutes", "max_revocations"):
        if params.get(name) is not None and params[name] < 0:
            errors.append(f"{name} must be 0 or more, got {params[name]}")
    return errors
