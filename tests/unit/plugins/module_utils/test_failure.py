# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every failure the collection expects derives from one base, which each action's run() catches once."""

from __future__ import annotations

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError, TaskInputError, TaskStopped
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.contract import ContractError
from ansible_collections.alibabacloud.esa.plugins.module_utils._target.phases import TargetError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.csr_policy import IdentityRefused
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.facts import IssuedForAnotherKey
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.revocation import TooManyRevocations
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import AmbiguousCreateError, EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import ConnectionSettingsError


@pytest.mark.parametrize(
    "failure",
    [TaskInputError, TaskStopped, ContractError, TargetError, IdentityRefused, IssuedForAnotherKey, TooManyRevocations, EsaApiError,
     AmbiguousCreateError, ConnectionSettingsError],
)
def test_every_expected_failure_is_a_collection_error(failure):
    assert issubclass(failure, CollectionError)


@pytest.mark.parametrize("failure", [ContractError, IdentityRefused, IssuedForAnotherKey, ConnectionSettingsError])
def test_the_ones_that_were_value_errors_still_are(failure):
    assert issubclass(failure, ValueError)
