#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esa_client_certificate_revoke
short_description: Revoke client certificates of an Alibaba Cloud ESA site that no host should hold any more
version_added: 2.0.0
description:
  - Revokes (or, with O(state=absent), revokes and deletes) the client certificates of an ESA site that match the selectors,
    except those listed in O(keep) and those younger than O(min_age_minutes).
  - For certificates whose hosts are gone (decommissioned hosts, whose files are no longer there), and for revoking a host's
    replaced certificate only after the service reloaded with the new one (see the examples).
  - "Selectors: O(id), O(fingerprint_sha256), O(common_name) and O(common_name_pattern). A certificate matches when it satisfies
    every selector given (AND across selectors, OR within one list): O(id) with O(fingerprint_sha256) means this id, and only if
    the certificate ESA holds under it has this fingerprint. A selector given as an empty list matches nothing. A task without
    any selector is refused."
  - Fingerprints are computed from the PEM ESA returns (one ESA read per certificate that a fingerprint decides), never taken
    from ESA's C(FingerprintSha256) field, which may be empty.
  - Common names compare as DNS names do, without case and without a trailing dot.
  - Two safety limits are checked before the first write. O(max_revocations) caps how many certificates one task may act on;
    a task that would act on more changes nothing. O(min_age_minutes) protects certificates that a play running at the same
    time has just issued.
  - Runs on the controller (in the action plugin of the same name); the target is not contacted. With O(id), makes one ESA
    read per id; otherwise it reads every page of the site's listing.
author:
  - alibabacloud.esa contributors (@alibabacloud)
options:
  site_id:
    description:
      - The ESA site.
      - The numeric id of the ESA site (for example V(1234567890123)), not its name; the ESA console shows it in the site list,
        and ESA's C(ListSites) API returns it as C(SiteId).
    type: int
    required: true
  id:
    description:
      - Only the certificates with these ESA ids.
      - The certificates are read by id, one ESA read each, instead of listing the site.
    type: list
    elements: str
  fingerprint_sha256:
    description:
      - Only the certificates with these SHA-256 fingerprints of their DER encoding, computed from the PEM ESA returns.
      - Upper case, colons and spaces are accepted, and so is the whole line that C(openssl x509 -noout -fingerprint -sha256) prints.
    type: list
    elements: str
  common_name:
    description:
      - Only the certificates with one of these subject common names (compared without case and trailing dot).
    type: list
    elements: str
  common_name_pattern:
    description:
      - Only the certificates whose subject common name matches this shell-style pattern (C(*), C(?), C([...]); compared without case),
        for example V(*.retired.example.com).
    type: str
  keep:
    description:
      - ESA ids or SHA-256 fingerprints (any form O(fingerprint_sha256) accepts) of certificates that stay as they are, even when
        the selectors match them; typically the RV(alibabacloud.esa.esa_client_certificate#module:certificate.id) of every host still in service.
      - When this lists fingerprints and a matched certificate's fingerprint cannot be known, that certificate is kept.
    type: list
    elements: str
  min_age_minutes:
    description:
      - Certificates that ESA created fewer than this many minutes ago are never touched (they are listed in RV(too_young)), so a play
        that issues certificates while this task runs is safe. The age comes from ESA's C(CreateTime), else the certificate's
        C(notBefore); a certificate of unknown age counts as too young.
      - A warning says how many matched certificates this left alone, and names their ids (the first five), since the task
        still reports success; certificates that O(keep) lists are left alone without a warning.
      - V(0) turns the check off, for example to revoke one host's replaced certificate by O(id) right after its reload.
    type: int
    default: 60
  state:
    description:
      - V(revoked) revokes the matching active certificates; one that is already revoked is left as it is (not a change).
      - V(absent) also deletes the records of the matching certificates, revoking active ones first (ESA deletes only revoked
        certificates). Revoked records stay listed on ESA, which keeps the revocation visible; delete them only when that is not wanted.
    type: str
    choices: [revoked, absent]
    default: revoked
  max_revocations:
    description:
      - When the task would revoke (or, with O(state=absent), revoke or delete) more certificates than this, it fails before any
        change, naming how many; RV(matched) lists them.
    type: int
    default: 10
notes:
  - ESA can activate a revoked certificate again (C(ActivateClientCertificate)); a deleted record cannot be restored.
seealso:
  - module: alibabacloud.esa.esa_client_certificate
  - module: alibabacloud.esa.esa_client_certificate_info
extends_documentation_fragment:
  - alibabacloud.esa.esa_connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.FLOW
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details: ESA is read, nothing is written; RV(revoked) and RV(deleted) say what a real run would do.
  diff_mode:
    support: full
    details: Each certificate that would be revoked or deleted, with its id, common name, fingerprint, expiry and creation time.
  platform:
    platforms: all
    details: Runs on the controller; the target is not contacted.
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  action_group:
    support: full
    membership:
      - alibabacloud.esa.esa
"""

EXAMPLES = r"""
- name: Retire two hosts by name, deleting their certificates' records too
  alibabacloud.esa.esa_client_certificate_revoke:
    site_id: 1234567890123
    common_name: [db01.example.com, db02.example.com]
    state: absent
  delegate_to: localhost
  run_once: true

# Decommission: the hosts in service prove which certificate they hold, the rest of the fleet's certificates are
# revoked. The decommission guide adds the safety checks (every host answered, who claimed without proof).
- name: Revoke the fleet's certificates that no host in service holds
  block:
    - name: Check the certificate this host holds (ESA reads only; the host signs a challenge with its key)
      alibabacloud.esa.esa_client_certificate:
        site_id: 1234567890123
        path: /etc/pki/mtls/client.crt
        privatekey_path: /etc/pki/mtls/client.key
        common_name: "{{ inventory_hostname }}.fleet.example.com"
      check_mode: true
      changed_when: false
      register: in_service

    - name: Revoke the others, keeping what a host in service proved it holds
      alibabacloud.esa.esa_client_certificate_revoke:
        site_id: 1234567890123
        common_name_pattern: "*.fleet.example.com"
        keep: "{{ held | map(attribute='id') | select | list }}"
        max_revocations: 5
      vars:
        held: >-
          {{ ansible_play_hosts | map('extract', hostvars, 'in_service') | selectattr('possession_proven')
             | map(attribute='certificate') | list }}
      run_once: true

# Revoke after the reload: the replaced certificate stays valid until the service uses the new one.
- name: Renew when due, reload, then revoke the replaced certificate
  block:
    - name: The directory of the certificate and its key
      ansible.builtin.file:
        path: /etc/pki/mtls
        state: directory
        mode: "0755"

    - name: Renew the certificate when due
      alibabacloud.esa.esa_client_certificate:
        site_id: 1234567890123
        path: /etc/pki/mtls/client.crt
        privatekey_path: /etc/pki/mtls/client.key
        remaining_days: 30
      register: client_certificate

    - name: Reload the service here (in a play, a handler the task above notifies, flushed now)
      ansible.builtin.meta: flush_handlers

    - name: Revoke the replaced certificate, now that nothing uses it
      alibabacloud.esa.esa_client_certificate_revoke:
        site_id: 1234567890123
        id: ["{{ client_certificate.replaced_certificate.id }}"]
        fingerprint_sha256: ["{{ client_certificate.replaced_certificate.fingerprint_sha256 }}"]
        min_age_minutes: 0  # it is being replaced: its age does not matter
        max_revocations: 1
      when: client_certificate.replaced_certificate.possession_proven | default(false)
"""

RETURN = r"""
revoked:
  description:
    - The certificates this task revoked (in check mode, would revoke), with the facts
      M(alibabacloud.esa.esa_client_certificate_info) returns and RV(matched[].created).
    - A certificate that someone else revoked while the task ran is listed too.
  returned: success
  type: list
  elements: dict
  sample:
    - id: babaded901474b9693acf530e0fb1d95
      common_name: web07.fleet.example.com
      status: revoked
      fingerprint_sha256: 1f2e...
      not_after: '2027-11-28T10:00:00Z'
      created: '2026-11-28T10:00:00Z'
deleted:
  description: The ids of the certificates whose records this task deleted (in check mode, would delete); O(state=absent) only.
  returned: success
  type: list
  elements: str
kept:
  description: The ids of the matched certificates left as they are because of O(keep).
  returned: success
  type: list
  elements: str
too_young:
  description: The ids of the matched certificates left as they are because they are younger than O(min_age_minutes).
  returned: success
  type: list
  elements: str
matched:
  description: Every certificate the selectors matched (kept, too young and already revoked ones included), before this task changed any.
  returned: success, and when O(max_revocations) stopped the task
  type: list
  elements: dict
  contains:
    id:
      description: The ESA id.
      type: str
    site_id:
      description: The ESA site.
      type: int
    status:
      description: V(active) or V(revoked).
      type: str
    common_name:
      description: Subject common name.
      type: str
    serial_number:
      description: Serial number, lower-case hex.
      type: str
    fingerprint_sha256:
      description: Lower-case hex SHA-256 of the certificate's DER encoding (from ESA's PEM where it was read).
      type: str
    not_before:
      description: Start of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
    not_after:
      description: End of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
    signature_algorithm:
      description: Signature algorithm as ESA names it.
      type: str
    issuer:
      description: Common name of the issuing CA.
      type: str
    ca_certificate_id:
      description: The ESA id of the issuing CA.
      type: str
    validity_days:
      description: Lifetime in days.
      type: int
    remaining_days:
      description: Whole days left before expiry (negative once expired).
      type: int
    created:
      description: When ESA created it (its C(CreateTime)), C(YYYY-MM-DDTHH:MM:SSZ), or null when ESA does not say.
      type: str
code:
  description: The ESA error code, when the task failed because of an ESA answer.
  returned: failure
  type: str
request_id:
  description: The ESA request id of the failed call.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import client_certificate_revoke_argument_spec


def main() -> None:
    module = AnsibleModule(argument_spec=client_certificate_revoke_argument_spec(), supports_check_mode=True)
    # Reached only when the action plugin was bypassed: ESA is called from the controller, never from a target.
    module.fail_json(
        msg="alibabacloud.esa.esa_client_certificate_revoke runs through its action plugin on the controller; "
        "call it by its full name alibabacloud.esa.esa_client_certificate_revoke"
    )


if __name__ == "__main__":
    main()
