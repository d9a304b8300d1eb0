# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

# alibabacloud_credentials reads this once, at import: set it first so the default chain never asks
# the ECS metadata address (only loopback traffic is allowed in tests).
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"

try:
    from alibabacloud_credentials.utils import auth_util
except ImportError:  # pragma: no cover - tests that need the SDK skip themselves
    auth_util = None
else:
    # In case another test module imported the SDK before this file ran.
    auth_util.environment_ecs_metadata_disabled = "true"
