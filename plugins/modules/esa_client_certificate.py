#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esa_client_certificate
short_description: Issue and keep an mTLS client certificate from Alibaba Cloud ESA
version_added: 1.0.0
description:
  - Issues a client certificate (clientAuth) from the CA that Alibaba Cloud ESA (Edge Security Acceleration) manages for a site,
    writes it and its private key to the target, and keeps them fresh.
  - Idempotent. The certificate already on disk is compared with what ESA knows (SHA-256 fingerprint, status) and with the options
    (key, CSR, key type, remaining lifetime); a new certificate is issued only when something is wrong, and RV(reasons) says what.
  - Every ESA call runs on the controller, in the action plugin of the same name. The target only reads files, generates the key
    and CSR (O(key_source=local)) and writes files, so it needs Python and C(cryptography), and no Alibaba Cloud SDK or credentials.
    With O(key_source=local) the private key is generated on the target and never leaves it.
  - Files are written to a temporary file in the same directory and renamed; the key first and the certificate second, so an
    interrupted run leaves the old pair or a detectable key mismatch that the next run repairs. A new key is never readable by
    group or others, not even while it is being written.
  - The ESA id of each certificate is kept beside it in C(<path>.esa.json), so a run with nothing to do makes at most one ESA read.
    If that file is lost the certificate is found again by fingerprint, once.
  - Owner, group, mode and SELinux context (and O(privatekey_mode) for a key the collection manages) are applied on every run,
    also when no certificate is issued; a run that only corrects them reports C(changed) with empty RV(reasons).
author:
  - alibabacloud.esa contributors (@alibabacloud)
requirements:
  - >-
    on the managed hosts, which make the keys and write the files, Python 3.8 or later with the Python package cryptography
    2.8 or later (no Alibaba Cloud SDK, no credentials); 3.0 or later with O(pkcs12_path)
options:
  site_id:
    description:
      - The ESA site whose client CA issues the certificate.
      - The numeric id of the ESA site (for example V(1234567890123)), not its name; the ESA console shows it in the site list,
        and ESA's C(ListSites) API returns it as C(SiteId).
    type: int
    required: true
  state:
    description:
      - V(present) issues the certificate when it is missing or needs replacing.
      - V(absent) revokes the certificate on ESA if it is active, and removes the certificate file, the private key the
        collection manages and the bookkeeping file. ESA keeps the revoked record, so the revocation stays visible in revoked
        lists; O(delete_record=true) deletes it too.
      - Before revoking or deleting anything on ESA, the host must prove it holds the certificate's private key (it signs a
        random challenge of the controller's, which is checked against the public key of the certificate ESA returns for the
        id). Without that proof (no O(privatekey_path), the key gone or replaced) only the local files are removed, and a
        warning names the certificate left untouched on ESA.
    type: str
    default: present
    choices: [present, absent]
  path:
    description:
      - The certificate file (PEM) on the target.
    type: path
    required: true
  privatekey_path:
    description:
      - The private key file (PEM, PKCS#8, unencrypted) on the target. An encrypted key is refused, before anything is asked of ESA.
      - Required unless O(csr_path) or O(csr_content) is given. With a CSR it is optional; when given it must hold the CSR's key
        (otherwise no certificate issued from the CSR could ever match it), it is checked against the certificate and used to
        prove possession before a revocation, and the collection neither writes nor removes it.
      - Must name another file than O(path), O(csr_path) and the bookkeeping file.
    type: path
  privatekey_mode:
    description:
      - The mode of the private key file, O(privatekey_path), when the collection writes that key (not with O(csr_path) or
        O(csr_content), where the key is yours and left as it is). O(mode) never applies to the key.
      - Keys are created V(0600) from their first byte; a wider mode is applied only once the file is whole.
      - Octal as a quoted string (for example V('0640')) or a symbolic mode, as for O(mode).
    type: raw
    default: '0600'
  mode:
    description:
      - The mode of the certificate file, O(path); its bookkeeping file C(<path>.esa.json) gets the same mode without execute bits.
        The private key's mode is O(privatekey_mode), never this.
      - Without it, a new certificate is readable by all (within the C(umask)), as public certificates are, and an existing
        certificate keeps its mode.
      - Quote octal modes (for example V('0644')) so Ansible receives a string; a symbolic mode (for example V(u=rw,g=r,o=r)) works too.
      - O(owner), O(group) and the SELinux options apply to both the certificate and the private key the collection writes.
    type: raw
  csr_path:
    description:
      - Issue from the certificate signing request in this file on the target, instead of generating a key.
      - The host reads the file, so the controller checks the CSR before anything is sent to ESA (see O(common_name)); its
        subject must be exactly C(CN=<common_name>) and its key of the type O(pkey_type) names.
      - Mutually exclusive with O(csr_content).
    type: path
  csr_content:
    description:
      - Issue from this certificate signing request (PEM). Mutually exclusive with O(csr_path).
      - The play gives this CSR, so its common name is the play's choice; the controller sends it to ESA as the task gave it
        (not as the host echoes it), after the same checks as O(csr_path). With O(common_name) set, the CSR must carry exactly that name.
    type: str
  key_source:
    description:
      - V(local) generates the private key on the target (of type O(pkey_type)) and sends ESA only a CSR.
      - V(esa) lets ESA generate the key; ESA returns it once, in the answer to the create call, and it is written to O(privatekey_path).
        The key then passes through the controller's memory, never its disk or output. It travels to the target sealed (X25519,
        AES-256-GCM) for a one-time key that the target made and keeps in a C(0600) file beside O(privatekey_path), so the
        module arguments (which Ansible writes to the target's temporary directory when pipelining is off) never hold it in clear.
      - With V(esa), ESA chooses the subject, so O(common_name) cannot be set.
      - Ignored when a CSR is given.
    type: str
    default: local
    choices: [local, esa]
  pkey_type:
    description:
      - The private key type, V(RSA) (2048 bits) or V(ECDSA) (P-256). A certificate whose key has another type is reissued.
      - With O(csr_path) or O(csr_content) the CSR's key must be of this type (RSA of 2048, 3072 or 4096 bits; ECDSA on P-256),
        or the CSR is refused before anything is sent to ESA.
      - With O(key_source=esa) this is sent to ESA as C(PkeyType). ESA's documentation shows only V(RSA); V(ECDSA) is not confirmed
        by any public source. If ESA refuses it, the message names the value; O(key_source=local) (a CSR) works with either type.
    type: str
    default: RSA
    choices: [RSA, ECDSA]
  common_name:
    description:
      - The identity ESA certifies, 1 to 64 characters. It is decided on the controller, never by the host, since a compromised
        host could otherwise have another host's identity certified.
      - With O(key_source=local) it is the subject of the CSR the host makes. Defaults to the host's C(inventory_hostname)
        (before 3.0.0 the default was the name the host reported for itself).
      - With O(csr_path) the CSR must carry exactly this common name; it defaults to C(inventory_hostname) too.
      - With O(csr_content) it defaults to the CSR's own common name (the play gave the CSR); when set the CSR must carry it.
      - Every CSR, whatever its source, is parsed on the controller and refused (before any ESA call, in one line that ends with
        C(nothing was sent to ESA)) unless its subject is exactly this one CN, it asks for no extension other than
        C(keyUsage), C(extendedKeyUsage) (clientAuth only), C(basicConstraints) (not a CA) and a subject alternative name
        equal to C(DNS:<common_name>), its key is of the type O(pkey_type) names, and it is under 16 KiB.
      - The certificate ESA issues is checked too (subject and public key) before the host receives it; a wrong one is revoked
        and deleted on ESA and never written.
      - A certificate with another common name is reissued, with reason V(common_name_changed) (V(csr_mismatch) with a CSR,
        whose common name is then not the certificate's).
      - Refused with O(key_source=esa), since ESA chooses the subject of a certificate whose key it generates.
    type: str
  validity_days:
    description:
      - Lifetime of a newly issued certificate, 1 to 3650 days. Changing it does not by itself reissue a certificate.
    type: int
    default: 365
  remaining_days:
    description:
      - Reissue when fewer than this many days remain before the certificate expires.
      - Defaults to a third of the certificate's lifetime. Must be below O(validity_days), or every new certificate would already
        be due and every run would issue another.
    type: int
  verify_remote:
    description:
      - Confirm on ESA that the certificate on disk is the one ESA knows (same SHA-256 fingerprint) and that it is still V(active).
      - This costs one ESA read per run. With V(false) only the files are checked.
    type: bool
    default: true
  rotate_key:
    description:
      - Generate a new private key on every reissue (O(key_source=local)). With V(false) the existing key is reused when it is usable.
    type: bool
    default: true
  revoke_replaced:
    description:
      - Revoke the replaced certificate on ESA once the new files are in place.
      - Only a certificate that ESA confirms is the replaced file's (by the fingerprint of the PEM ESA returns) and whose private
        key the host proves it held (by signing a challenge with the key at O(privatekey_path) before it is replaced) is revoked;
        otherwise a warning names the certificate left active. Needs O(privatekey_path), also with a CSR.
      - This revokes inside the task, before any handler reloads the service that uses the certificate.
    type: bool
    default: false
  force:
    description:
      - Reissue regardless of the state of the files and of ESA. This is the one option that does not settle; every run with it
        issues a new certificate.
    type: bool
    default: false
  on_revoked:
    description:
      - What to do when ESA reports the certificate on disk as revoked.
      - V(reissue) issues a new one, with a warning naming the revoked certificate.
      - V(fail) fails the task before anything is issued or written, for teams whose revocations mean "this host is out".
    type: str
    default: reissue
    choices: [reissue, fail]
  delete_record:
    description:
      - With O(state=absent), also delete the certificate's record on ESA after revoking it. Revoked records stay listed on ESA
        otherwise, which keeps the revocation visible; whether ESA's edge still refuses a deleted certificate is not documented.
    type: bool
    default: false
  backup:
    description:
      - Keep a timestamped copy of replaced or removed files (the certificate, the key, and the O(pkcs12_path) bundle and
        O(fullchain_path) file when they are rewritten). Key and bundle backups keep their mode from their first byte.
    type: bool
    default: false
  return_content:
    description:
      - Return the certificate PEM in RV(certificate_pem). The private key is never returned.
    type: bool
    default: false
  pkcs12_path:
    description:
      - Also write the certificate and its private key as a PKCS#12 bundle to this file on the target, for clients that load
        one instead of a PEM pair (Java, .NET, many agents).
      - The bundle is made on the target from the key file, so the key never leaves the host. It is created with mode V(0600)
        from its first byte in the same directory and renamed into place, with the owner and group of the key file.
      - It is rewritten only when the certificate, the key, O(pkcs12_passphrase), O(pkcs12_friendly_name) or
        O(ca_certificate_content) changed, or the bundle is missing, was altered or is not V(0600). To decide that without
        the passphrase, the bookkeeping file C(<path>.esa.json) records an HMAC keyed with the private key file's bytes,
        and the SHA-256 of the bundle written; never the passphrase. A change of the bundle alone makes no ESA write.
      - Needs O(privatekey_path) and O(pkcs12_passphrase), and the Python package cryptography 3.0 or later on the target;
        with an older one the task fails before anything is asked of ESA, naming the version found.
      - O(state=absent) removes it.
    type: path
    version_added: 3.0.0
  pkcs12_passphrase:
    description:
      - The passphrase that encrypts the PKCS#12 bundle (O(pkcs12_path)); required with it, not empty.
      - It is C(no_log), never returned and never stored on the target except inside the bundle's encryption.
      - Like every module argument, it travels to the target with the module's arguments, over the connection; with
        pipelining off, Ansible writes those arguments into a file in its private temporary directory on the target
        (C(~/.ansible/tmp), removed when the module ends). Use pipelining where the target's other users must not find it there.
      - The encryption is cryptography's C(BestAvailableEncryption), which from cryptography 38 is AES-256-CBC with PBKDF2 and
        an HMAC-SHA256 MAC; releases before 38 write 3DES with a SHA-1 MAC, which old Java and .NET read too.
    type: str
    version_added: 3.0.0
  pkcs12_friendly_name:
    description:
      - The friendly name of the certificate and key in the PKCS#12 bundle, which Java uses as the alias. Without it the bundle has none.
    type: str
    version_added: 3.0.0
  ca_certificate_content:
    description:
      - One or more CA certificates (PEM) to include in the PKCS#12 bundle and to write after the certificate in O(fullchain_path).
      - ESA's API returns only the id of the CA it manages for a site, not its certificate, so the chain cannot come from ESA.
        Give the issuing CA's certificate from where you obtained it (the ESA console, or your own CA uploaded with
        M(alibabacloud.esa.esa_client_ca_certificate)); the local ESA emulator serves its CA at C(/_emulator/ca.pem).
      - Checked on the controller before anything is asked of ESA (at most 8 certificates, and no private key or other PEM block).
    type: str
    version_added: 3.0.0
  fullchain_path:
    description:
      - Also write the certificate followed by O(ca_certificate_content) to this file on the target, for clients that present
        their chain. It gets the certificate's mode, owner and group, and is rewritten only when its content would change.
      - Needs O(ca_certificate_content). O(state=absent) removes it.
    type: path
    version_added: 3.0.0
notes:
  - Check mode makes the same decision and reports the same C(changed) and RV(reasons), with ESA reads allowed and no ESA write
    and no file write. A directory of O(path) or O(privatekey_path) that does not exist yet (an earlier task, skipped in
    check mode, would create it) predicts a new certificate (reason V(missing)); a real run still fails on it, before any ESA call.
  - The result has the same keys in every mode (check or real, issue or not), V(null) where there is nothing to report.
  - The common name of a certificate ESA generates the key for (O(key_source=esa)) is chosen by ESA.
  - ESA copies only the common name from a CSR, so a CSR is compared with the certificate by public key and common name.
  - Trust boundary. The controller holds site-wide credentials, a managed host holds one certificate. The id kept in
    C(<path>.esa.json) is only a lookup hint. ESA's record counts as the file's only when the certificate ESA returns for it
    has the file's fingerprint (computed from ESA's PEM), otherwise the certificate is searched by fingerprint; and nothing is
    revoked or deleted unless the host proves it holds the key. A copied public certificate or an edited bookkeeping file can
    never make the controller revoke another host's certificate.
  - When ESA's record is read, the certificate ESA returns decides expiry; the facts the target remembers are only a cache,
    and a malformed one is ignored.
  - The bookkeeping file gets the certificate's owner, group and mode (without execute bits). Files larger than 1 MiB, FIFOs,
    sockets and devices at any of the paths are refused or ignored without being read.
  - C(--diff) shows the certificate's facts before and after with the RV(reasons); in check mode the certificate that would be issued
    (common name, key type, where the key comes from, validity, reasons, the certificate it would revoke); the owner, group and mode
    changes of the files; the PKCS#12 bundle and full-chain file the run writes (C(writes)); and with O(state=absent) what would be
    revoked, deleted and removed.
  - O(unsafe_writes) is honoured. Files are replaced by a rename; where a rename cannot replace them (a file bind-mounted into a
    container, for example), the task fails unless O(unsafe_writes=true), which writes the new content into the file in place. A key
    file is narrowed to C(0600) before the new key is written into it.
  - Every combination of options settles (a second run reports no change) except O(force=true); combinations that could not
    settle are refused before any ESA write.
  - Every step on the target (inspect, prepare, install, maintain, remove) is an execution of this module, run by the action
    plugin through ansible-core's public module execution, so a no-op takes one execution on the target and an issue two or three.
seealso:
  - module: alibabacloud.esa.esa_client_certificate_info
  - module: alibabacloud.esa.esa_client_certificate_revoke
    description: Revoke replaced certificates after the service reloaded, and decommission hosts.
  - ref: ansible_collections.alibabacloud.esa.docsite.guide_rollout.role
    description: The alibabacloud.esa.client_certificate role, which creates the directory, issues the certificate, reloads the service and verifies.
  - ref: ansible_collections.alibabacloud.esa.docsite.guide_rollout
    description: Rolling certificates out across a fleet, with reloads and deferred revocation.
extends_documentation_fragment:
  - ansible.builtin.files
  - alibabacloud.esa.esa_connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.FLOW
  - ansible.builtin.action_common_attributes.FILES
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
  safe_file_operations:
    support: full
  vault:
    support: none
  action_group:
    support: full
    membership:
      - alibabacloud.esa.esa
"""

EXAMPLES = r"""
# Each task below runs on its own. Connection options come from the controller's environment (for example
# ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET) or from module_defaults, as in the third task.
- name: Create the directory of the certificate and its key
  ansible.builtin.file:
    path: /etc/pki/mtls
    state: directory
    mode: "0755"

- name: Give this host an mTLS client certificate; the key is made here and never leaves
  alibabacloud.esa.esa_client_certificate:
    site_id: 1234567890123
    path: /etc/pki/mtls/client.crt
    privatekey_path: /etc/pki/mtls/client.key
    common_name: "{{ inventory_hostname }}"
    validity_days: 90
    remaining_days: 30
  register: client_certificate
  # When it changed, reload the service that uses the files, and only then revoke the replaced certificate: the
  # role alibabacloud.esa.client_certificate does both, and the rollout guide shows the tasks.

- name: Issue from a CSR the application made; its key stays where it is
  module_defaults:
    group/alibabacloud.esa.esa:  # connection options once for every module of the collection
      region: ap-southeast-1
  block:
    - name: The application's key and CSR (openssl stands in for the application; made once)
      ansible.builtin.command:
        cmd: >-
          openssl req -new -newkey rsa:2048 -nodes -subj /CN=app.example.com
          -keyout /etc/pki/mtls/app.key -out /etc/pki/mtls/app.csr
        creates: /etc/pki/mtls/app.csr
      check_mode: false  # under --check too: the certificate task reads the CSR

    - name: Issue a certificate for that CSR
      alibabacloud.esa.esa_client_certificate:
        site_id: 1234567890123
        path: /etc/pki/mtls/app.crt
        csr_path: /etc/pki/mtls/app.csr
        common_name: app.example.com  # the CSR must carry exactly this CN (default: the inventory hostname)

- name: Let ESA generate the key (returned once, written with mode 0600); ESA chooses the subject
  alibabacloud.esa.esa_client_certificate:
    site_id: 1234567890123
    path: /etc/pki/mtls/esa.crt
    privatekey_path: /etc/pki/mtls/esa.key
    key_source: esa

- name: Also write the pair as a PKCS#12 bundle (0600) for a Java client; the key is bundled on the host
  alibabacloud.esa.esa_client_certificate:
    site_id: 1234567890123
    path: /etc/pki/mtls/client.crt
    privatekey_path: /etc/pki/mtls/client.key
    pkcs12_path: /etc/pki/mtls/client.p12
    # Keep the real passphrase in Ansible Vault; add ca_certificate_content (the issuing CA's PEM) to bundle the CA too.
    pkcs12_passphrase: "{{ client_p12_passphrase | default('changeit') }}"
    pkcs12_friendly_name: client

- name: Retire the certificate (revoke on ESA, keeping the revoked record, and remove the files)
  alibabacloud.esa.esa_client_certificate:
    site_id: 1234567890123
    path: /etc/pki/mtls/client.crt
    privatekey_path: /etc/pki/mtls/client.key
    state: absent
"""

RETURN = r"""
reasons:
  description:
    - Why the certificate was (or, in check mode, would be) issued; empty when nothing changed.
    - Any of V(missing), V(unreadable), V(key_mismatch), V(csr_mismatch), V(common_name_changed), V(key_type_changed), V(expiring),
      V(not_found_remote), V(fingerprint_mismatch), V(revoked), V(forced); with O(state=absent), V(absent).
    - V(csr_mismatch) means the CSR (O(csr_path) or O(csr_content)) has another public key or common name than the certificate;
      V(common_name_changed) means O(common_name) names another identity than the certificate carries, without a CSR
      (before 3.0.0 this was reported as V(csr_mismatch)).
  returned: always
  type: list
  elements: str
  sample: [expiring]
certificate:
  description:
    - Facts of the certificate now on disk (after the run), as ESA and the file report them.
    - V(null) when there is none, for example in check mode on a host that has no certificate yet, so that
      C(result.certificate.id) never fails on a missing key (changed in 3.0.0; before, the key was left out).
  returned: with O(state=present), always
  type: dict
  contains:
    id:
      description: The ESA id of the certificate.
      type: str
      sample: babaded901474b9693acf530e0fb1d95
    site_id:
      description: The ESA site.
      type: int
      sample: 1234567890123
    status:
      description: V(active) or V(revoked) as ESA reports it; null when ESA was not asked (O(verify_remote=false)).
      type: str
      sample: active
    common_name:
      description: Subject common name.
      type: str
      sample: web01.example.com
    serial_number:
      description: Serial number, lower-case hex.
      type: str
      sample: 4f3a9e0c0d1b2a3c4d5e6f708192a3b4
    fingerprint_sha256:
      description: Lower-case hex SHA-256 of the certificate's DER encoding.
      type: str
      sample: 1dc5fc9af4eead2570c70d94b416130baeb6d4429b51fd3557379588456aca66
    not_before:
      description: Start of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
      sample: '2026-11-28T10:00:00Z'
    not_after:
      description: End of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
      sample: '2027-11-28T10:00:00Z'
    signature_algorithm:
      description: Signature algorithm as ESA names it.
      type: str
      sample: SHA256-RSA
    issuer:
      description: Common name of the issuing CA.
      type: str
      sample: ESA CA
    ca_certificate_id:
      description: The ESA id of the issuing CA, when known.
      type: str
      sample: babaded901474b9693acf530e0fb1dbb
    validity_days:
      description: Lifetime in days.
      type: int
      sample: 365
    remaining_days:
      description: Whole days left before expiry (negative once expired).
      type: int
      sample: 364
replaced_certificate:
  description:
    - The certificate that was replaced, when it was known; in check mode, the one that would be replaced.
    - V(null) when no certificate was (or would be) replaced (changed in 3.0.0; before, the key was left out).
  returned: with O(state=present), always
  type: dict
  contains:
    id:
      description:
        - Its ESA id, when ESA confirmed which certificate the replaced file was (by the fingerprint of ESA's PEM) and this host
          proved it held its private key (RV(replaced_certificate.possession_proven)); V(null) otherwise, so that an id a host
          merely claims cannot be acted on (changed in 3.0.0).
      type: str
    fingerprint_sha256:
      description: Its fingerprint.
      type: str
    revoked:
      description: Whether it was (in check mode, would be) revoked on ESA by this run (O(revoke_replaced)).
      type: bool
    possession_proven:
      description:
        - Whether this host proved it held the replaced certificate's private key (it signed a challenge of the controller's
          with the key in place before the new one, checked against the public key of ESA's copy of the certificate).
        - Act on RV(replaced_certificate.id) later (for example, revoke it after a reload) only when this is V(true).
      type: bool
      version_added: 2.0.0
possession_proven:
  description:
    - In check mode, whether this host proved it holds the private key of the certificate ESA knows for its file (it signs a
      fresh challenge of the controller's with the key at O(privatekey_path), checked against the public key of ESA's copy).
    - A claim that a host holds a certificate (a decommission's C(keep), the fleet report's held certificates) counts only when
      this is V(true); a copy of another host's public certificate and its bookkeeping file never proves it.
    - V(null) outside check mode, where no challenge is signed for the certificate in place.
  returned: with O(state=present), always
  type: bool
  version_added: 3.0.0
filename:
  description: The certificate path.
  returned: always
  type: str
  sample: /etc/pki/mtls/client.crt
privatekey_filename:
  description: The private key path; V(null) without O(privatekey_path).
  returned: always
  type: str
  sample: /etc/pki/mtls/client.key
backup_file:
  description: Copy of the replaced certificate file; V(null) when none was made.
  returned: with O(state=present), always
  type: str
  sample: /etc/pki/mtls/client.crt.2189.2026-11-28@10:00:00~
privatekey_backup_file:
  description: Copy of the replaced private key (mode kept); V(null) when none was made.
  returned: with O(state=present), always
  type: str
backup_files:
  description: Copies of the files O(state=absent) removed (O(backup=true)); V(null) when none were made.
  returned: with O(state=absent), always
  type: list
  elements: str
certificate_pem:
  description: The certificate, PEM, with O(return_content=true) and a certificate on disk after the run; V(null) otherwise.
  returned: with O(state=present), always
  type: str
pkcs12_file:
  description: The PKCS#12 bundle's path (O(pkcs12_path)); V(null) without it.
  returned: with O(state=present), always
  type: str
  sample: /etc/pki/mtls/client.p12
  version_added: 3.0.0
pkcs12_written:
  description:
    - Whether the PKCS#12 bundle was (in check mode, would be) written by this run. A run that writes only the bundle reports
      C(changed) with empty RV(reasons).
  returned: with O(state=present), always
  type: bool
  version_added: 3.0.0
fullchain_file:
  description: The full-chain file's path (O(fullchain_path)); V(null) without it.
  returned: with O(state=present), always
  type: str
  version_added: 3.0.0
fullchain_written:
  description: Whether the full-chain file was (in check mode, would be) written by this run.
  returned: with O(state=present), always
  type: bool
  version_added: 3.0.0
pkcs12_backup_file:
  description: Copy of the replaced PKCS#12 bundle (O(backup=true), mode V(0600)); V(null) when none was made.
  returned: with O(state=present), always
  type: str
  version_added: 3.0.0
fullchain_backup_file:
  description: Copy of the replaced full-chain file (O(backup=true)); V(null) when none was made.
  returned: with O(state=present), always
  type: str
  version_added: 3.0.0
code:
  description: The ESA error code, when the task failed because of an ESA answer.
  returned: failure
  type: str
  sample: QuotaCheckFailed.Function
request_id:
  description: The ESA request id of the failed call.
  returned: failure
  type: str
"""

import dataclasses
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files
from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
    client_certificate_argument_spec,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._crypto.support import cryptography_problem
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._target import phases
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import (
    DiscardRequest,
    InspectRequest,
    InstallRequest,
    MaintainRequest,
    PrepareRequest,
    TargetRequest,
    request_from_dict,
    sealed_values,
)
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import utc_now


def _apply_file_attributes(module: AnsibleModule, only_existing: bool = False, changes: dict | None = None) -> bool:
    """Owner, group, mode and SELinux context of the certificate and of the key the collection manages.

    In check mode AnsibleModule only reports what it would change; the bookkeeping file then follows the certificate.
    ``changes`` collects, per path, what differs (``before`` and ``after``), for --diff.
    """
    params = module.params
    changed = False
    files = [(params["path"], module.load_file_common_arguments(params, path=params["path"]))]
    if phases.manages_key(params):
        key_args = module.load_file_common_arguments(params, path=params["privatekey_path"])
        key_args["mode"] = params["privatekey_mode"]
        files.append((params["privatekey_path"], key_args))
    for path, file_args in files:
        if only_existing and not os.path.lexists(path):
            continue
        diff: dict = {}
        if module.set_fs_attributes_if_different(file_args, False, diff=diff):
            changed = True
            if changes is not None:
                changes.setdefault("before", {})[path] = diff.get("before", {})
                changes.setdefault("after", {})[path] = diff.get("after", {})
    if not module.check_mode:
        _files.match_bookkeeping_attributes(params["path"])
    return changed


def _attribute_changes(module: AnsibleModule) -> dict:
    """What _apply_file_attributes would change, changing nothing: inspection must leave everything as it was,
    since the task may still fail (a failed task never leaves a file with new attributes)."""
    saved = module.check_mode
    module.check_mode = True
    changes: dict = {}
    try:
        _apply_file_attributes(module, only_existing=True, changes=changes)
    finally:
        module.check_mode = saved
    return changes


def run_phase(module: AnsibleModule, request: TargetRequest) -> dict:
    """The phase the controller asked for, as the plain dict the module answers (see _target.contract)."""
    params = module.params
    if isinstance(request, InspectRequest):
        inspection = phases.inspect(params, with_pem=request.with_pem, proof_nonce=request.proof_nonce, check_mode=module.check_mode)
        if params["state"] == "present" and not inspection.problems:
            inspection = phases.with_attribute_differences(inspection, _attribute_changes(module), _files.bookkeeping_attributes_differ(params["path"]))
            if request.prepare_if_due and not module.check_mode:
                inspection = phases.prepare_if_due(params, inspection, request.run_id, utc_now(), request.prepare_proof_nonce)
        return {"changed": False, "inspection": inspection.to_dict()}
    if isinstance(request, PrepareRequest):
        if params["key_source"] == "esa":
            return dict(phases.prepare_recipient(params, request.run_id).to_dict(), changed=False)
        return dict(phases.prepare_key_and_csr(params, request.new_key, request.common_name, request.run_id).to_dict(), changed=False)
    if isinstance(request, DiscardRequest):
        return {"changed": phases.discard_pending_key(params, request.run_id)}
    if isinstance(request, MaintainRequest):
        maintained = phases.maintain(params, request.bookkeeping, request.expected_file_sha256)
        outcome = dataclasses.replace(maintained, attributes_changed=_apply_file_attributes(module, only_existing=True))
        return dict(outcome.to_dict(), changed=outcome.attributes_changed or outcome.pkcs12_written or outcome.fullchain_written)
    if isinstance(request, InstallRequest):
        return phases.install_phase(params, request, lambda: _apply_file_attributes(module))
    removed = phases.remove(params)
    return dict(removed.to_dict(), changed=bool(removed.removed))


def main() -> None:
    argument_spec = client_certificate_argument_spec()
    # Internal and undocumented: validated by request_from_dict, not by an argument spec (see _target.contract).
    argument_spec["_target"] = {"type": "dict"}
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=CLIENT_CERTIFICATE_MUTUALLY_EXCLUSIVE,
        add_file_common_args=True,
        supports_check_mode=True,
    )
    problem = cryptography_problem()  # before any phase, without importing cryptography (a no-op run never does)
    if problem:
        module.fail_json(msg=problem)
    # The sealed key is ciphertext, but it stays out of the module's logged invocation like any key material.
    module.no_log_values.update(sealed_values(module.params["_target"]))
    try:
        request = request_from_dict(module.params["_target"])
        if not isinstance(request, InspectRequest) and module.check_mode:
            module.fail_json(msg=f"internal error: phase {request.PHASE} writes files and cannot run in check mode")
        module.exit_json(**run_phase(module, request))
    except CollectionError as exc:  # TargetError, ContractError: one line, no traceback
        module.fail_json(msg=str(exc))
    except OSError as exc:
        module.fail_json(msg=phases.file_error_message(exc, module.params["path"]))


if __name__ == "__main__":
    main()
