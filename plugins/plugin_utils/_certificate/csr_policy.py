# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The identity ESA certifies is the play's: every CSR and every issued certificate is checked here, on the controller.

A managed host may be compromised, and it controls its interpreter: the CSR it answers with (made from csr_path, or
made for key_source=local) is a claim. Before any Create the controller parses it and refuses it unless its subject
is exactly the one CN the task asked for, it requests no extension that could widen what the certificate vouches for,
its key is of the type and size asked for and it is of a bounded size. What goes to ESA is the DER of the CSR that was
checked, re-encoded, so nothing the checks did not see can travel with it. After the Create, ESA's certificate is
checked again (subject and public key) before any host receives it.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.facts import load_pem_certificate, load_pem_csr, public_key_sha256
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID
except ImportError:  # pragma: no cover - the controller's requirements.txt has it; the action says so when it is missing
    pass

# A CSR of the largest key accepted here, with the extensions accepted here, is under 2 KiB; a host that answers with
# more (a 1.6 MB CSR was seen forwarded to ESA) is refused before ESA spends anything on it.
MAX_CSR_PEM_BYTES = 16 * 1024
# pkey_type's key, for a CSR this collection makes (key_source=local): exactly what keys.generate_private_key makes.
LOCAL_KEY_SIZES = {"RSA": frozenset({2048}), "ECDSA": frozenset({256})}
# A CSR the user brings (csr_path, csr_content) may carry a larger RSA key; ECDSA stays P-256, the curve ESA signs.
USER_KEY_SIZES = {"RSA": frozenset({2048, 3072, 4096}), "ECDSA": frozenset({256})}
# Extensions that narrow what a client certificate is used for but name no other identity (keyUsage,
# extendedKeyUsage, basicConstraints): anything else (a SAN other than the CN itself, CA rights, name constraints,
# unknown OIDs) is refused, the task cannot ask for it.
_NARROWING_EXTENSION_NAMES = ("KEY_USAGE", "EXTENDED_KEY_USAGE", "BASIC_CONSTRAINTS")


class IdentityRefused(CollectionError, ValueError):
    """A CSR or a certificate for another identity than the task's: nothing reaches ESA, or the host."""


@dataclasses.dataclass(frozen=True)
class CheckedCsr:
    """A CSR that passed the checks: its PEM as it goes to ESA and the facts the controller took from it itself."""

    pem: str
    common_name: str
    public_key_sha256: str
    key_type: str


def check_csr(pem: str, *, source: str, common_name: str | None, pkey_type: str, key_sizes: t.Mapping[str, frozenset[int]]) -> CheckedCsr:
    """The CSR ``pem`` if it asks for exactly ``common_name`` (or, when None, for its own one CN) with a ``pkey_type`` key.

    ``source`` names where it came from in the one-line refusal (``csr_path``, ``csr_content``, or the host that made it).
    """

    def refuse(why: str) -> IdentityRefused:
        return IdentityRefused(f"{source}: {why}; nothing was sent to ESA")

    if len(pem.encode("utf-8", "replace")) > MAX_CSR_PEM_BYTES:
        raise refuse(f"the CSR is {len(pem.encode('utf-8', 'replace'))} bytes, more than the {MAX_CSR_PEM_BYTES} a client certificate's CSR needs")
    csr = load_pem_csr(pem.encode("ascii", "replace"))
    if csr is None:
        raise refuse("not a PEM certificate signing request")
    if not csr.is_signature_valid:
        raise refuse("the CSR's signature does not verify with its own public key")
    subject_cn = _only_common_name(csr.subject)
    if subject_cn is None:
        raise refuse(f"the CSR's subject is {_shown(csr.subject)}, not a single common name (CN) as ESA certifies it")
    if common_name is not None and subject_cn != common_name:
        raise refuse(f"the CSR asks for CN={subject_cn!r}, not the task's common_name {common_name!r}")
    extension_problem = _extension_problem(csr, subject_cn)
    if extension_problem:
        raise refuse(extension_problem)
    public_key = csr.public_key()
    key_type, size, described = _key_type_and_size(public_key)
    allowed = key_sizes.get(pkey_type, frozenset())
    if key_type != pkey_type or size not in allowed:
        asked = f"{pkey_type} {'/'.join(str(bits) for bits in sorted(allowed))}"
        raise refuse(f"the CSR's key is {described}, not of the pkey_type the task asked for ({asked}); set pkey_type to match the CSR's key")
    canonical = csr.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return CheckedCsr(pem=canonical, common_name=subject_cn, public_key_sha256=public_key_sha256(public_key), key_type=key_type)


def issued_certificate_problem(certificate_pem: str, *, common_name: str | None, public_key_sha256_expected: str) -> str | None:
    """Why ESA's certificate must not reach the host, or None: its subject must be exactly CN=``common_name`` (when the
    task decided it) and its public key the one the CSR (or ESA's generated key) carries."""
    certificate = load_pem_certificate(certificate_pem.encode("ascii", "replace"))
    if certificate is None:
        return "ESA returned a certificate that is not PEM"
    if public_key_sha256(certificate.public_key()) != public_key_sha256_expected:
        return "the issued certificate does not carry the public key that was sent for it"
    if common_name is not None and _only_common_name(certificate.subject) != common_name:
        return f"the issued certificate's subject is {_shown(certificate.subject)}, not CN={common_name}"
    return None


def private_key_public_sha256(private_key_pem: str) -> str | None:
    """The public-key digest of the key ESA generated (key_source=esa), or None when it does not load."""
    try:
        key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    except (ValueError, TypeError):
        return None
    return public_key_sha256(key.public_key())


def _only_common_name(name: x509.Name) -> str | None:
    """The CN of a name made of exactly one attribute, a common name; None for anything else."""
    attributes = list(name)
    if len(attributes) != 1 or attributes[0].oid != NameOID.COMMON_NAME:
        return None
    value = attributes[0].value
    return value if isinstance(value, str) else None


def _extension_problem(csr: x509.CertificateSigningRequest, common_name: str) -> str | None:
    for extension in csr.extensions:
        oid = extension.oid
        if oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
            names = list(extension.value)
            if names != [x509.DNSName(common_name)]:
                shown = ", ".join(str(getattr(n, "value", n)) for n in names)
                return f"the CSR asks for subject alternative names ({shown}) the task did not ask for (only DNS:{common_name}, its CN, is accepted)"
        elif oid not in [getattr(ExtensionOID, name) for name in _NARROWING_EXTENSION_NAMES]:
            return f"the CSR asks for the extension {oid.dotted_string} ({getattr(oid, '_name', 'unknown')}), which the task did not ask for"
        elif oid == ExtensionOID.BASIC_CONSTRAINTS and extension.value.ca:
            return "the CSR asks for a CA certificate (basicConstraints CA:TRUE)"
        elif oid == ExtensionOID.EXTENDED_KEY_USAGE and list(extension.value) != [ExtendedKeyUsageOID.CLIENT_AUTH]:
            return "the CSR asks for extended key usages other than clientAuth"
    return None


def _key_type_and_size(public_key: t.Any) -> tuple[str, int | None, str]:
    """The key's type as pkey_type names it, its size (None for a curve other than P-256) and how to show it."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size, f"RSA {public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        size = 256 if isinstance(public_key.curve, ec.SECP256R1) else None
        return "ECDSA", size, f"ECDSA {public_key.curve.name}"
    return type(public_key).__name__, None, type(public_key).__name__


def _shown(name: x509.Name) -> str:
    return name.rfc4514_string() or "empty"
