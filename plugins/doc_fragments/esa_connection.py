# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options shared by every alibabacloud.esa module; mirrors module_utils._argspec.connection_argument_spec() one-to-one."""

    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - Alibaba Cloud AccessKey ID used to sign ESA requests.
      - If not set, the environment variable E(ALIBABA_CLOUD_ACCESS_KEY_ID) of the controller is used,
        then E(ALICLOUD_ACCESS_KEY).
      - The key ID, O(access_key_secret) and O(security_token) are taken together from the first of
        these sources that sets a key ID (options, then C(ALIBABA_CLOUD_*) variables, then C(ALICLOUD_*)
        variables); a key ID without its secret, or a secret without its key ID, is an error.
      - If no source sets a key pair, the Alibaba Cloud default credential chain applies (environment
        variables, OIDC role, C(~/.aliyun/config.json) CLI profile, C(~/.alibabacloud/credentials.ini),
        ECS instance RAM role).
      - Like every connection option, this is read on the Ansible controller, which makes the ESA calls;
        the managed hosts never see credentials.
    type: str
  access_key_secret:
    description:
      - Alibaba Cloud AccessKey secret that belongs to O(access_key_id).
      - If not set, E(ALIBABA_CLOUD_ACCESS_KEY_SECRET) or E(ALICLOUD_SECRET_KEY) on the controller is used,
        from the same source as the key ID.
      - Never returned, logged or shown in error messages.
    type: str
  security_token:
    description:
      - STS security token, for temporary credentials issued together with O(access_key_id) and
        O(access_key_secret).
      - If not set, E(ALIBABA_CLOUD_SECURITY_TOKEN) or E(ALICLOUD_SECURITY_TOKEN) on the controller is used,
        from the same source as the key ID; a token is never combined with keys from another source.
      - Never returned, logged or shown in error messages.
    type: str
  region:
    description:
      - Region of the ESA API, used to build its address when O(endpoint) is not set.
      - ESA's API answers in two regions only, V(cn-hangzhou) for accounts of the China site
        (C(esa.cn-hangzhou.aliyuncs.com)) and V(ap-southeast-1) for international accounts
        (C(esa.ap-southeast-1.aliyuncs.com)); a site is found only through the one of its account.
        Any other region is refused before ESA is called; to reach another address, set O(endpoint).
      - If not set, E(ALIBABA_CLOUD_REGION_ID) on the controller is used when it names one of these
        two regions, then E(ALICLOUD_REGION) likewise, then V(cn-hangzhou). These variables serve
        every Alibaba Cloud service, so one that names another region (for example V(cn-beijing)) is
        not used, and the task warns that V(cn-hangzhou) was chosen.
      - Ignored for the address when O(endpoint) is set; it then only has to be a well-formed region id.
    type: str
  endpoint_type:
    description:
      - Which of ESA's endpoints in O(region) to call when O(endpoint) is not set.
      - V(public) calls C(esa.<region>.aliyuncs.com) over the internet; V(vpc) calls
        C(esa-vpc.<region>.aliyuncs.com), which answers only from inside an Alibaba Cloud VPC.
      - If not set, E(ALIBABA_CLOUD_ESA_ENDPOINT_TYPE) on the controller is used, then V(public).
      - Ignored when O(endpoint) is set, with a warning if this option was given.
    type: str
    choices: [public, vpc]
  endpoint:
    description:
      - ESA API endpoint, overriding the one built from O(region) and O(endpoint_type).
      - If not set, E(ALIBABA_CLOUD_ESA_ENDPOINT) on the controller is used.
      - Accepts V(host), V(host:port), V([ipv6]:port), V(https://host[:port]) and V(http://host[:port]);
        a path, query or user name is refused.
      - HTTPS is used unless V(http://) is given, and plain HTTP is accepted only for a loopback host
        (V(127.0.0.1), V(::1), V(localhost)), such as a local ESA emulator, because requests carry
        signed credentials.
      - HTTPS requests honour the controller's E(HTTPS_PROXY) (or E(https_proxy)) and E(NO_PROXY).
        Plain HTTP to a loopback host never goes through a proxy, whatever E(HTTP_PROXY) or E(ALL_PROXY)
        say, so signed requests and private keys made by ESA never cross a proxy unencrypted.
    type: str
  api_timeout:
    description:
      - Seconds to wait for the connection to ESA, and then for each answer.
      - Must be at least V(1).
    type: int
    default: 30
  api_retries:
    description:
      - How many times an ESA call is retried after throttling, a server error or a network error,
        with jittered exponential backoff that honours the wait ESA asks for (C(x-acs-retry-after)).
      - Throttling is recognised however the gateway sends it (any code containing C(Throttling), such as C(Throttling.User),
        C(Throttling.user), C(Throttling.Api), C(Throttling.ConcurrentLimitExceeded) or C(Rejected.Throttling); any HTTP 429;
        C(ServiceUnavailable)), with or without C(x-acs-retry-after), and whichever exception class the SDK release raises.
        C(SignatureNonceUsed) is retried at most twice.
      - A TLS failure that waiting cannot heal is not retried (a server that answers the handshake in plain HTTP, such as an emulator
        reached without V(http://) in O(endpoint); a certificate that does not verify, or a host name it does not match).
      - Creating a certificate (or uploading a client CA) is repeated at once only when the request surely did not reach ESA.
        When it may have taken effect (a server error, or a connection lost after sending), ESA is searched for what it
        issued, which is adopted; only if nothing is found is the request sent again, at most this many times, with the
        same backoff. So retries never leave a second certificate behind.
      - Between V(0) and V(20).
    type: int
    default: 8
requirements:
  - >-
    on the Ansible controller, which makes every ESA call (in the module's action plugin), the Python packages
    alibabacloud-esa20240910 and alibabacloud-credentials
notes:
  - ESA calls run on the controller through this module's action plugin, so connection options and
    their environment variables are read there, not on the managed hosts.
"""
