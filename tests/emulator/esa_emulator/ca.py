"""The emulator's own client-certificate CA: key and certificate, persistence, and issuance."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import re
import functools
import secrets
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_COMMON_NAME = 'ESA Emulator Client CA'
SIGNATURE_ALGORITHM = 'SHA256-RSA'  # ESA's name for what the CA signs with

_LABEL = r'(?!-)[A-Za-z0-9-]{1,63}(?<!-)'
_HOSTNAME_RE = re.compile(rf'^(\*\.)?{_LABEL}(\.{_LABEL})+$')


def looks_like_hostname(name: str) -> bool:
    """A dotted LDH name (optionally one leading wildcard): only those become a DNS SAN."""
    return len(name) <= 253 and bool(_HOSTNAME_RE.match(name))


def public_key_algorithm(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | object) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return 'RSA'
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 'ECDSA'
    return type(key).__name__


def _write_private_file(path: str, data: bytes) -> None:
    """Atomically write a file that is 0600 from its first byte (it holds the CA's private key)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix='.ca-', dir=directory)  # mkstemp creates mode 0600
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def signature_algorithm_of(certificate: x509.Certificate) -> str:
    """ESA's HASH-KEYTYPE name (SHA256-RSA, SHA384-ECDSA) of what signed a certificate."""
    hash_algorithm = certificate.signature_hash_algorithm
    oid_name = (getattr(certificate.signature_algorithm_oid, '_name', '') or '').lower()
    key_type = 'ECDSA' if 'ecdsa' in oid_name else 'RSA' if 'rsa' in oid_name else None
    if hash_algorithm is None or key_type is None:
        return oid_name or 'unknown'
    return f'{hash_algorithm.name.upper()}-{key_type}'


class CertificateAuthority:
    def __init__(self, key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> None:
        self._key = key
        self.certificate = certificate
        self.certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode('ascii')
        self.common_name = str(certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
        # ESA names its CA by a 32-hex id; deriving it from the certificate keeps it stable across restarts.
        self.id = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()[:32]

    @classmethod
    def generate(cls, now: datetime.datetime) -> CertificateAuthority:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            # Back-dated so leaves issued under a negative test clock offset still fall inside the CA's life.
            .not_valid_before(now - datetime.timedelta(days=2))
            .not_valid_after(now + datetime.timedelta(days=365 * 30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    @classmethod
    def load_or_create(cls, path: str | None, now: datetime.datetime) -> CertificateAuthority:
        """The CA kept at `path` (key + certificate PEM), created there if missing; without a path, the shared in-memory CA."""
        if not path:
            return shared_authority()
        if os.path.exists(path):
            with open(path, 'rb') as handle:
                data = handle.read()
            key = serialization.load_pem_private_key(data, password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f'{path}: the CA key must be RSA')
            return cls(key, x509.load_pem_x509_certificate(data))
        authority = cls.generate(now)
        _write_private_file(path, authority.key_pem() + authority.certificate_pem.encode('ascii'))
        return authority

    def key_pem(self) -> bytes:
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def issue(self, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, common_name: str, validity_days: int,
              now: datetime.datetime) -> x509.Certificate:
        """A clientAuth leaf for `public_key`, valid from `now` for `validity_days` days."""
        is_rsa = isinstance(public_key, rsa.RSAPublicKey)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            # 128 bits with the top bit set: always 32 hex digits, never a leading zero to disagree about.
            .serial_number(secrets.randbits(128) | (1 << 127))
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=validity_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=is_rsa, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
        )
        if looks_like_hostname(common_name):
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        return builder.sign(self._key, hashes.SHA256())

    def issue_server(self, public_key: ec.EllipticCurvePublicKey, host: str, now: datetime.datetime) -> x509.Certificate:
        """A serverAuth leaf for the emulator's own TLS mode, naming `host` (an IP address or a name)."""
        try:
            alternative: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            alternative = x509.DNSName(host)
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
            # Python 3.13 verifies strictly (VERIFY_X509_STRICT): a leaf without these is refused even by a client trusting the CA.
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )


@functools.cache
def shared_authority() -> CertificateAuthority:
    """The one CA of every in-memory emulator in this process.

    RSA key generation is most of an emulator's start-up, and tests start many emulators (ansible-test
    even forks a process per test), so they share one CA, best made before the forks.
    """
    return CertificateAuthority.generate(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0))
