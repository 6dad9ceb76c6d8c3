"""Reading the previous output files: never through a symlink, never losing one."""

from __future__ import annotations

import json

from section11.localfiles import load_ftp_history, load_json_document


def test_previous_document_behind_a_symlink_is_not_read(tmp_path):
    secret = tmp_path / "config.json"
    secret.write_text(json.dumps({"intervals_key": "Zq8xK3vR7mW2pL9t"}), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.json").symlink_to(secret)
    assert load_json_document(out / "history.json") is None
    assert load_json_document(out / "missing.json") is None


def test_regular_previous_document_is_read(tmp_path):
    (tmp_path / "history.json").write_text(json.dumps({"a": 1}), encoding="utf-8")
    assert load_json_document(tmp_path / "history.json") == {"a": 1}


def test_ftp_history_symlink_is_moved_aside_not_followed(tmp_path):
    secret = tmp_path / "config.json"
    secret.write_text(json.dumps({"indoor": {"2026-01-01": 999}}), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "ftp_history.json").symlink_to(secret)
    warnings: list[str] = []
    history = load_ftp_history(out, warnings.append)
    assert history == {"indoor": {}, "outdoor": {}}  # the target's content was never used
    assert not (out / "ftp_history.json").exists() and not (out / "ftp_history.json").is_symlink()
    assert secret.read_text(encoding="utf-8")  # the link's target is untouched
    assert len(warnings) == 1 and "ftp_history.json" in warnings[0]
