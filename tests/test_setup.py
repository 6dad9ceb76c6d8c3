"""`--setup` wizard (docs/architecture.md#local-operations, fixed per weakness 9.3.2 (docs/architecture.md#reference-weaknesses): getpass, 0600, merge)."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest

from section11.errors import InvalidInput
from section11.setup_wizard import EXIT_SETUP_CANCELLED, run_setup

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
    import section11.setup_wizard as setup_wizard

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SECTION11_CONFIG", raising=False)
    real = setup_wizard.run_setup
    ask, hidden = Script(["i77", "", "", ""]), Script([KEY, ""])
    monkeypatch.setattr(
        setup_wizard, "run_setup", lambda path, **kw: real(path, input_fn=ask, getpass_fn=hidden)
    )
    assert cli.main(["--setup"]) == 0
    path = tmp_path / "xdg" / "section11" / "config.json"
    assert json.loads(path.read_text())["intervals_key"] == KEY
    captured = capsys.readouterr()
    assert KEY[:5] not in captured.out + captured.err
    assert not (tmp_path / ".sync_config.json").exists()


# ----------------------------------------------------------------- the credential test


def checked_setup(path, fake_api, athlete_id, key):
    from section11.credentials_check import check_credentials

    ask, hidden, out = Script([athlete_id, "", "", ""]), Script([key, ""]), io.StringIO()
    code = run_setup(
        path,
        input_fn=ask,
        getpass_fn=hidden,
        out=out,
        verify=lambda a, k: check_credentials(a, k, fake_api.base_url),
    )
    return code, out.getvalue()


def test_setup_tests_the_credentials_with_one_call(fake_api, tmp_path):
    path = tmp_path / "config.json"
    athlete = fake_api.data.athlete
    code, out = checked_setup(path, fake_api, fake_api.data.athlete_id, fake_api.data.api_key)
    assert code == 0 and path.is_file()
    assert f"timezone {athlete['timezone']}" in out and "Credentials work: athlete " in out
    assert [r.path for r in fake_api.requests] == [f"/api/v1/athlete/{fake_api.data.athlete_id}"]
    assert "Next: python sync.py --output-dir mydata" in out
    assert fake_api.data.api_key not in out


def test_setup_with_a_wrong_key_says_so_and_saves_nothing(fake_api, tmp_path):
    path = tmp_path / "config.json"
    code, out = checked_setup(path, fake_api, fake_api.data.athlete_id, "wrong-key-123456")
    assert code == 4 and not path.exists()
    assert "refused the API key" in out and "Nothing was saved" in out
    assert "wrong-key-123456" not in out


def test_setup_with_a_wrong_athlete_id_says_so(fake_api, tmp_path):
    path = tmp_path / "config.json"
    code, out = checked_setup(path, fake_api, "i424242", fake_api.data.api_key)
    assert code == 4 and not path.exists()
    assert "refused the API key for athlete i424242 (HTTP 403)" in out  # the API answers 403


def test_setup_saves_untested_when_the_api_is_unreachable(tmp_path):
    from section11.credentials_check import check_credentials

    path = tmp_path / "config.json"
    ask, hidden, out = Script(["i77", "", "", ""]), Script([KEY, ""]), io.StringIO()
    code = run_setup(
        path,
        input_fn=ask,
        getpass_fn=hidden,
        out=out,
        verify=lambda a, k: check_credentials(a, k, "http://127.0.0.1:9"),
    )
    assert code == 0 and path.is_file() and "could not test the credentials" in out.getvalue()
