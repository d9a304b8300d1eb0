"""One function per ESA action: validate the parameters as ESA does, change the state, build the answer."""

from __future__ import annotations

import dataclasses
import json
import secrets
import typing as t

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from .ca import CertificateAuthority, public_key_algorithm
from .clock import Clock, to_iso, to_plain
from .config import EmulatorConfig, Site
from .errors import ERRORS, EsaError
from .settings import SettingsHolder
from .state import ACTIVE, CA_OK, MANAGED_CA, REVOKED, CertificateRecord, CertificateStore, ClientCaRecord, certificate_facts

CERTIFICATE_TYPE = 'dcdn'  # the value ESA's GetClientCertificate example answers
CLIENT_CA_TYPE = 'upload'
MAX_HOSTNAMES = 50
MAX_CA_NAME = 128
MAX_VALIDITY_DAYS = 3650
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
ALLOWED_CURVES = (ec.SECP256R1, ec.SECP384R1)
DERIVED_FIELDS = ('SerialNumber', 'FingerprintSha256')  # what ESA computes from the certificate and may leave out
# The only actions whose API pages document QuotaCheckFailed.Function: the writes that need the feature.
PLAN_CHECKED_ACTIONS = frozenset({'CreateClientCertificate', 'UploadClientCaCertificate', 'SetClientCaCertificateHostnames',
                                  'SetClientCertificateHostnames'})

Params = t.Mapping[str, str]
Answer = dict[str, t.Any]


@dataclasses.dataclass(frozen=True)
class ActionContext:
    config: EmulatorConfig
    store: CertificateStore
    ca: CertificateAuthority
    clock: Clock
    settings: SettingsHolder
    action: str = ''  # the action being answered, set per call


def _site(ctx: ActionContext, params: Params) -> Site:
    raw = params.get('SiteId', '')
    if raw == '':
        raise EsaError('MissingSiteId')
    site = ctx.config.site(int(raw)) if raw.isascii() and raw.isdigit() else None
    if site is None:
        code = 'SiteNotFound' if ctx.settings.current.site_not_found(ctx.action) else 'InvalidParameter.SiteId'
        raise EsaError(code, reason=f'no site {raw!r}')
    # Reads, revokes and deletes answer normally on such a site: their pages do not document the code.
    if not site.client_certificates and ctx.action in PLAN_CHECKED_ACTIONS:
        raise EsaError('QuotaCheckFailed.Function', reason=f'the plan of site {raw} lacks client certificates')
    return site


def _with_derived_fields(answer: Answer, mode: str) -> Answer:
    """The answer as the settings say ESA sends its derived fields: as computed, as "", or not at all."""
    if mode == 'empty':
        answer.update({name: '' for name in DERIVED_FIELDS})
    elif mode == 'absent':
        for name in DERIVED_FIELDS:
            answer.pop(name, None)
    return answer


def _int(params: Params, name: str, low: int, high: int, default: int | None = None) -> int:
    raw = params.get(name, '')
    if raw == '' and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EsaError('InvalidParameter', reason=f'{name} must be an integer, got {raw!r}') from None
    if not low <= value <= high:
        raise EsaError('InvalidParameter', reason=f'{name} must be within {low}..{high}, got {value}')
    return value


def _record(ctx: ActionContext, site: Site, params: Params) -> CertificateRecord:
    certificate_id = params.get('Id', '')
    if certificate_id == '':
        raise EsaError('Id.MissingParameter')
    record = ctx.store.get(site.site_id, certificate_id)
    if record is None:
        raise EsaError('Certificate.NotFound', reason=f'no certificate {certificate_id!r} on site {site.site_id}')
    return record


def _site_fields(site: Site) -> Answer:
    return {'SiteId': site.site_id, 'SiteName': site.site_name}


def _result(ctx: ActionContext, record: CertificateRecord) -> Answer:
    """The certificate item of Get's `Result` and List's `Result[]`; times as YYYY-MM-DD HH:MM:SS UTC."""
    facts = record.facts
    return _with_derived_fields({
        'Id': record.id,
        'Name': facts.common_name,
        'Status': record.status,
        'Type': CERTIFICATE_TYPE,
        'CommonName': facts.common_name,
        'NotBefore': to_plain(facts.not_before),
        'NotAfter': to_plain(facts.not_after),
        'Issuer': facts.issuer,
        'SAN': facts.san,
        'SignatureAlgorithm': facts.signature_algorithm,
        'PubkeyAlgorithm': facts.pubkey_algorithm,
        'CreateTime': to_plain(record.create_time),
        'UpdateTime': to_plain(record.update_time),
        'CACertificateId': record.ca_certificate_id,
        'SerialNumber': facts.serial_number,
        'FingerprintSha256': facts.fingerprint_sha256,
    }, ctx.settings.current.derived_mode('client_certificates'))


def _public_key_from_csr(pem: str) -> tuple[rsa.RSAPublicKey | ec.EllipticCurvePublicKey, str]:
    """The CSR's key and subject CN, after the checks ESA makes: valid signature, strong key, a CN."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode('utf-8'))
    except ValueError:
        raise EsaError('InvalidParameter', reason='CSR is not a PEM certificate request') from None
    if not csr.is_signature_valid:
        raise EsaError('InvalidParameter', reason='CSR signature does not verify')
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise EsaError('InvalidParameter', reason=f'CSR RSA key of {key.key_size} bits is below 2048')
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ALLOWED_CURVES):
            raise EsaError('InvalidParameter', reason=f'CSR curve {key.curve.name} is neither P-256 nor P-384')
    else:
        raise EsaError('InvalidParameter', reason=f'CSR key type {type(key).__name__} is not RSA or ECDSA')
    names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(names[0].value).strip() if names else ''
    if not 1 <= len(common_name) <= 64:
        raise EsaError('InvalidParameter', reason='CSR subject needs a common name of 1..64 characters')
    return key, common_name


def _generate_key(pkey_type: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if pkey_type == 'RSA':
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if pkey_type == 'ECDSA':
        return ec.generate_private_key(ec.SECP256R1())
    raise EsaError('InvalidParameter', reason=f'PkeyType must be RSA or ECDSA without a CSR, got {pkey_type!r}')


def create_client_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    validity_days = _int(params, 'ValidityDays', 1, MAX_VALIDITY_DAYS)
    certificate_id = secrets.token_hex(16)
    private_key_pem = None
    if params.get('CSR'):
        public_key, common_name = _public_key_from_csr(params['CSR'])
    else:
        # ESA made the key: it is answered once below and never stored.
        private_key = _generate_key(params.get('PkeyType', ''))
        public_key, common_name = private_key.public_key(), certificate_id
        private_key_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()).decode('ascii')
    now = ctx.clock.now_utc()
    certificate = ctx.ca.issue(public_key, common_name, validity_days, now)
    record = CertificateRecord(
        id=certificate_id,
        site_id=site.site_id,
        status=ACTIVE,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode('ascii'),
        ca_certificate_id=ctx.ca.id,
        create_time=now,
        update_time=now,
    )
    ctx.store.add(record)
    facts = record.facts
    answer: Answer = {
        'Id': record.id,
        'Status': record.status,
        'Certificate': record.certificate_pem,
        'CommonName': facts.common_name,
        'NotBefore': to_iso(facts.not_before),
        'NotAfter': to_iso(facts.not_after),
        'Issuer': facts.issuer,
        'SerialNumber': facts.serial_number,
        'FingerprintSha256': facts.fingerprint_sha256,
        'SignatureAlgorithm': facts.signature_algorithm,
        'ValidityDays': validity_days,
        'CACertificateId': record.ca_certificate_id,
    }
    if private_key_pem is not None:
        answer['PrivateKey'] = private_key_pem
    return _with_derived_fields(answer, ctx.settings.current.derived_mode('client_certificates'))


def get_client_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    record = _record(ctx, site, params)
    return {**_site_fields(site), 'Status': record.status, 'Certificate': record.certificate_pem, 'Result': _result(ctx, record)}


def _page(site: t.Any, params: Params, records: list[t.Any], to_result: t.Callable[[t.Any], dict[str, t.Any]]) -> Answer:
    """One page of a listing, as both List actions answer it: PageNumber from 1, PageSize up to 100, TotalCount."""
    page_number = _int(params, 'PageNumber', 1, 2 ** 31 - 1, default=1)
    page_size = _int(params, 'PageSize', 1, MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
    page = records[(page_number - 1) * page_size:page_number * page_size]
    return {
        **_site_fields(site),
        'TotalCount': len(records),
        'PageNumber': page_number,
        'PageSize': page_size,
        'Result': [to_result(record) for record in page],
    }


def list_client_certificates(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    return _page(site, params, ctx.store.ordered(site.site_id), lambda record: _result(ctx, record))


def _change_status(ctx: ActionContext, params: Params, required: str, new: str) -> Answer:
    site = _site(ctx, params)
    with ctx.store.lock:  # check and change as one step, so two concurrent revokes cannot both succeed
        record = _record(ctx, site, params)
        if record.status != required:
            raise EsaError('Certificate.StatusError', reason=f'certificate {record.id} is {record.status}, needs {required}')
        ctx.store.set_status(record, new, ctx.clock.now_utc())
    return {**_site_fields(site), 'Id': record.id}


def revoke_client_certificate(ctx: ActionContext, params: Params) -> Answer:
    return _change_status(ctx, params, ACTIVE, REVOKED)


def activate_client_certificate(ctx: ActionContext, params: Params) -> Answer:
    return _change_status(ctx, params, REVOKED, ACTIVE)


def delete_client_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    with ctx.store.lock:
        record = _record(ctx, site, params)
        if record.status != REVOKED:  # ESA deletes only revoked certificates
            raise EsaError('Certificate.StatusError', reason=f'certificate {record.id} is {record.status}; revoke it before deleting')
        ctx.store.delete(record)
    return {**_site_fields(site), 'Id': record.id}


# --- hostname bindings ------------------------------------------------------------------------------
# Both families bind hostnames to a client CA, the ESA-managed one when Id is omitted; ESA keeps the
# older Get/SetClientCertificateHostnames as aliases of the Ca ones, so they share one binding table.


def _binding_target(ctx: ActionContext, site: Site, params: Params) -> tuple[str, str]:
    """(binding key, the Id to answer): the ESA-managed CA when Id is omitted or names it, else an uploaded CA of the site."""
    ca_id = params.get('Id', '')
    if ca_id in ('', ctx.ca.id):
        return MANAGED_CA, ctx.ca.id
    record = ctx.store.get_client_ca(site.site_id, ca_id)
    if record is None:
        raise EsaError('Certificate.NotFound', reason=f'no client CA certificate {ca_id!r} on site {site.site_id}')
    return record.id, record.id


def _requested_hostnames(site: Site, params: Params) -> list[str]:
    """The JSON list in Hostnames, after ESA's checks: at most 50, each a hostname of the site."""
    raw = params.get('Hostnames')
    if raw is None:
        raise EsaError('InvalidParameter', reason='Hostnames missing')
    try:
        value = json.loads(raw)
    except ValueError:
        raise EsaError('InvalidParameter', reason=f'Hostnames is not a JSON list: {raw[:60]!r}') from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EsaError('InvalidParameter', reason='Hostnames must be a JSON list of strings')
    hostnames = list(dict.fromkeys(item.strip().lower().rstrip('.') for item in value))
    if len(hostnames) > MAX_HOSTNAMES:
        raise EsaError('InvalidParameter', message=f'{ERRORS["InvalidParameter"][1]} Hostnames: at most {MAX_HOSTNAMES} hostnames, got {len(hostnames)}.',
                       reason=f'{len(hostnames)} hostnames')
    known = {name.lower() for name in site.hostnames}
    foreign = [name for name in hostnames if name not in known]
    if foreign:
        # ESA names the offending hostnames in its message; the collection turns that into its own.
        raise EsaError('InvalidParameter',
                       message=f'{ERRORS["InvalidParameter"][1]} Hostnames not on the site: {", ".join(foreign)}.',
                       reason=f'hostnames not on site {site.site_id}: {foreign}')
    return hostnames


def _binding_answer(site: Site, answer_id: str, hostnames: list[str]) -> Answer:
    return {**_site_fields(site), 'Id': answer_id, 'Hostnames': hostnames}


def get_client_ca_certificate_hostnames(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    key, answer_id = _binding_target(ctx, site, params)
    return _binding_answer(site, answer_id, ctx.store.hostnames(site.site_id, key))


def set_client_ca_certificate_hostnames(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    hostnames = _requested_hostnames(site, params)
    with ctx.store.lock:
        key, answer_id = _binding_target(ctx, site, params)
        ctx.store.set_hostnames(site.site_id, key, hostnames)
    return _binding_answer(site, answer_id, hostnames)


# --- client CA certificates ---------------------------------------------------------------------


def _client_ca(ctx: ActionContext, site: Site, params: Params) -> ClientCaRecord:
    ca_id = params.get('Id', '')
    if ca_id == '':
        raise EsaError('Id.MissingParameter')
    record = ctx.store.get_client_ca(site.site_id, ca_id)
    if record is None:
        raise EsaError('Certificate.NotFound', reason=f'no client CA certificate {ca_id!r} on site {site.site_id}')
    return record


def _ca_certificate_from_pem(ctx: ActionContext, pem: str) -> x509.Certificate:
    """ESA's checks on an uploaded client CA: one PEM certificate, basicConstraints CA:TRUE, within its validity."""
    if not pem.strip():
        raise EsaError('InvalidParameter', reason='Certificate missing')
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode('utf-8'))
    except ValueError:
        raise EsaError('InvalidParameter', reason='Certificate is not a PEM certificate') from None
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise EsaError('InvalidParameter', reason='Certificate is not a CA certificate (basicConstraints CA:TRUE)')
    facts = certificate_facts(certificate)
    if not facts.not_before <= ctx.clock.now_utc() <= facts.not_after:
        raise EsaError('InvalidParameter', reason='Certificate is outside its validity period')
    return certificate


def _ca_result(ctx: ActionContext, record: ClientCaRecord) -> Answer:
    """The item of GetClientCaCertificate's `Result` and ListClientCaCertificates' `Result[]`; times as YYYY-MM-DD HH:MM:SS UTC."""
    facts = record.facts
    return _with_derived_fields({
        'Id': record.id,
        'Name': record.name,
        'Status': CA_OK,
        'Type': CLIENT_CA_TYPE,
        'CommonName': facts.common_name,
        'NotBefore': to_plain(facts.not_before),
        'NotAfter': to_plain(facts.not_after),
        'Issuer': facts.issuer,
        'SAN': facts.san,
        'SignatureAlgorithm': facts.signature_algorithm,
        'PubkeyAlgorithm': public_key_algorithm(record.certificate.public_key()),
        'CreateTime': to_plain(record.create_time),
        'UpdateTime': to_plain(record.update_time),
        'SerialNumber': facts.serial_number,
        'FingerprintSha256': facts.fingerprint_sha256,
    }, ctx.settings.current.derived_mode('client_ca_certificates'))


def _refuse_over_limit(ctx: ActionContext, site: Site) -> None:
    """ESA's user guide allows a plan a few client CAs; the upload past them is refused (with a configurable answer)."""
    limit = ctx.settings.current.client_ca_limit
    held = len(ctx.store.ordered_client_cas(site.site_id))
    if limit.max is not None and held >= limit.max:
        raise EsaError(limit.code, status=limit.status, message=limit.message,
                       reason=f'site {site.site_id} holds {held} client CA certificates, the limit is {limit.max}')


def upload_client_ca_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    certificate = _ca_certificate_from_pem(ctx, params.get('Certificate', ''))
    ca_id = secrets.token_hex(16)
    # Without a Name, the CA is listed under its common name.
    name = params.get('Name', '').strip() or certificate_facts(certificate).common_name or ca_id
    if len(name) > MAX_CA_NAME:
        raise EsaError('InvalidParameter', reason=f'Name longer than {MAX_CA_NAME} characters')
    now = ctx.clock.now_utc()
    record = ClientCaRecord(id=ca_id, site_id=site.site_id, name=name, certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode('ascii'),
                            create_time=now, update_time=now)
    with ctx.store.lock:  # count and add as one step, so two concurrent uploads cannot both take the last slot
        _refuse_over_limit(ctx, site)
        ctx.store.add_client_ca(record)
    facts = record.facts
    return _with_derived_fields({
        'Id': record.id,
        'Status': CA_OK,
        'CommonName': facts.common_name,
        'NotBefore': to_iso(facts.not_before),
        'NotAfter': to_iso(facts.not_after),
        'Issuer': facts.issuer,
        'SerialNumber': facts.serial_number,
        'FingerprintSha256': facts.fingerprint_sha256,
        'SignatureAlgorithm': facts.signature_algorithm,
        # The API reference types this one as a string ("300"), unlike CreateClientCertificate's number.
        'ValidityDays': str(round((facts.not_after - facts.not_before).total_seconds() / 86400)),
    }, ctx.settings.current.derived_mode('client_ca_certificates'))


def get_client_ca_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    record = _client_ca(ctx, site, params)
    return {**_site_fields(site), 'Status': CA_OK, 'Certificate': record.certificate_pem, 'Result': _ca_result(ctx, record)}


def list_client_ca_certificates(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    return _page(site, params, ctx.store.ordered_client_cas(site.site_id), lambda record: _ca_result(ctx, record))


def delete_client_ca_certificate(ctx: ActionContext, params: Params) -> Answer:
    site = _site(ctx, params)
    with ctx.store.lock:
        record = _client_ca(ctx, site, params)
        ctx.store.delete_client_ca(record)
    return {**_site_fields(site), 'Id': record.id}


ACTIONS: dict[str, t.Callable[[ActionContext, Params], Answer]] = {
    'CreateClientCertificate': create_client_certificate,
    'GetClientCertificate': get_client_certificate,
    'ListClientCertificates': list_client_certificates,
    'RevokeClientCertificate': revoke_client_certificate,
    'ActivateClientCertificate': activate_client_certificate,
    'DeleteClientCertificate': delete_client_certificate,
    'GetClientCertificateHostnames': get_client_ca_certificate_hostnames,
    'SetClientCertificateHostnames': set_client_ca_certificate_hostnames,
    'GetClientCaCertificateHostnames': get_client_ca_certificate_hostnames,
    'SetClientCaCertificateHostnames': set_client_ca_certificate_hostnames,
    'UploadClientCaCertificate': upload_client_ca_certificate,
    'GetClientCaCertificate': get_client_ca_certificate,
    'ListClientCaCertificates': list_client_ca_certificates,
    'DeleteClientCaCertificate': delete_client_ca_certificate,
}
