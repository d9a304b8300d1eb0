#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esa_client_certificate_info
short_description: List the mTLS client certificates of an Alibaba Cloud ESA site
version_added: 1.0.0
description:
  - Returns every client certificate of an ESA site that matches the filters, with the same facts as
    M(alibabacloud.esa.esa_client_certificate) returns, walking every page of the listing.
  - Runs on the controller (in the action plugin of the same name); the target is not contacted.
  - With O(id), makes a single ESA read. O(include_pem) adds each certificate's PEM, at one more ESA read per certificate.
  - Never returns a private key, since ESA does not keep one to return.
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
      - Only the certificate with this ESA id. An unknown id gives an empty list, not a failure.
    type: str
  status:
    description:
      - Only certificates with this status.
    type: str
    choices: [active, revoked]
  common_name:
    description:
      - Only certificates with this subject common name, compared without regard to case (common names are DNS names,
        whose case does not matter), so V(Web01.Example.COM) finds V(web01.example.com).
    type: str
  fingerprint_sha256:
    description:
      - Only the certificate with this SHA-256 fingerprint of its DER encoding. Upper case, colons and spaces are accepted,
        and so is the whole line that C(openssl x509 -noout -fingerprint -sha256) prints.
    type: str
  expires_within_days:
    description:
      - Only certificates that expire within this many days from now (already expired ones included).
    type: int
  include_pem:
    description:
      - Add each certificate's PEM as C(certificate_pem).
    type: bool
    default: false
seealso:
  - module: alibabacloud.esa.esa_client_certificate
extends_documentation_fragment:
  - alibabacloud.esa.esa_connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.FLOW
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details: The module only reads ESA; check mode changes nothing about it.
  diff_mode:
    support: N/A
    details: The module changes nothing.
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
- name: Certificates that expire within 30 days
  alibabacloud.esa.esa_client_certificate_info:
    site_id: 1234567890123
    status: active
    expires_within_days: 30
  delegate_to: localhost
  run_once: true

- name: A weekly CSV report of the certificates that expire soon
  delegate_to: localhost
  run_once: true
  block:
    - name: Find them
      alibabacloud.esa.esa_client_certificate_info:
        site_id: 1234567890123
        status: active
        expires_within_days: 30
      register: expiring

    - name: The report's directory
      ansible.builtin.file:
        path: /var/reports
        state: directory
        mode: "0755"

    - name: Write the report
      ansible.builtin.copy:
        dest: /var/reports/esa-expiring.csv
        mode: "0644"
        content: |
          id,common_name,not_after,remaining_days
          {% for c in expiring.certificates %}
          {{ c.id }},{{ c.common_name }},{{ c.not_after }},{{ c.remaining_days }}
          {% endfor %}

- name: The certificates issued for this host, with their PEM
  alibabacloud.esa.esa_client_certificate_info:
    site_id: 1234567890123
    common_name: "{{ inventory_hostname }}"
    include_pem: true
  delegate_to: localhost
"""

RETURN = r"""
certificates:
  description: The matching certificates, in ESA's order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The ESA id.
      type: str
      sample: babaded901474b9693acf530e0fb1d95
    site_id:
      description: The ESA site.
      type: int
      sample: 1234567890123
    status:
      description: V(active) or V(revoked).
      type: str
      sample: active
    common_name:
      description: Subject common name.
      type: str
      sample: web01.example.com
    serial_number:
      description: Serial number, lower-case hex.
      type: str
    fingerprint_sha256:
      description: Lower-case hex SHA-256 of the certificate's DER encoding.
      type: str
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
    ca_certificate_id:
      description: The ESA id of the issuing CA.
      type: str
    validity_days:
      description: Lifetime in days.
      type: int
      sample: 365
    remaining_days:
      description: Whole days left before expiry (negative once expired).
      type: int
      sample: 12
    certificate_pem:
      description: The certificate, PEM.
      type: str
      returned: when O(include_pem=true)
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

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import client_certificate_info_argument_spec


def main() -> None:
    module = AnsibleModule(argument_spec=client_certificate_info_argument_spec(), supports_check_mode=True)
    # Reached only when the action plugin was bypassed: ESA is called from the controller, never from a target.
    module.fail_json(
        msg="alibabacloud.esa.esa_client_certificate_info runs through its action plugin on the controller; "
        "call it by its full name alibabacloud.esa.esa_client_certificate_info"
    )


if __name__ == "__main__":
    main()
