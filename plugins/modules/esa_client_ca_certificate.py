#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esa_client_ca_certificate
short_description: Upload your own mTLS client CA to an Alibaba Cloud ESA site
version_added: 1.0.0
description:
  - Uploads a client CA certificate (bring your own CA) to an ESA site, so that ESA can require client certificates
    that CA issued on hostnames of the site; deletes it with O(state=absent).
  - Idempotent by the certificate's SHA-256 fingerprint; the site's client CAs are searched once (every page),
    since ESA has no lookup by fingerprint. The same certificate is never uploaded twice, even when a call is retried.
    The fingerprint is computed from the PEM ESA returns whenever ESA leaves its C(FingerprintSha256) field empty.
  - ESA allows at most 5 client CA certificates per plan. A site that already holds 5 is refused before any upload; when
    ESA refuses an upload because other sites of the plan use up the 5, the message says so. Delete a CA with O(state=absent)
    to make room.
  - With O(hostnames), binds those hostnames to the CA in the same task, as
    M(alibabacloud.esa.esa_client_certificate_hostnames) does with O(alibabacloud.esa.esa_client_certificate_hostnames#module:ca_id).
  - The certificate is checked on the controller before anything is written to ESA. It must be one PEM certificate
    with basicConstraints C(CA:TRUE), within its validity period, and never a private key.
  - Runs on the controller (in the action plugin of the same name); the target is not contacted.
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
  state:
    description:
      - V(present) uploads the certificate unless the site already has it.
      - V(absent) deletes it from the site, after unbinding its hostnames.
    type: str
    choices: [present, absent]
    default: present
  certificate:
    description:
      - The CA certificate, PEM. Only the certificate, never its private key.
      - To read it from a file on the controller, use P(ansible.builtin.file#lookup).
      - Required with O(state=present). With O(state=absent), finds the CA to delete by its fingerprint (unless O(id) is given).
    type: str
  id:
    description:
      - With O(state=absent), the ESA id of the client CA to delete. Either O(id) or O(certificate) is required then.
    type: str
  name:
    description:
      - The name ESA lists the CA under, when it is uploaded. ESA cannot rename a client CA; a different name on a CA already
        uploaded gives a warning, not a change.
      - Left out, ESA uses the certificate's common name.
    type: str
  hostnames:
    description:
      - Hostnames of the site that shall require client certificates issued by this CA; exactly this set.
      - An empty list is refused, so that a variable left empty never unbinds every hostname; unbind with
        O(alibabacloud.esa.esa_client_certificate_hostnames#module:state=absent).
      - Left out, the CA's hostnames are not read or changed.
      - At most 50; each must be a hostname of the site. With O(state=present) only.
    type: list
    elements: str
seealso:
  - module: alibabacloud.esa.esa_client_certificate_hostnames
  - module: alibabacloud.esa.esa_client_certificate
extends_documentation_fragment:
  - alibabacloud.esa.esa_connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
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
    details: ESA is read, never written; the facts of a CA that would be uploaded come from the certificate itself.
  diff_mode:
    support: full
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - alibabacloud.esa.esa
"""

EXAMPLES = r"""
- name: Upload our partner CA and require its client certificates on the partner API
  delegate_to: localhost
  run_once: true
  block:
    - name: The partner's CA certificate (made here with openssl so that the example runs; use the file the partner gave you)
      ansible.builtin.shell:
        cmd: >-
          mkdir -p /etc/pki/partner-ca && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650
          -subj '/CN=Partner Client CA' -keyout /etc/pki/partner-ca/ca.key -out /etc/pki/partner-ca/ca.crt
        creates: /etc/pki/partner-ca/ca.crt
      check_mode: false  # under --check too: the upload below reads it

    - name: Upload it and bind the partner API's hostname
      alibabacloud.esa.esa_client_ca_certificate:
        site_id: 1234567890123
        certificate: "{{ lookup('ansible.builtin.file', '/etc/pki/partner-ca/ca.crt') }}"
        name: partner-ca
        hostnames:
          - api.example.com
      register: partner_ca

    - name: Show its ESA id
      ansible.builtin.debug:
        msg: "{{ partner_ca.certificate.id | default('(not uploaded yet: check mode)', true) }}"

- name: Retire the partner CA (its hostnames are unbound first)
  alibabacloud.esa.esa_client_ca_certificate:
    site_id: 1234567890123
    certificate: "{{ lookup('ansible.builtin.file', '/etc/pki/partner-ca/ca.crt') }}"
    state: absent
  delegate_to: localhost
  run_once: true

- name: Delete a client CA by its ESA id (nothing to do when the site has no CA of that id)
  alibabacloud.esa.esa_client_ca_certificate:
    site_id: 1234567890123
    id: babaded901474b9693acf530e0fb1d95
    state: absent
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
certificate:
  description:
    - The client CA on ESA (in check mode, as it would be once uploaded, without RV(certificate.id) and RV(certificate.status)).
    - Also returned when the task uploaded the CA and then failed to bind O(hostnames), with C(changed=true).
  returned: success and O(state=present)
  type: dict
  contains:
    id:
      description:
        - The ESA id; give it to M(alibabacloud.esa.esa_client_certificate_hostnames) as
          O(alibabacloud.esa.esa_client_certificate_hostnames#module:ca_id).
      type: str
      sample: babaded901474b9693acf530e0fb1d95
    site_id:
      description: The ESA site.
      type: int
      sample: 1234567890123
    name:
      description: The name ESA lists the CA under.
      type: str
      sample: partner-ca
    status:
      description: ESA's status of the CA, V(OK) once uploaded.
      type: str
      sample: OK
    common_name:
      description: Subject common name.
      type: str
      sample: Partner Client CA
    issuer:
      description: Common name of the issuer (the CA's own for a root).
      type: str
      sample: Partner Root CA
    serial_number:
      description: Serial number, lower-case hex.
      type: str
    fingerprint_sha256:
      description: Lower-case hex SHA-256 of the certificate's DER encoding.
      type: str
    signature_algorithm:
      description: Signature algorithm as ESA names it.
      type: str
      sample: SHA256-RSA
    not_before:
      description: Start of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
      sample: '2026-01-01T00:00:00Z'
    not_after:
      description: End of validity, C(YYYY-MM-DDTHH:MM:SSZ).
      type: str
      sample: '2036-01-01T00:00:00Z'
    validity_days:
      description: Lifetime in days.
      type: int
      sample: 3652
    remaining_days:
      description: Whole days left before expiry.
      type: int
      sample: 3500
    hostnames:
      description: The hostnames bound to the CA after the task, sorted.
      type: list
      elements: str
      returned: when O(hostnames) is given
      sample: [partners.example.com]
deleted_id:
  description: The ESA id of the client CA that was deleted (or would be, in check mode).
  returned: when O(state=absent) and a client CA was found
  type: str
  sample: babaded901474b9693acf530e0fb1d95
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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CA_CERTIFICATE_REQUIRED_IF,
    client_ca_certificate_argument_spec,
)


def main() -> None:
    module = AnsibleModule(argument_spec=client_ca_certificate_argument_spec(), required_if=CLIENT_CA_CERTIFICATE_REQUIRED_IF, supports_check_mode=True)
    # Reached only when the action plugin was bypassed: ESA is called from the controller, never from a target.
    module.fail_json(
        msg="alibabacloud.esa.esa_client_ca_certificate runs through its action plugin on the controller; "
        "call it by its full name alibabacloud.esa.esa_client_ca_certificate"
    )


if __name__ == "__main__":
    main()
