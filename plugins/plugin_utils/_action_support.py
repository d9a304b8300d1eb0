# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every action plugin of the collection does before and after its ESA calls."""

from __future__ import annotations

import os
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import ArgumentTypeError, UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import connection_argument_spec, site_id_type_error
from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError, TaskInputError
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.client import HAS_ESA_SDK, EsaClient, missing_sdk_message
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.errors import EsaApiError
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.failure_report import REPORT_VERBOSITY, failure_report
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._esa.settings import (
    ConnectionSettingsError,
    resolve_connection_settings,
)

CONNECTION_OPTION_NAMES = frozenset(connection_argument_spec())

# strptime imports its helpers and compiles a pattern per format on first use. Action plugins are imported
# in the controller's main process before it forks a worker per host: pay that here once, not once per host.
for _esa_time in ("2000-01-01T00:00:00Z", "2000-01-01 00:00:00"):
    parse_esa_time(_esa_time)


def validate_arguments(
    args: dict[str, t.Any],
    argument_spec: dict[str, t.Any],
    *,
    input_errors: t.Callable[[dict[str, t.Any]], list[str]] | None = None,
    module: str | None = None,
    **constraints: t.Any,
) -> dict[str, t.Any]:
    """Validate on the controller with the module's own spec (then ``input_errors``), so errors come before any ESA call."""
    validator = ArgumentSpecValidator(argument_spec, **constraints)
    outcome = validator.validate(args)
    # AnsibleModule words an unknown option "Unsupported parameters for (module) module: x. Supported ...": say it the same way.
    errors = [_error_text(error, args, module) for error in outcome.errors]
    errors = errors or (input_errors(outcome.validated_parameters) if input_errors else [])
    if errors:
        raise TaskInputError("; ".join(errors))
    return outcome.validated_parameters


def _error_text(error: Exception, args: dict[str, t.Any], module: str | None) -> str:
    if module and isinstance(error, UnsupportedError):
        return f"Unsupported parameters for ({module}) module: {error}"
    if isinstance(error, ArgumentTypeError) and str(error).startswith("argument 'site_id' "):
        # Ansible's generic wording ("unable to convert to int") does not say what a site id is: a name is the usual mistake.
        return site_id_type_error(args.get("site_id"))
    return str(error)


def build_client(params: dict[str, t.Any], environ: t.Mapping[str, str] | None = None) -> EsaClient:
    """The ESA client for this task: options, then the controller's environment, then the default chain."""
    if not HAS_ESA_SDK:
        raise TaskInputError(missing_sdk_message())
    try:
        settings = resolve_connection_settings(params, os.environ if environ is None else environ)
    except ConnectionSettingsError as exc:
        raise TaskInputError(str(exc)) from exc
    return EsaClient(settings)


def module_arguments(task_args: dict[str, t.Any], **internal: t.Any) -> dict[str, t.Any]:
    """The arguments sent to the target: never the connection options, so no secret leaves the controller."""
    sent = {name: value for name, value in task_args.items() if name not in CONNECTION_OPTION_NAMES}
    sent.update({name: value for name, value in internal.items() if value is not None})
    return sent


def fail(result: dict[str, t.Any], exc: Exception, *, verbosity: int = 0, secrets: t.Iterable[str | None] = ()) -> dict[str, t.Any]:
    """A failed task result with one line that says what to fix; ESA failures add code and request_id.

    From -vvv (``verbosity``, the Display's) an ESA failure also adds ``exception``: the exception chain with codes,
    statuses and request ids, without ``secrets`` (the client's settings.secret_values) or private keys.
    """
    result["failed"] = True
    if isinstance(exc, EsaApiError):
        result.update(exc.to_fail_kwargs())
        if verbosity >= REPORT_VERBOSITY:
            result["exception"] = failure_report(exc, secrets)
    else:
        result["msg"] = str(exc)
    return result


class EsaOnlyAction(ActionBase):
    """Base of the action plugins that talk to ESA only and never to the target.

    Subclasses implement ``esa_run``, which answers the task's result and raises TaskInputError or EsaApiError
    for a failure; ``partial_result`` holds what was done before a failure (reported with it).
    """

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        del tmp
        self.partial_result: dict[str, t.Any] = {}
        self.connection_warnings: list[str] = []
        self.secret_values: tuple[str, ...] = ()
        try:
            result.update(self.esa_run())
        except CollectionError as exc:
            result.update(self.partial_result)
            fail(result, exc, verbosity=self._display.verbosity, secrets=self.secret_values)
        add_warnings(result, self.connection_warnings)
        return result

    def esa_client(self, params: dict[str, t.Any]) -> EsaClient:
        """build_client(), keeping what the connection settings warn about (an ignored region variable) for the result,
        and the secrets a failure report must not show."""
        client = build_client(params)
        self.connection_warnings.extend(client.settings.warnings)
        self.secret_values = client.settings.secret_values
        return client

    def esa_run(self) -> dict[str, t.Any]:
        raise NotImplementedError


def add_warnings(result: dict[str, t.Any], warnings: t.Iterable[str]) -> None:
    """Append to the result's warnings (never replace those already there)."""
    new = [warning for warning in warnings if warning not in result.get("warnings", [])]
    if new:
        result["warnings"] = list(result.get("warnings", [])) + new
