# -*- coding: utf-8 -*-
# Copyright (c) alibabacloud.esa contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""directory_problem: what makes a file impossible to write, and what check mode lets pass (issue 24)."""

from __future__ import annotations

from ansible_collections.alibabacloud.esa.plugins.module_utils import _files


def test_a_missing_directory_is_a_problem_for_a_real_run(tmp_path):
    assert _files.directory_problem(str(tmp_path / "new" / "client.crt"), "path") == f"path: directory {tmp_path / 'new'} does not exist"


def test_a_missing_directory_is_no_problem_in_check_mode(tmp_path):
    assert _files.directory_problem(str(tmp_path / "new" / "client.crt"), "path", missing_ok=True) is None


def test_a_missing_directory_tree_is_no_problem_in_check_mode(tmp_path):
    assert _files.directory_problem(str(tmp_path / "a" / "b" / "client.crt"), "path", missing_ok=True) is None


def test_a_file_where_the_directory_should_be_is_a_problem_in_check_mode_too(tmp_path):
    (tmp_path / "new").write_text("not a directory")
    assert _files.directory_problem(str(tmp_path / "new" / "client.crt"), "path", missing_ok=True) is not None


def test_a_directory_at_the_path_is_a_problem_in_check_mode_too(tmp_path):
    (tmp_path / "client.crt").mkdir()
    assert _files.directory_problem(str(tmp_path / "client.crt"), "path", missing_ok=True) == f"path: {tmp_path / 'client.crt'} is a directory"


def test_an_existing_directory_is_no_problem(tmp_path):
    assert _files.directory_problem(str(tmp_path / "client.crt"), "path") is None
