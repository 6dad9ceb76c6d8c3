"""`--setup` wizard (spec/pipeline.md §6.4, fixed per §9.3.2: getpass, 0600, merge)."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest

from section11.cli import EXIT_SETUP_CANCELLED, run_setup
from section11.errors import InvalidInput

KEY = "Zq7XkW3pLmN9vB2cT4"
TOKEN = "ghp_Rt5YuI8oPaS2dF"


class Script:
    """Scripted answers; EOFError when they run out. Records every prompt."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.prompts = []

    def __call__(self, prompt=""):
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)


def setup(path, inputs, secrets):
    ask, hidden, out = Script(inputs), Script(secrets), io.StringIO()
    code = run_setup(path, input_fn=ask, getpass_fn=hidden, out=out)
    return code, ask, hidden, out.getvalue()


def mode_of(path):
    return stat.S_IMODE(path.stat().st_mode)


def all_text(ask, hidden, out):
    return out + "".join(ask.prompts) + "".join(hidden.prompts)


def test_full_setup_writes_private_file(tmp_path):
    path = tmp_path / "xdg" / "section11" / "config.json"
    code, ask, hidden, out = setup(
        path, ["I123456", "alice/training-data", "SUN", "Cycling:Power, run:hr"], [KEY, TOKEN]
    )
    assert code == 0
    assert json.loads(path.read_text()) == {
        "athlete_id": "i123456",
        "intervals_key": KEY,
        "github_token": TOKEN,
        "github_repo": "alice/training-data",
        "week_start": "sun",
        "zone_preference": "cycling:power,run:hr",
    }
    if os.name != "nt":
        assert mode_of(path) == 0o600
        assert mode_of(path.parent) == 0o700
    # secrets were asked through getpass, never through input, never echoed
    assert any("API key" in p for p in hidden.prompts)
    assert any("GitHub token" in p for p in hidden.prompts)
    assert not any("key" in p.lower() or "token" in p.lower() for p in ask.prompts)
    text = all_text(ask, hidden, out)
    assert KEY[:5] not in text and TOKEN[:5] not in text
    assert str(path) in out
    assert sorted(os.listdir(path.parent)) == ["config.json"]


def test_optional_answers_skipped_and_week_default(tmp_path):
    path = tmp_path / "c.json"
    code, *_ = setup(path, ["0", "", "", ""], [KEY, ""])
    assert code == 0
    assert json.loads(path.read_text()) == {
        "athlete_id": "0",
        "intervals_key": KEY,
        "week_start": "mon",
    }


def test_invalid_answers_are_asked_again(tmp_path):
    path = tmp_path / "c.json"
    code, ask, hidden, out = setup(
        path,
        ["", "abc123", "42", "not a repo", "me/data", "funday", "wed", "run:pace", "run:hr"],
        ["", KEY, ""],
    )
    assert code == 0
    assert json.loads(path.read_text()) == {
        "athlete_id": "42",
        "intervals_key": KEY,
        "github_repo": "me/data",
        "week_start": "wed",
        "zone_preference": "run:hr",
    }
    assert out.count("a value is required") == 2  # empty athlete id, empty key
    assert "i followed by digits" in out and "owner/name" in out
    assert "mon, tue" in out and "power or hr" in out


def test_too_many_invalid_answers_is_invalid_input(tmp_path):
    path = tmp_path / "c.json"
    with pytest.raises(InvalidInput, match="nothing was written"):
        setup(path, ["x"] * 10, [])
    assert not path.exists()


@pytest.mark.parametrize(
    "answers,secrets",
    [
        ([], []),  # EOF at the first question
        (["i1"], []),  # EOF at the API key
        (["i1", "me/data", "mon"], [KEY, TOKEN]),  # EOF at the last question
    ],
)
def test_eof_cancels_without_change(tmp_path, answers, secrets):
    path = tmp_path / "c.json"
    path.write_text('{"athlete_id": "i9"}')
    os.chmod(path, 0o600)
    code, ask, hidden, out = setup(path, answers, secrets)
    assert code == EXIT_SETUP_CANCELLED and code != 0
    assert path.read_text() == '{"athlete_id": "i9"}'
    assert "cancelled" in out and "nothing was written" in out


def test_eof_without_existing_file_creates_nothing(tmp_path):
    path = tmp_path / "sub" / "c.json"
    code, *_ = setup(path, [], [])
    assert code == EXIT_SETUP_CANCELLED and not path.exists()


def test_merge_keeps_unknown_keys_and_existing_values(tmp_path):
    path = tmp_path / ".sync_config.json"
    existing = {
        "athlete_id": "i5",
        "intervals_key": "old-key-value",
        "github_token": "old-tok",
        "week_start": "tue",
        "last_manifest_check": "2024-01-01T00:00:00",
        "custom": {"x": 1},
    }
    path.write_text(json.dumps(existing))
    os.chmod(path, 0o644)  # the reference's default permissions
    code, ask, hidden, out = setup(path, ["", "", "", ""], ["", ""])
    assert code == 0
    assert json.loads(path.read_text()) == existing
    if os.name != "nt":
        assert mode_of(path) == 0o600  # fixed on rewrite
    # the current key is never shown, only that it is set
    assert "old-key-value" not in all_text(ask, hidden, out)
    assert any("[set; Enter keeps it]" in p for p in hidden.prompts)
    assert any("[i5]" in p for p in ask.prompts)
    assert "cloud drive" in out  # the legacy location gets a hint


def test_dash_removes_optional_values(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "athlete_id": "i5",
                "intervals_key": "k",
                "github_token": "t",
                "github_repo": "a/b",
                "zone_preference": "run:hr",
            }
        )
    )
    os.chmod(path, 0o600)
    code, *_ = setup(path, ["", "-", "", "-"], ["", "-"])
    assert code == 0
    assert json.loads(path.read_text()) == {
        "athlete_id": "i5",
        "intervals_key": "k",
        "week_start": "mon",
    }


def test_new_answers_replace_old_ones(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"athlete_id": "i5", "intervals_key": "k"}))
    os.chmod(path, 0o600)
    code, *_ = setup(path, ["i6", "", "fri", ""], [KEY, ""])
    assert code == 0
    assert json.loads(path.read_text()) == {
        "athlete_id": "i6",
        "intervals_key": KEY,
        "week_start": "fri",
    }


def test_invalid_existing_config_is_not_clobbered(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{broken")
    with pytest.raises(InvalidInput, match="not valid JSON"):
        setup(path, ["i1", "", "", ""], [KEY, ""])
    assert path.read_text() == "{broken"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_mode_is_0600_even_with_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        path = tmp_path / "c.json"
        code, *_ = setup(path, ["i1", "", "", ""], [KEY, ""])
    finally:
        os.umask(old)
    assert code == 0 and mode_of(path) == 0o600


def test_main_setup_end_to_end(tmp_path, monkeypatch, capsys):
    """--setup through main(): default target is the XDG path; secrets via getpass."""
    import section11.cli as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SECTION11_CONFIG", raising=False)
    real = cli.run_setup
    ask, hidden = Script(["i77", "", "", ""]), Script([KEY, ""])
    monkeypatch.setattr(
        cli, "run_setup", lambda path, **kw: real(path, input_fn=ask, getpass_fn=hidden)
    )
    assert cli.main(["--setup"]) == 0
    path = tmp_path / "xdg" / "section11" / "config.json"
    assert json.loads(path.read_text())["intervals_key"] == KEY
    captured = capsys.readouterr()
    assert KEY[:5] not in captured.out + captured.err
    assert not (tmp_path / ".sync_config.json").exists()
