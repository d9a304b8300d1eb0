# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure selection of esa_client_certificate_revoke: selectors, keep, minimum age and max_revocations."""

from __future__ import annotations

import datetime as dt

import pytest

from ansible_collections.alibabacloud.esa.plugins.module_utils._argspec import client_certificate_revoke_input_errors
from ansible_collections.alibabacloud.esa.plugins.plugin_utils._certificate.revocation import (
    Candidate,
    Keep,
    Selectors,
    TooManyRevocations,
    dns_name_key,
    plan_diff,
    plan_revocations,
    too_young_warning,
)

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
OLD = "2026-11-28T09:00:00Z"  # three hours before NOW
FP_A, FP_B, FP_C = "aa" * 32, "bb" * 32, "cc" * 32


def candidate(cert_id, common_name, *, fingerprint=None, listed=None, status="active", created=OLD, not_before=None):
    """``fingerprint``: from ESA's PEM; ``listed``: ESA's FingerprintSha256 field of the listing."""
    facts = {"id": cert_id, "common_name": common_name, "status": status, "fingerprint_sha256": listed or fingerprint, "created": created,
             "not_before": not_before, "not_after": "2027-11-28T09:00:00Z"}
    return Candidate(facts=facts, pem_fingerprint=fingerprint)


def selectors(**options):
    params = {"id": None, "fingerprint_sha256": None, "common_name": None, "common_name_pattern": None}
    params.update(options)
    return Selectors.from_params(params)


def plan(matched, *, keep=(), min_age_minutes=0, state="revoked", max_revocations=10, now=NOW):
    return plan_revocations(matched, keep=Keep.from_entries(keep), min_age_minutes=min_age_minutes, now=now, state=state,
                            max_revocations=max_revocations)


def ids(candidates):
    return [item.id for item in candidates]


# --- selectors ------------------------------------------------------------------------------------------------------


def test_no_selector_is_not_given_and_an_empty_list_is():
    assert not selectors().given
    assert selectors(id=[]).given
    assert selectors(common_name_pattern="*").given


@pytest.mark.parametrize("name", ["web01.Example.COM", "WEB01.example.com.", " web01.example.com "])
def test_common_names_compare_as_dns_names(name):
    assert selectors(common_name=[name]).matches(candidate("1", "web01.example.com"))
    assert selectors(common_name=["web01.example.com"]).matches(candidate("1", name))


def test_a_pattern_is_a_case_insensitive_shell_glob_over_the_whole_name():
    pattern = selectors(common_name_pattern="*.Retired.example.com")
    assert pattern.matches(candidate("1", "db01.retired.EXAMPLE.com"))
    assert not pattern.matches(candidate("2", "db01.retired.example.com.evil.test"))
    assert not pattern.matches(candidate("3", "retired.example.com"))
    assert selectors(common_name_pattern="web0[1-3].example.com").matches(candidate("4", "web02.example.com"))
    assert not selectors(common_name_pattern="web0?.example.com").matches(candidate("5", "web10.example.com"))


def test_selector_kinds_combine_with_and_and_list_entries_with_or():
    web1, web2, db1 = candidate("1", "web1.example.com", fingerprint=FP_A), candidate("2", "web2.example.com", fingerprint=FP_B), candidate(
        "3", "db1.example.com", fingerprint=FP_C)
    both = selectors(id=["1", "3"], common_name_pattern="web*")
    assert [item.id for item in (web1, web2, db1) if both.matches(item)] == ["1"]
    either = selectors(common_name=["web2.example.com", "db1.example.com"])
    assert [item.id for item in (web1, web2, db1) if either.matches(item)] == ["2", "3"]


def test_id_with_fingerprint_means_this_id_only_if_esas_pem_has_that_fingerprint():
    wanted = selectors(id=["1"], fingerprint_sha256=[FP_A.upper()])
    assert wanted.matches(candidate("1", "a", fingerprint=FP_A))
    assert not wanted.matches(candidate("1", "a", fingerprint=FP_B)), "another certificate under that id: never touched"
    assert not wanted.matches(candidate("2", "a", fingerprint=FP_A)), "that certificate under another id: not this task's"


def test_a_fingerprint_selector_needs_the_pem_and_never_trusts_the_listed_field():
    wanted = selectors(fingerprint_sha256=[FP_A])
    assert wanted.needs_pem
    assert not selectors(id=["1"]).needs_pem
    listed_only = candidate("1", "a", listed=FP_A)
    assert wanted.may_match(listed_only)
    assert not wanted.matches(listed_only)
    blank = candidate("2", "a", listed="")
    assert wanted.may_match(blank), "an empty listed fingerprint rules nothing out: the PEM decides"
    assert not wanted.may_match(candidate("3", "a", listed=FP_B)), "a listed fingerprint that differs is enough to leave it alone"


@pytest.mark.parametrize("form", ["sha256 Fingerprint=" + ":".join(["AA"] * 32), ":".join(["aa"] * 32), "AA" * 32])
def test_fingerprints_in_every_form_the_info_module_accepts(form):
    assert selectors(fingerprint_sha256=[form]).fingerprints == frozenset({FP_A})


def test_a_malformed_fingerprint_is_refused_naming_the_option():
    with pytest.raises(ValueError, match="fingerprint_sha256"):
        selectors(fingerprint_sha256=["abc"])


def test_an_empty_selector_list_matches_nothing():
    assert not selectors(id=[], common_name_pattern="*").matches(candidate("1", "a.example.com"))
    assert not selectors(fingerprint_sha256=[]).matches(candidate("1", "a", fingerprint=FP_A))


def test_dns_name_key():
    assert dns_name_key(" A.Example.COM. ") == "a.example.com"
    assert dns_name_key(None) == ""


# --- keep, age, state, max ------------------------------------------------------------------------------------------------


def test_keep_by_id_or_by_fingerprint_in_any_form():
    matched = [candidate("1", "a", fingerprint=FP_A), candidate("2", "b", fingerprint=FP_B), candidate("3", "c", listed=FP_C)]
    result = plan(matched, keep=["1", ":".join(["BB"] * 32), "", FP_C.upper()])
    assert ids(result.kept) == ["1", "2", "3"]
    assert result.revoke == ()


def test_keep_lists_fingerprints_and_one_is_unknown_so_it_is_kept():
    unknown = candidate("1", "a", listed="")
    assert Keep.from_entries([FP_A]).needs_fingerprint(unknown)
    assert not Keep.from_entries(["1", FP_A]).needs_fingerprint(unknown), "kept by id already"
    assert not Keep.from_entries(["some-id"]).needs_fingerprint(unknown), "no fingerprint in keep: nothing to learn"
    assert ids(plan([unknown], keep=[FP_A]).kept) == ["1"]
    assert ids(plan([unknown], keep=["other-id"]).revoke) == ["1"]


def test_younger_than_min_age_is_never_touched_and_older_is():
    young = candidate("young", "a", created="2026-11-28T11:30:00Z")
    old = candidate("old", "b", created="2026-11-28T10:59:59Z")
    result = plan([young, old], min_age_minutes=60)
    assert ids(result.too_young) == ["young"]
    assert ids(result.revoke) == ["old"]
    exactly = candidate("exact", "c", created="2026-11-28T11:00:00Z")
    assert ids(plan([exactly], min_age_minutes=60).revoke) == ["exact"]


def test_age_falls_back_to_not_before_and_unknown_age_counts_as_too_young():
    by_not_before = candidate("1", "a", created=None, not_before="2026-11-28T08:00:00Z")
    unknown = candidate("2", "b", created=None)
    garbled = candidate("3", "c", created="yesterday")
    result = plan([by_not_before, unknown, garbled], min_age_minutes=60)
    assert ids(result.revoke) == ["1"]
    assert ids(result.too_young) == ["2", "3"]
    assert ids(plan([unknown], min_age_minutes=0).revoke) == ["2"], "min_age_minutes=0 turns the check off"


def test_keep_wins_over_age():
    young = candidate("1", "a", created="2026-11-28T11:59:00Z")
    result = plan([young], keep=["1"], min_age_minutes=60)
    assert ids(result.kept) == ["1"]
    assert result.too_young == ()


def test_already_revoked_is_no_change_for_state_revoked_and_deleted_for_state_absent():
    revoked, active = candidate("1", "a", status="revoked"), candidate("2", "b")
    result = plan([revoked, active])
    assert ids(result.revoke) == ["2"]
    assert result.delete == ()
    assert ids(result.acted_on) == ["2"]
    absent = plan([revoked, active], state="absent")
    assert ids(absent.revoke) == ["2"]
    assert ids(absent.delete) == ["1", "2"]
    assert ids(absent.acted_on) == ["1", "2"]
    assert plan([revoked]).acted_on == ()


def test_kept_and_young_certificates_are_never_deleted():
    kept, young = candidate("1", "a", status="revoked"), candidate("2", "b", status="revoked", created="2026-11-28T11:59:00Z")
    result = plan([kept, young], keep=["1"], min_age_minutes=60, state="absent")
    assert result.delete == ()
    assert result.acted_on == ()


def test_more_than_max_revocations_fails_naming_the_count_and_the_option():
    matched = [candidate(str(index), f"h{index}") for index in range(4)]
    assert len(plan(matched, max_revocations=4).revoke) == 4
    with pytest.raises(TooManyRevocations, match=r"would revoke 4 certificates, more than max_revocations \(3\): nothing was revoked") as caught:
        plan(matched, max_revocations=3)
    assert caught.value.count == 4
    assert caught.value.limit == 3


def test_max_revocations_counts_only_what_changes():
    matched = [candidate("1", "a"), candidate("2", "b", status="revoked"), candidate("3", "c"), candidate("4", "d", created="2026-11-28T11:59:00Z")]
    assert ids(plan(matched, keep=["3"], min_age_minutes=60, max_revocations=1).revoke) == ["1"]
    with pytest.raises(TooManyRevocations, match="would revoke or delete 2 certificates"):
        plan(matched, keep=["3"], min_age_minutes=60, max_revocations=1, state="absent")


def test_diff_lists_each_certificate_acted_on_with_its_summary():
    old = candidate("1", "a.example.com", fingerprint=FP_A)
    kept = candidate("2", "b.example.com", fingerprint=FP_B)
    revoked = plan_diff(plan([old, kept], keep=["2"]), "revoked")
    summary = {"id": "1", "common_name": "a.example.com", "fingerprint_sha256": FP_A, "not_after": "2027-11-28T09:00:00Z", "created": OLD}
    assert revoked == {"before": {"certificates": {"1": dict(summary, status="active")}}, "after": {"certificates": {"1": dict(summary, status="revoked")}}}
    absent = plan_diff(plan([old], state="absent"), "absent")
    assert absent["before"]["certificates"]["1"]["status"] == "active"
    assert absent["after"] == {"certificates": {}}


# --- the input checks of the argument spec -------------------------------------------------------------------------------


def revoke_errors(**options):
    params = {"site_id": 1, "id": None, "fingerprint_sha256": None, "common_name": None, "common_name_pattern": None, "keep": None,
              "min_age_minutes": 60, "state": "revoked", "max_revocations": 10}
    params.update(options)
    return client_certificate_revoke_input_errors(params)


def test_no_selector_at_all_is_refused_in_one_line():
    errors = revoke_errors()
    assert len(errors) == 1
    assert errors[0].startswith("give at least one selector (id, fingerprint_sha256, common_name or common_name_pattern)")
    assert revoke_errors(id=[]) == [], "an empty list is a selector that matches nothing"


@pytest.mark.parametrize(("options", "text"), [
    ({"common_name_pattern": " "}, "common_name_pattern is empty"),
    ({"id": ["1", " "]}, "id has an empty entry"),
    ({"common_name": [""]}, "common_name has an empty entry"),
    ({"id": ["1"], "min_age_minutes": -1}, "min_age_minutes must be 0 or more, got -1"),
    ({"id": ["1"], "max_revocations": -5}, "max_revocations must be 0 or more, got -5"),
    ({"id": ["1"], "site_id": 0}, "site_id must be a positive ESA site id"),
])
def test_bad_input_is_refused_naming_the_option(options, text):
    assert any(text in error for error in revoke_errors(**options))


# --- issue 24: what min_age_minutes holds back is said, not only listed -----------------------------------------------

YOUNG = "2026-11-28T11:50:00Z"  # ten minutes before NOW


def young_plan(*candidates, state="revoked", keep=()):
    return plan_revocations(list(candidates), keep=Keep.from_entries(list(keep)), min_age_minutes=60, now=NOW, state=state, max_revocations=10)


def test_a_young_match_is_warned_about():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG))
    assert too_young_warning(plan, min_age_minutes=60, state="revoked") is not None


def test_the_warning_names_the_young_certificate():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG))
    assert "(c1)" in too_young_warning(plan, min_age_minutes=60, state="revoked")


def test_the_warning_counts_them():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG), candidate("c2", "b.example.com", created=YOUNG))
    assert too_young_warning(plan, min_age_minutes=60, state="revoked").startswith("2 matched certificates were not revoked")


def test_the_warning_says_why():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG))
    assert "less than 60 minutes ago (min_age_minutes)" in too_young_warning(plan, min_age_minutes=60, state="revoked")


def test_the_warning_gives_the_fix():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG))
    assert too_young_warning(plan, min_age_minutes=60, state="revoked").endswith("set min_age_minutes: 0")


def test_the_warning_bounds_the_list_of_ids():
    plan = young_plan(*(candidate(f"c{index}", f"h{index}.example.com", created=YOUNG) for index in range(8)))
    assert "c4 and 3 more" in too_young_warning(plan, min_age_minutes=60, state="revoked")


def test_the_warning_leaves_out_ids_past_the_bound():
    plan = young_plan(*(candidate(f"c{index}", f"h{index}.example.com", created=YOUNG) for index in range(8)))
    assert "c5" not in too_young_warning(plan, min_age_minutes=60, state="revoked")


def test_the_warning_is_one_line():
    plan = young_plan(*(candidate(f"c{index}", f"h{index}.example.com", created=YOUNG) for index in range(8)))
    assert "\n" not in too_young_warning(plan, min_age_minutes=60, state="revoked")


def test_kept_certificates_are_not_warned_about():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG), keep=["c1"])
    assert too_young_warning(plan, min_age_minutes=60, state="revoked") is None


def test_old_enough_certificates_are_not_warned_about():
    plan = young_plan(candidate("c1", "a.example.com"))
    assert too_young_warning(plan, min_age_minutes=60, state="revoked") is None


def test_a_young_certificate_already_revoked_is_nothing_to_warn_about():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG, status="revoked"))
    assert too_young_warning(plan, min_age_minutes=60, state="revoked") is None


def test_a_young_revoked_certificate_held_from_deletion_is_warned_about():
    plan = young_plan(candidate("c1", "a.example.com", created=YOUNG, status="revoked"), state="absent")
    assert (too_young_warning(plan, min_age_minutes=60, state="absent") or "").startswith("1 matched certificate was not deleted (c1)")
