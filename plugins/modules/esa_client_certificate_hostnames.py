#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: esa_client_certificate_hostnames
short_description: Require mTLS client certificates on hostnames of an Alibaba Cloud ESA site
version_added: 1.0.0
description:
  - Ensures the set of hostnames of an ESA site on which ESA requires a client certificate issued by a given CA, the CA
    that ESA manages for the site (which issues the certificates of M(alibabacloud.esa.esa_client_certificate)) unless
    O(ca_id) names a client CA uploaded with M(alibabacloud.esa.esa_client_ca_certificate).
  - Idempotent. The set bound on ESA is compared with the one asked for, ignoring order, case and a trailing dot, and
    ESA is written only when they differ. A run that changes nothing makes one ESA read.
  - Runs on the controller (in the action plugin of the same name); the target is not contacted.
  - "What binding does at the edge, in ESA's own words: the client certificate guide says that binding a domain name
    I(enables mTLS authentication) and I(allows only users with the correct and valid client certificate to access)
    it (U(https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/user-guide/client-certificate)); the SSL/TLS
    overview says that ESA I(validates client certificates per request) and that I(to block failed requests, create an
    mTLS rule in ESA) (U(https://www.alibabacloud.com/help/en/edge-security-acceleration/esa/user-guide/first-level-node-1))."
  - So this module makes ESA ask for and check client certificates on the hostnames; whether a request that fails the
    check is refused depends on an mTLS rule of the site (ESA console, the site's security rules), which this collection
    does not manage. Add a rule that blocks requests to these hostnames whose client certificate is missing or did not
    verify, and test it with a request without a certificate before relying on it. The field names of that rule are
    not in the public documentation this collection was written from, so no rule text is given here.
  - An empty O(hostnames) list is refused with O(state=present), so that a variable left empty by mistake never stops
    ESA from checking client certificates; use O(state=absent) to unbind hostnames.
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
  ca_id:
    description:
      - The ESA id of an uploaded client CA (RV(alibabacloud.esa.esa_client_ca_certificate#module:certificate.id)) whose client
        certificates the hostnames require.
      - Leave it out for the CA that ESA manages for the site.
    type: str
  hostnames:
    description:
      - Hostnames of the site, such as V(api.example.com) or V(*.example.com). Each must be a hostname of the site; ESA refuses
        any other, and the task fails naming it.
      - At most 50 per CA (counted after removing duplicates, and with O(append=true) including those already bound).
      - Required with O(state=present), and not empty there; V([]) is refused, since unbinding every hostname takes O(state=absent).
      - With O(state=absent), the hostnames to remove from the set; left out, the whole set is cleared.
    type: list
    elements: str
  state:
    description:
      - V(present) makes the set exactly O(hostnames) (or adds them, with O(append=true)).
      - V(absent) removes O(hostnames) from the set, or clears it when O(hostnames) is left out.
    type: str
    choices: [present, absent]
    default: present
  append:
    description:
      - With O(state=present), add O(hostnames) to the set instead of replacing it.
    type: bool
    default: false
seealso:
  - module: alibabacloud.esa.esa_client_certificate
  - module: alibabacloud.esa.esa_client_ca_certificate
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
    details: ESA is read, never written.
  diff_mode:
    support: full
    details: The sets before and after, as C(hostnames) lists.
  platform:
    platforms: all
  action_group:
    support: full
    membership:
      - alibabacloud.esa.esa
notes:
  - ESA checks the hostnames against the site when the set is written, so in check mode a hostname that is not the site's is
    reported as a change, and only the real run fails on it.
"""

EXAMPLES = r"""
- name: Require client certificates from the ESA-managed CA on the API hostname
  alibabacloud.esa.esa_client_certificate_hostnames:
    site_id: 1234567890123
    hostnames:
      - api.example.com
  delegate_to: localhost
  run_once: true

- name: Also on www, whatever else is bound already
  alibabacloud.esa.esa_client_certificate_hostnames:
    site_id: 1234567890123
    hostnames: [www.example.com]
    append: true
  delegate_to: localhost
  run_once: true

# For a CA of your own, give its ESA id as ca_id, or bind its hostnames where you upload it
# (alibabacloud.esa.esa_client_ca_certificate, option hostnames).

- name: Stop requiring client certificates on www
  alibabacloud.esa.esa_client_certificate_hostnames:
    site_id: 1234567890123
    hostnames: [www.example.com]
    state: absent
  delegate_to: localhost
  run_once: true

- name: Stop requiring client certificates from the ESA-managed CA anywhere
  alibabacloud.esa.esa_client_certificate_hostnames:
    site_id: 1234567890123
    state: absent
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
hostnames:
  description: The hostnames bound to the CA after the task (in check mode, those that would be), sorted.
  returned: success
  type: list
  elements: str
  sample: [api.example.com, mtls.example.com]
ca_id:
  description:
    - The CA's ESA id. For the ESA-managed CA (O(ca_id) left out), the id ESA reports for it, which is the
      RV(alibabacloud.esa.esa_client_certificate#module:certificate.ca_certificate_id) of the certificates it issues.
  returned: success
  type: str
  sample: babaded901474b9693acf530e0fb1d95
added:
  description: Hostnames the task binds that were not bound before, sorted.
  returned: success
  type: list
  elements: str
  sample: [mtls.example.com]
removed:
  description: Hostnames the task unbinds, sorted.
  returned: success
  type: list
  elements: str
  sample: []
code:
  description: The ESA error code, when the task failed because of an ESA answer.
  returned: failure
  type: str
  sample: InvalidParameter
request_id:
  description: The ESA request id of the failed call.
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import (
    CLIENT_CERTIFICATE_HOSTNAMES_REQUIRED_IF,
    client_certificate_hostnames_argument_spec,
)


def main() -> None:
    module = AnsibleModule(
        argument_spec=client_certificate_hostnames_argument_spec(), required_if=CLIENT_CERTIFICATE_HOSTNAMES_REQUIRED_IF, supports_check_mode=True
    )
    # Reached only when the action plugin was bypassed: ESA is called from the controller, never from a target.
    module.fail_json(
        msg="alibabacloud.esa.esa_client_certificate_hostnames runs through its action plugin on the controller; "
        "call it by its full name alibabacloud.esa.esa_client_certificate_hostnames"
    )


if __name__ == "__main__":
    main()
