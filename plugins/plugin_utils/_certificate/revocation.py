# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which certificates esa_client_certificate_revoke acts on: selectors, keep, minimum age and the ceiling, as pure functions.

A certificate matches when it satisfies every selector kind given (AND across kinds, OR within one list). A selector
given as an empty list matches nothing, so a variable that came out empty never widens the selection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import fnmatch
import typing as t

from ansible_collections.alibabacloud.esa.plugins.module_utils._failure import CollectionError
from ansible_collections.alibabacloud.esa.plugins.module_utils._time import parse_esa_time
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.filters import normalize_fingerprint

REVOKED = "revoked"
ABSENT = "absent"
# What check mode and --diff show of each certificate the task would act on.
SUMMARY_FIELDS = ("id", "common_name", "fingerprint_sha256", "not_after", "created")


def dns_name_key(name: str | None) -> str:
    """Common names compare as DNS names do: without case and without a trailing dot."""
    return (name or "").strip().rstrip(".").lower()


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One ESA certificate as the plan sees it.

    ``facts`` are the facts every module returns (plus ``created``); ``pem_fingerprint`` is the SHA-256 fingerprint
    computed from the PEM ESA returned, or None when no PEM was read: only it can satisfy a fingerprint selector.
    """

    facts: dict[str, t.Any]
    pem_fingerprint: str | None = None

    @property
    def id(self) -> str:
        return str(self.facts.get("id") or "")

    @property
    def fingerprint(self) -> str | None:
        """The best fingerprint known: the PEM's, else ESA's listed field (which may be empty)."""
        return self.pem_fingerprint or self.facts.get("fingerprint_sha256") or None

    @property
    def is_revoked(self) -> bool:
        return (self.facts.get("status") or "").lower() == REVOKED

    def age(self, now: _dt.datetime) -> _dt.timedelta | None:
        """Time since ESA created it (CreateTime, else the certificate's notBefore), or None when neither is known."""
        for name in ("created", "not_before"):
            value = self.facts.get(name)
            if value:
                try:
                    return now - parse_esa_time(value)
                except ValueError:
                    continue
        return None


@dataclasses.dataclass(frozen=True)
class Selectors:
    """The task's selectors; None means the kind was not given."""

    ids: frozenset[str] | None = None
    fingerprints: frozenset[str] | None = None
    common_names: frozenset[str] | None = None
    common_name_pattern: str | None = None

    @classmethod
    def from_params(cls, params: dict[str, t.Any]) -> Selectors:
        """The selectors of the task's options; ValueError (naming the option) for a malformed fingerprint."""
        fingerprints = None
        if params.get("fingerprint_sha256") is not None:
            fingerprints = frozenset(normalize_fingerprint(value) for value in params["fingerprint_sha256"])
        ids = None if params.get("id") is None else frozenset(value.strip() for value in params["id"])
        names = None if params.get("common_name") is None else frozenset(dns_name_key(value) for value in params["common_name"])
        pattern = params.get("common_name_pattern")
        return cls(ids=ids, fingerprints=fingerprints, common_names=names, common_name_pattern=dns_name_key(pattern) if pattern is not None else None)

    @property
    def given(self) -> bool:
        return any(kind is not None for kind in (self.ids, self.fingerprints, self.common_names, self.common_name_pattern))

    @property
    def needs_pem(self) -> bool:
        """A fingerprint selector is decided on the PEM ESA returns, never on ESA's (possibly empty) field."""
        return self.fingerprints is not None

    def may_match(self, candidate: Candidate) -> bool:
        """Every selector kind but the fingerprint's, which passes unless ESA's listed fingerprint already rules it out.

        Ruling out on ESA's field is safe (a certificate is only ever left alone by it); a match needs the PEM.
        """
        if not self._matches_names_and_ids(candidate):
            return False
        if self.fingerprints is None:
            return True
        listed = candidate.facts.get("fingerprint_sha256")
        return not listed or listed in self.fingerprints

    def matches(self, candidate: Candidate) -> bool:
        """Every selector kind given; the fingerprint kind only by the fingerprint of ESA's PEM."""
        if not self._matches_names_and_ids(candidate):
            return False
        return self.fingerprints is None or (candidate.pem_fingerprint is not None and candidate.pem_fingerprint in self.fingerprints)

    def _matches_names_and_ids(self, candidate: Candidate) -> bool:
        if self.ids is not None and candidate.id not in self.ids:
            return False
        name = dns_name_key(candidate.facts.get("common_name"))
        if self.common_names is not None and name not in self.common_names:
            return False
        return self.common_name_pattern is None or fnmatch.fnmatchcase(name, self.common_name_pattern)


@dataclasses.dataclass(frozen=True)
class Keep:
    """Ids and fingerprints that stay active, whatever the selectors say. An entry is compared as both."""

    ids: frozenset[str] = frozenset()
    fingerprints: frozenset[str] = frozenset()

    @classmethod
    def from_entries(cls, entries: t.Iterable[str] | None) -> Keep:
        ids, fingerprints = set(), set()
        for entry in entries or ():
            text = str(entry).strip()
            if not text:
                continue
            ids.add(text)
            with contextlib.suppress(ValueError):  # not a fingerprint: an id only
                fingerprints.add(normalize_fingerprint(text))
        return cls(frozenset(ids), frozenset(fingerprints))

    def needs_fingerprint(self, candidate: Candidate) -> bool:
        """Whether keep can only be decided with a fingerprint that is not known yet."""
        return bool(self.fingerprints) and candidate.fingerprint is None and candidate.id not in self.ids

    def keeps(self, candidate: Candidate) -> bool:
        """Kept by id or fingerprint; also kept when keep lists fingerprints and this one's is unknown (never guess towards a revoke)."""
        fingerprint = candidate.fingerprint
        return candidate.id in self.ids or (fingerprint in self.fingerprints if fingerprint is not None else bool(self.fingerprints))


class TooManyRevocations(CollectionError):
    """More certificates would be acted on than max_revocations allows: nothing is done."""

    def __init__(self, count: int, limit: int, state: str) -> None:
        verb = "revoke or delete" if state == ABSENT else "revoke"
        super().__init__(
            f"This task would {verb} {count} certificates, more than max_revocations ({limit}): nothing was revoked. "
            "Check the selectors and keep (the result's matched lists them), then raise max_revocations if that many is right."
        )
        self.count = count
        self.limit = limit


@dataclasses.dataclass(frozen=True)
class RevocationPlan:
    """What the task does: ``revoke`` (active certificates) then, for state=absent, ``delete`` (their records)."""

    matched: tuple[Candidate, ...]
    revoke: tuple[Candidate, ...]
    delete: tuple[Candidate, ...]
    kept: tuple[Candidate, ...]
    too_young: tuple[Candidate, ...]

    @property
    def acted_on(self) -> tuple[Candidate, ...]:
        """Every certificate the task changes, once each, in ESA's order."""
        ids = {candidate.id for candidate in self.revoke + self.delete}
        return tuple(candidate for candidate in self.matched if candidate.id in ids)


def plan_revocations(
    matched: t.Sequence[Candidate], *, keep: Keep, min_age_minutes: int, now: _dt.datetime, state: str, max_revocations: int
) -> RevocationPlan:
    """Decide for every matched certificate; TooManyRevocations when more than ``max_revocations`` would change.

    Keep wins over everything; then a certificate younger than ``min_age_minutes`` (or of unknown age, when the minimum
    is above 0) is never touched; then active ones are revoked and, with state=absent, every remaining one deleted.
    """
    minimum = _dt.timedelta(minutes=min_age_minutes)
    kept, too_young, revoke, delete = [], [], [], []
    for candidate in matched:
        if keep.keeps(candidate):
            kept.append(candidate)
            continue
        if min_age_minutes > 0:
            age = candidate.age(now)
            if age is None or age < minimum:
                too_young.append(candidate)
                continue
        if not candidate.is_revoked:
            revoke.append(candidate)
        if state == ABSENT:
            delete.append(candidate)
    plan = RevocationPlan(tuple(matched), tuple(revoke), tuple(delete), tuple(kept), tuple(too_young))
    if len(plan.acted_on) > max_revocations:
        raise TooManyRevocations(len(plan.acted_on), max_revocations, state)
    return plan


# How many ids a warning names before it says "and N more".
WARNING_ID_LIMIT = 5


def too_young_warning(plan: RevocationPlan, *, min_age_minutes: int, state: str) -> str | None:
    """One line for the certificates that matched and were left alone only because of min_age_minutes, or None.

    Only those the task would otherwise have changed count (an already revoked one is nothing to revoke, unless state=absent
    would delete it); ``keep`` is deliberate and never warned about.
    """
    # sorted by id: ESA lists certificates created in the same second in no fixed order, and the warning should not vary
    held = sorted((candidate for candidate in plan.too_young if state == ABSENT or not candidate.is_revoked), key=lambda candidate: candidate.id)
    if not held:
        return None
    ids = ", ".join(candidate.id for candidate in held[:WARNING_ID_LIMIT])
    if len(held) > WARNING_ID_LIMIT:
        ids = f"{ids} and {len(held) - WARNING_ID_LIMIT} more"
    count = f"{len(held)} matched certificate{'s were' if len(held) > 1 else ' was'}"
    action = "deleted" if state == ABSENT else "revoked"
    return (
        f"{count} not {action} ({ids}): ESA created {'them' if len(held) > 1 else 'it'} less than {min_age_minutes} minutes ago "
        f"(min_age_minutes), or does not say when; to {action[:-1]} {'them' if len(held) > 1 else 'it'} now, set min_age_minutes: 0"
    )


def summary(candidate: Candidate) -> dict[str, t.Any]:
    """The fields check mode and --diff show of a certificate."""
    facts = dict(candidate.facts)
    facts["fingerprint_sha256"] = candidate.fingerprint
    return {name: facts.get(name) for name in SUMMARY_FIELDS}


def plan_diff(plan: RevocationPlan, state: str) -> dict[str, dict[str, t.Any]]:
    """Before and after of every certificate the task changes, keyed by id: revoked, or (state=absent) gone."""
    before: dict[str, t.Any] = {}
    after: dict[str, t.Any] = {}
    for candidate in plan.acted_on:
        before[candidate.id] = dict(summary(candidate), status=candidate.facts.get("status"))
        if state != ABSENT:
            after[candidate.id] = dict(summary(candidate), status=REVOKED)
    return {"before": {"certificates": before}, "after": {"certificates": after}}
