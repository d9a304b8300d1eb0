# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the integration helper scripts share: the config file, an SDK client, the site's certificates.

Credentials come from the integration config file, never from the command line, so that -vvv
output (which shows command lines) never carries the secret.
"""

from __future__ import annotations

import json
import os
import re
import typing as t

os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")


def read_config(path: str) -> dict[str, str]:
    """The integration config (YAML or JSON of flat scalar values), read without third-party modules."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        return {key: str(value) for key, value in json.loads(text).items()}
    except ValueError:
        pass
    values = {}
    for line in text.splitlines():
        match = re.match(r'^\s*"?(\w+)"?\s*:\s*"?([^"\n]*?)"?\s*,?\s*$', line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def sdk_client(config: dict[str, str]) -> t.Any:
    """The official SDK, unpatched, pointed at the emulator."""
    from alibabacloud_esa20240910.client import Client  # pylint: disable=import-outside-toplevel
    from alibabacloud_tea_openapi import models as openapi_models  # pylint: disable=import-outside-toplevel

    return Client(openapi_models.Config(access_key_id=config["esa_access_key_id"], access_key_secret=config["esa_access_key_secret"],
                                        endpoint=config["esa_endpoint"], protocol="http"))


def all_certificates(client: t.Any, site_id: int) -> list[t.Any]:
    """Every client certificate of the site, walking every page."""
    from alibabacloud_esa20240910 import models  # pylint: disable=import-outside-toplevel

    found, page = [], 1
    while True:
        listing = client.list_client_certificates(models.ListClientCertificatesRequest(site_id=site_id, page_number=page, page_size=100)).body
        found.extend(listing.result or [])
        if page * 100 >= (listing.total_count or 0):
            return found
        page += 1
