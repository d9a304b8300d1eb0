"""Fixtures for the emulator's tests: official SDK clients pointed at the emulator, keys and CSRs."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import http.client
import json
import typing as t
import urllib.parse
import uuid

import pytest
from alibabacloud_esa20240910 import models
from alibabacloud_esa20240910.client import Client
from alibabacloud_tea_openapi.utils import Utils
from alibabacloud_tea_openapi.utils_models import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from darabonba.request import DaraRequest

SITE_ID = 1234567890123


def pytest_configure(config: pytest.Config) -> None:
    # The SDK stamps x-acs-date with datetime.utcnow(), deprecated since Python 3.12: not ours to fix.
    config.addinivalue_line('filterwarnings', 'ignore:datetime.datetime.utcnow:DeprecationWarning')


class RecordingClient(Client):
    """The official client, unchanged, that also keeps each raw answer so tests can compare it with the model."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.raw_answers: list[dict[str, t.Any]] = []

    def call_api(self, params: t.Any, request: t.Any, runtime: t.Any) -> dict[str, t.Any]:
        answer = super().call_api(params, request, runtime)
        self.raw_answers.append(answer)
        return answer


@pytest.fixture
def make_client(esa_emulator: t.Any) -> t.Callable[..., RecordingClient]:
    def factory(**overrides: t.Any) -> RecordingClient:
        settings = {**esa_emulator.credentials, 'endpoint': esa_emulator.endpoint, 'protocol': 'http',
                    'read_timeout': 10000, 'connect_timeout': 5000, **overrides}
        return RecordingClient(Config(**settings))
    return factory


@pytest.fixture
def client(make_client: t.Callable[..., RecordingClient]) -> RecordingClient:
    return make_client()


# Made at import, in the test worker: ansible-test runs each test in a fork, which inherits these
# instead of generating RSA keys (the slowest step of these tests) once per test.
KEYS: dict[str, t.Any] = {
    'rsa2048': rsa.generate_private_key(public_exponent=65537, key_size=2048),
    'rsa1024': rsa.generate_private_key(public_exponent=65537, key_size=1024),
    'p256': ec.generate_private_key(ec.SECP256R1()),
    'p384': ec.generate_private_key(ec.SECP384R1()),
    'p521': ec.generate_private_key(ec.SECP521R1()),
    'ed25519': ed25519.Ed25519PrivateKey.generate(),
}


@pytest.fixture
def keys() -> dict[str, t.Any]:
    return KEYS


def build_csr(key: t.Any, common_name: str | None = 'client.example.com') -> str:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else [x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'x')]
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(attributes)).sign(key, algorithm)
    return csr.public_bytes(serialization.Encoding.PEM).decode('ascii')


@pytest.fixture
def make_csr() -> t.Callable[..., str]:
    return build_csr


@pytest.fixture
def create(client: RecordingClient, keys: dict[str, t.Any]) -> t.Callable[..., t.Any]:
    """Create a certificate from a CSR (P-256 key by default) through the SDK and return the SDK response body."""
    def factory(common_name: str = 'client.example.com', validity_days: int = 30, key: str = 'p256',
                site_id: int = SITE_ID) -> models.CreateClientCertificateResponseBody:
        request = models.CreateClientCertificateRequest(site_id=site_id, csr=build_csr(keys[key], common_name), validity_days=validity_days)
        return client.create_client_certificate(request).body
    return factory


def build_ca_certificate(key: t.Any, common_name: str = 'Example Client CA', *, ca: bool = True, days: int = 3650,
                         starts: datetime.datetime | None = None, basic_constraints: bool = True, digest: t.Any = None) -> str:
    """A self-signed certificate (PEM), CA:TRUE by default, valid from a day ago unless `starts` says otherwise."""
    starts = starts or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=1)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(starts).not_valid_after(starts + datetime.timedelta(days=days)))
    if basic_constraints:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    return builder.sign(key, digest or hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode('ascii')


@pytest.fixture
def make_ca_pem() -> t.Callable[..., str]:
    return build_ca_certificate


@dataclasses.dataclass
class RawAnswer:
    status: int
    body: dict[str, t.Any]
    headers: dict[str, str]  # lower-cased names


def send_signed(emu: t.Any, *, action: str = 'ListClientCertificates', query: dict[str, str] | None = None, body: bytes = b'',
                method: str = 'GET', key_id: str | None = None, secret: str | None = None, date: str | None = None,
                nonce: str | None = None, tamper: t.Callable[..., t.Any] | None = None,
                extra_headers: dict[str, str] | None = None) -> RawAnswer:
    """Sign like the SDK (its own signer), apply `tamper(headers, query, body)`, send over plain http.client.

    The SDK never sends a broken request nor shows an answer's headers, hence this.
    """
    query = dict(query if query is not None else {'SiteId': str(SITE_ID)})
    headers = {
        'host': emu.endpoint,
        'x-acs-version': '2024-09-10',
        'x-acs-action': action,
        'user-agent': 'raw-test',
        'x-acs-date': date or datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'x-acs-signature-nonce': nonce or uuid.uuid4().hex,
        'accept': 'application/json',
        **(extra_headers or {}),
    }
    if body:
        headers['content-type'] = 'application/x-www-form-urlencoded'
    headers['x-acs-content-sha256'] = hashlib.sha256(body).hexdigest()
    request = DaraRequest()
    request.method, request.pathname, request.query, request.headers = method, '/', query, headers
    headers['Authorization'] = Utils.get_authorization(request, 'ACS3-HMAC-SHA256', headers['x-acs-content-sha256'],
                                                       key_id or emu.credentials['access_key_id'],
                                                       secret or emu.credentials['access_key_secret'])
    if tamper:
        headers, query, body = tamper(dict(headers), dict(query), body)
    connection = http.client.HTTPConnection(emu.host, emu.port, timeout=5)
    try:
        connection.request(method, '/?' + urllib.parse.urlencode(query), body=body, headers=headers)
        answer = connection.getresponse()
        return RawAnswer(answer.status, json.loads(answer.read()), {name.lower(): value for name, value in answer.getheaders()})
    finally:
        connection.close()


@pytest.fixture
def signed_call(esa_emulator: t.Any) -> t.Callable[..., RawAnswer]:
    """send_signed bound to the test's emulator."""
    return lambda **kwargs: send_signed(esa_emulator, **kwargs)
