# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one base of this collection's failures, and the two that belong to no domain.

Every failure the collection expects (bad input, an ESA refusal, a host's malformed or hostile answer, a CSR for
another identity, a policy that stops the task) derives from CollectionError, so each action's run() catches it once
and turns it into a one-line failed result; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class CollectionError(Exception):
    """An expected failure: its message is one line that names the cause and what to fix."""


class TaskInputError(CollectionError):
    """Bad input, refused before any ESA call; the message names the parameter."""


class TaskStopped(CollectionError):
    """The task stops on purpose (a policy said so, e.g. on_revoked=fail); the message says why and what to do."""
