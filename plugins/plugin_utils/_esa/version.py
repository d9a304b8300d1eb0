# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version, and the user agent that tells ESA which client is calling."""

from __future__ import annotations

COLLECTION_VERSION = "3.0.0"

# The SDK appends this to its own user agent, so ESA's logs show which tool made a call.
USER_AGENT = f"AlibabaCloud-Ansible/alibabacloud.esa/{COLLECTION_VERSION}"
