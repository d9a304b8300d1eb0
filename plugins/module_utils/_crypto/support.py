# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Python and cryptography the target has, and how to call every cryptography release from the floor up.

Floors: Python 3.8 and cryptography 2.8 (Ubuntu 20.04), the oldest stack the integration target
esa_target_matrix runs. Code that uses cryptography follows these rules, so it works on every release from 2.8:

- Before 3.1 every function that makes, loads or signs a key, certificate or CSR (and ``hashes.Hash``,
  ``HKDF``, ``Cipher``, ``load_pem_public_key``, ...) requires a backend: pass ``**backend_kwargs()``.
- ``unsafe_skip_rsa_key_validation`` exists from 39: pass ``**skip_rsa_key_validation_kwargs()``.
- Before 42 certificate validity is a naive datetime in UTC, and from 42 the naive properties warn: read it
  with ``not_valid_before_utc()`` / ``not_valid_after_utc()``.
- Loading a key or reading a signature of a type the release does not know raises ``UnsupportedAlgorithm``
  (not ``ValueError``) on some releases: catch both.
- Available from 2.8, so usable without a check: ``sign``/``verify`` of RSA and EC keys, X25519 with
  ``Encoding.Raw``/``PublicFormat.Raw`` (2.5), ``AESGCM`` (2.0), ``BestAvailableEncryption``. Not before the
  release named, so not usable: ``padding.PSS.DIGEST_LENGTH``/``AUTO`` (37), ``load_pem_x509_certificates``
  (39), ``ec.ECDSA(deterministic_signing=...)`` (43).
- Digests of bytes: ``hashlib``, which needs no backend.

The module files themselves must also parse and run on Python 3.8: no ``match``, no parenthesised context
managers, ``X | Y`` and ``list[int]`` only inside annotations (with ``from __future__ import annotations``),
no ``str.removeprefix``, ``functools.cache``, ``dataclass(slots=..., kw_only=...)`` or ``zip(strict=...)``.
"""

from __future__ import annotations

import datetime
import functools
import importlib.util
import os
import re
import sys
import typing as t

PYTHON_FLOOR = (3, 8)
CRYPTOGRAPHY_FLOOR = (2, 8)
# serialization.pkcs12.serialize_key_and_certificates exists from 3.0 (pkcs12_path).
PKCS12_FLOOR = (3, 0)
_BACKEND_OPTIONAL_FROM = (3, 1)
_SKIP_RSA_KEY_VALIDATION_FROM = (39,)

_ABOUT_VERSION = re.compile(rb"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading numeric parts of a version ('42.0.0.dev1' -> (42, 0, 0)); () when there are none."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def _dotted(parts: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in parts)


def _version_from_about_file(package_dir: str) -> str | None:
    """__version__ as cryptography/__about__.py spells it (every release from 2.8 to 50 has that file)."""
    try:
        with open(os.path.join(package_dir, "__about__.py"), "rb") as handle:
            match = _ABOUT_VERSION.search(handle.read(4096))
    except OSError:
        return None
    return match.group(1).decode("ascii", "replace") if match else None


def installed_cryptography_version() -> str | None:
    """The version of cryptography this Python would import, None when there is none.

    Read from the package's __about__.py without importing it: a run that reuses remembered facts never
    imports cryptography, and on some releases (38) importing even the top-level package costs 10 ms or more.
    """
    imported = sys.modules.get("cryptography")
    if imported is not None:
        return str(getattr(imported, "__version__", "")) or None
    try:
        spec = importlib.util.find_spec("cryptography")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    for package_dir in spec.submodule_search_locations or ():
        version = _version_from_about_file(package_dir)
        if version:
            return version
    try:  # an unusual layout (a zip, a vendored copy): ask the package itself
        import cryptography  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    return str(getattr(cryptography, "__version__", "")) or None


def cryptography_problem() -> str | None:
    """None when this Python and its cryptography are at or above the floors; else a one-line message for the user.

    Cheap enough to call on every run: it never imports cryptography's modules (see
    installed_cryptography_version), and names the interpreter so the user knows which one to fix.
    """
    python = sys.executable or "python"
    found_python = _dotted(tuple(sys.version_info[:3]))
    if tuple(sys.version_info[:2]) < PYTHON_FLOOR:
        return (
            f"alibabacloud.esa needs Python {_dotted(PYTHON_FLOOR)} or later on the target, found Python {found_python} "
            f"({python}): set ansible_python_interpreter to a newer Python that has cryptography {_dotted(CRYPTOGRAPHY_FLOOR)} or later"
        )
    version = installed_cryptography_version()
    if version is None:
        return (
            f"the Python library cryptography is not installed for the target's Python {found_python} ({python}): "
            f"install cryptography {_dotted(CRYPTOGRAPHY_FLOOR)} or later for it (e.g. the python3-cryptography package), "
            "or set ansible_python_interpreter to a Python that has it"
        )
    if version_tuple(version) < CRYPTOGRAPHY_FLOOR:
        return (
            f"cryptography {version} is installed for the target's Python {found_python} ({python}), and alibabacloud.esa "
            f"needs cryptography {_dotted(CRYPTOGRAPHY_FLOOR)} or later: upgrade it, or set ansible_python_interpreter "
            "to a Python that has a newer one"
        )
    return None


def pkcs12_problem() -> str | None:
    """None when this target's cryptography can write a PKCS#12 bundle; else one line naming the version and the floor.

    Like cryptography_problem, it never imports cryptography, so a run whose bundle is current stays cheap.
    """
    version = installed_cryptography_version() or "(none)"
    if version_tuple(version) >= PKCS12_FLOOR:
        return None
    return (
        f"pkcs12_path needs cryptography {_dotted(PKCS12_FLOOR)} or later on the target to write a PKCS#12 bundle, and the target's "
        f"Python ({sys.executable or 'python'}) has cryptography {version}: upgrade it, or leave pkcs12_path out; nothing was asked of ESA"
    )


@functools.lru_cache(maxsize=None)
def _imported_version() -> tuple[int, ...]:
    """The version of the cryptography already imported by the caller (so reading it costs nothing)."""
    import cryptography  # pylint: disable=import-outside-toplevel

    return version_tuple(str(cryptography.__version__))


def backend_kwargs() -> dict[str, t.Any]:
    """``{'backend': default_backend()}`` for releases before 3.1, which require it; ``{}`` from 3.1 on."""
    if _imported_version() >= _BACKEND_OPTIONAL_FROM:
        return {}
    from cryptography.hazmat.backends import default_backend  # pylint: disable=import-outside-toplevel

    return {"backend": default_backend()}


def skip_rsa_key_validation_kwargs() -> dict[str, t.Any]:
    """Skip the RSA private key consistency check (tens of ms) where the release allows it (39 and later)."""
    if _imported_version() >= _SKIP_RSA_KEY_VALIDATION_FROM:
        return {"unsafe_skip_rsa_key_validation": True}
    return {}


def not_valid_before_utc(certificate: t.Any) -> t.Any:
    return _validity_utc(certificate, "not_valid_before")


def not_valid_after_utc(certificate: t.Any) -> t.Any:
    return _validity_utc(certificate, "not_valid_after")


def _validity_utc(certificate: t.Any, name: str) -> t.Any:
    """An aware UTC datetime: the *_utc property from 42 on, the naive one (which is UTC) before."""
    aware = getattr(certificate, f"{name}_utc", None)
    if aware is not None:
        return aware
    return getattr(certificate, name).replace(tzinfo=datetime.timezone.utc)
