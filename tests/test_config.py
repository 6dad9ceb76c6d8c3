"""Settings resolution: precedence, config file location and safety, value parsing
(docs/architecture.md#settings with the fixes of weakness 9.3 (docs/architecture.md#reference-weaknesses); docs/metrics.md#sport-families)."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from section11.config import (
    Settings,
    config_location,
    default_config_path,
    load_settings,
    parse_days,
    parse_now,
    parse_week_start,
    parse_zone_preference,
)
from section11.errors import InvalidInput

ARG_DEFAULTS = dict(
    athlete_id=None,
    intervals_key=None,
    github_token=None,
    github_repo=None,
    week_start=None,
    days=None,
    output=None,
    output_dir=None,
    config=None,
    debug=False,
    lockfile=False,
    generate_history=False,
    demo=False,
    no_anonymize=False,
)


def ns(**kw):
    return argparse.Namespace(**{**ARG_DEFAULTS, **kw})


def write_config(path: Path, data, mode=0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.fixture
def env(tmp_path):
    """A clean environment whose XDG config dir is empty and private to the test."""
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def load(args, env, tmp_path, warnings=None):
    return load_settings(
        args, env, cwd=tmp_path, warn=(warnings.append if warnings is not None else None)
    )


# ----------------------------------------------------------------- precedence

SIMPLE = {  # setting -> (env var, cli value, env value, file value, expected-by-source)
    "athlete_id": ("ATHLETE_ID", "i111", "i222", "i333"),
    "intervals_key": ("INTERVALS_KEY", "key-cli", "key-env", "key-file"),
    "github_token": ("GITHUB_TOKEN", "tok-cli", "tok-env", "tok-file"),
    "github_repo": ("GITHUB_REPO", "a/cli", "a/env", "a/file"),
}
SOURCES = [(c, e, f) for c in (0, 1) for e in (0, 1) for f in (0, 1)]


@pytest.mark.parametrize("name", sorted(SIMPLE))
@pytest.mark.parametrize("cli,envv,file", SOURCES)
def test_precedence_cli_env_file(name, cli, envv, file, env, tmp_path):
    var, cli_value, env_value, file_value = SIMPLE[name]
    config = write_config(tmp_path / "cfg.json", {name: file_value} if file else {})
    if envv:
        env[var] = env_value
    args = ns(config=str(config), **({name: cli_value} if cli else {}))
    expected = cli_value if cli else env_value if envv else file_value if file else None
    assert getattr(load(args, env, tmp_path), name) == expected


@pytest.mark.parametrize("cli,envv,file", SOURCES)
def test_precedence_week_start(cli, envv, file, env, tmp_path):
    config = write_config(tmp_path / "cfg.json", {"week_start": "wed"} if file else {})
    if envv:
        env["WEEK_START"] = "tue"
    args = ns(config=str(config), week_start="sun" if cli else None)
    expected = 6 if cli else 1 if envv else 2 if file else 0
    assert load(args, env, tmp_path).week_start == expected


@pytest.mark.parametrize("envv,file", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_precedence_zone_preference_env_over_file(envv, file, env, tmp_path):
    config = write_config(tmp_path / "cfg.json", {"zone_preference": "run:power"} if file else {})
    if envv:
        env["ZONE_PREFERENCE"] = "run:hr"
    expected = {"run": "hr"} if envv else {"run": "power"} if file else {}
    assert dict(load(ns(config=str(config)), env, tmp_path).zone_preference) == expected


def test_empty_values_count_as_absent(env, tmp_path):
    config = write_config(tmp_path / "cfg.json", {"athlete_id": "i333", "week_start": "fri"})
    env.update(ATHLETE_ID="", WEEK_START="  ")
    settings = load(ns(config=str(config), athlete_id=""), env, tmp_path)
    assert settings.athlete_id == "i333"
    assert settings.week_start == 4


def test_env_beats_file_for_secrets_the_reference_bug(env, tmp_path):
    # weakness 9.3.4 (docs/architecture.md#reference-weaknesses): a stale config file must not override CI secrets.
    config = write_config(tmp_path / "cfg.json", {"intervals_key": "stale", "athlete_id": "i1"})
    env.update(INTERVALS_KEY="fresh", ATHLETE_ID="i2")
    settings = load(ns(config=str(config)), env, tmp_path)
    assert (settings.intervals_key, settings.athlete_id) == ("fresh", "i2")


def test_cli_only_settings_and_defaults(env, tmp_path):
    settings = load(ns(), env, tmp_path)
    assert settings == Settings()
    assert settings.days == 7 and settings.week_start == 0 and settings.anonymize is True
    assert settings.config_path is None and settings.now is None and settings.base_url is None
    settings = load(
        ns(
            days=28,
            output="x/latest.json",
            debug=True,
            lockfile=True,
            generate_history=True,
            demo=True,
            no_anonymize=True,
        ),
        env,
        tmp_path,
    )
    assert (
        settings.days,
        settings.output,
        settings.debug,
        settings.lockfile,
        settings.generate_history,
        settings.demo,
        settings.anonymize,
    ) == (28, "x/latest.json", True, True, True, True, False)
    assert load(ns(output_dir="out"), env, tmp_path).output_dir == "out"


def test_base_url_from_env(env, tmp_path):
    env["INTERVALS_BASE_URL"] = "http://127.0.0.1:8080"
    assert load(ns(), env, tmp_path).base_url == "http://127.0.0.1:8080"


def test_missing_namespace_attributes_are_not_given(env, tmp_path):
    assert load(argparse.Namespace(), env, tmp_path) == Settings()


def test_numeric_athlete_id_in_file_becomes_text(env, tmp_path):
    config = write_config(tmp_path / "cfg.json", {"athlete_id": 123456})
    assert load(ns(config=str(config)), env, tmp_path).athlete_id == "123456"


def test_non_string_secret_in_file_is_refused_without_echo(env, tmp_path):
    config = write_config(tmp_path / "cfg.json", {"intervals_key": 987654321})
    with pytest.raises(InvalidInput) as exc:
        load(ns(config=str(config)), env, tmp_path)
    assert "intervals_key" in exc.value.message and "987654321" not in exc.value.message


def test_repr_hides_secrets():
    text = repr(Settings(athlete_id="i1", intervals_key="SECRETKEY", github_token="GHTOKEN"))
    assert "SECRETKEY" not in text and "GHTOKEN" not in text and "i1" in text


# ----------------------------------------------------------------- location


def test_location_order(env, tmp_path):
    legacy = write_config(tmp_path / ".sync_config.json", {"athlete_id": "i3"})
    xdg = write_config(
        Path(env["XDG_CONFIG_HOME"]) / "section11" / "config.json", {"athlete_id": "i4"}
    )
    by_env = write_config(tmp_path / "env.json", {"athlete_id": "i2"})
    by_cli = write_config(tmp_path / "cli.json", {"athlete_id": "i1"})
    env["SECTION11_CONFIG"] = str(by_env)
    assert load(ns(config=str(by_cli)), env, tmp_path).athlete_id == "i1"
    assert load(ns(), env, tmp_path).config_path == by_env
    del env["SECTION11_CONFIG"]
    assert load(ns(), env, tmp_path).athlete_id == "i3"
    legacy.unlink()
    settings = load(ns(), env, tmp_path)
    assert (settings.athlete_id, settings.config_path) == ("i4", xdg)
    xdg.unlink()
    assert load(ns(), env, tmp_path).config_path is None


def test_default_xdg_path(tmp_path):
    assert default_config_path({"XDG_CONFIG_HOME": "/x/cfg"}) == Path(
        "/x/cfg/section11/config.json"
    )
    assert default_config_path({"HOME": "/h"}) == Path("/h/.config/section11/config.json")
    # a relative XDG_CONFIG_HOME is ignored (XDG base directory spec)
    assert default_config_path({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) == Path(
        "/h/.config/section11/config.json"
    )


def test_location_for_writing_defaults_to_xdg(env, tmp_path):
    assert config_location(None, env, tmp_path) == (None, False)
    assert config_location(None, env, tmp_path, for_writing=True) == (
        Path(env["XDG_CONFIG_HOME"]) / "section11" / "config.json",
        False,
    )
    legacy = write_config(tmp_path / ".sync_config.json", {})
    assert config_location(None, env, tmp_path, for_writing=True) == (legacy, False)
    assert config_location("my.json", env, tmp_path, for_writing=True) == (Path("my.json"), True)


def test_explicit_missing_config_is_invalid(env, tmp_path):
    with pytest.raises(InvalidInput, match="does not exist"):
        load(ns(config=str(tmp_path / "nope.json")), env, tmp_path)
    env["SECTION11_CONFIG"] = str(tmp_path / "nope2.json")
    with pytest.raises(InvalidInput, match="nope2.json does not exist"):
        load(ns(), env, tmp_path)


# ----------------------------------------------------------------- safety


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o444])
def test_config_with_secret_readable_by_others_is_refused(mode, env, tmp_path):
    path = write_config(tmp_path / "cfg.json", {"intervals_key": "k-123456"}, mode)
    with pytest.raises(InvalidInput) as exc:
        load(ns(config=str(path)), env, tmp_path)
    message = exc.value.message
    assert f"chmod 600 {path}" in message and "\n" not in message
    assert "k-123456" not in message


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o620, 0o602, 0o622])
def test_config_with_secret_writable_by_others_is_refused(mode, env, tmp_path):
    path = write_config(tmp_path / "cfg.json", {"intervals_key": "k-123456"}, mode)
    with pytest.raises(InvalidInput) as exc:
        load(ns(config=str(path)), env, tmp_path)
    message = exc.value.message
    assert "writable by others" in message and f"chmod 600 {path}" in message
    assert "k-123456" not in message


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_private_config_is_accepted(mode, env, tmp_path):
    path = write_config(tmp_path / "cfg.json", {"intervals_key": "k", "github_token": "t"}, mode)
    settings = load(ns(config=str(path)), env, tmp_path)
    assert (settings.intervals_key, settings.github_token) == ("k", "t")


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_open_config_without_secrets_is_accepted(env, tmp_path):
    path = write_config(tmp_path / "cfg.json", {"athlete_id": "i9", "intervals_key": ""}, 0o644)
    assert load(ns(config=str(path)), env, tmp_path).athlete_id == "i9"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_open_github_token_alone_is_refused(env, tmp_path):
    path = write_config(tmp_path / "cfg.json", {"github_token": "ghp_x"}, 0o644)
    with pytest.raises(InvalidInput, match="chmod 600"):
        load(ns(config=str(path)), env, tmp_path)


@pytest.mark.parametrize("text", ["{not json", "", '{"athlete_id": "i1",}'])
def test_invalid_json_config(text, env, tmp_path):
    path = write_config(tmp_path / "cfg.json", text)
    with pytest.raises(InvalidInput) as exc:
        load(ns(config=str(path)), env, tmp_path)
    assert str(path) in exc.value.message and "not valid JSON" in exc.value.message
    assert "\n" not in exc.value.message


@pytest.mark.parametrize("text", ["[]", '"x"', "3", "null"])
def test_config_must_be_an_object(text, env, tmp_path):
    path = write_config(tmp_path / "cfg.json", text)
    with pytest.raises(InvalidInput, match="JSON object"):
        load(ns(config=str(path)), env, tmp_path)


def test_unreadable_config(env, tmp_path):
    directory = tmp_path / "cfg.json"
    directory.mkdir()
    with pytest.raises(InvalidInput, match="cannot be read"):
        load(ns(config=str(directory)), env, tmp_path)


def test_non_utf8_config(env, tmp_path):
    path = tmp_path / "cfg.json"
    path.write_bytes(b'{"athlete_id": "\xff"}')
    with pytest.raises(InvalidInput, match="cannot be read"):
        load(ns(config=str(path)), env, tmp_path)


# ----------------------------------------------------------------- zone preference


def test_zone_preference_parsing():
    warnings = []
    assert parse_zone_preference("Cycling:Power, run:HR ,", "ZONE_PREFERENCE", warnings.append) == {
        "cycling": "power",
        "run": "hr",
    }
    assert warnings == []


def test_zone_preference_invalid_pairs_skipped_with_one_line_warnings():
    warnings = []
    result = parse_zone_preference(
        "swim:pace,ski,:hr,run:hr,row:power:x", "ZONE_PREFERENCE", warnings.append
    )
    assert result == {"run": "hr"}
    assert len(warnings) == 4
    assert all("\n" not in w and "ZONE_PREFERENCE" in w for w in warnings)
    assert "'swim:pace'" in warnings[0]


def test_zone_preference_sports_not_checked_against_families():
    # as the reference: unknown sports are kept (they simply never match)
    assert parse_zone_preference("underwaterhockey:hr", "x", lambda m: None) == {
        "underwaterhockey": "hr"
    }


def test_zone_preference_later_pair_wins_and_empty():
    assert parse_zone_preference("run:hr,run:power", "x", lambda m: None) == {"run": "power"}
    assert parse_zone_preference("", "x", lambda m: None) == {}


def test_zone_preference_dict_and_bad_type():
    assert parse_zone_preference({"Run": "HR", "swim": 3}, "f", lambda m: None) == {"run": "hr"}
    with pytest.raises(InvalidInput):
        parse_zone_preference(5, "config file", lambda m: None)


def test_zone_preference_warning_reaches_caller_via_load(env, tmp_path):
    env["ZONE_PREFERENCE"] = "run:hr,bike:watts"
    warnings = []
    settings = load(ns(), env, tmp_path, warnings)
    assert dict(settings.zone_preference) == {"run": "hr"}
    assert len(warnings) == 1 and "bike:watts" in warnings[0]


# ----------------------------------------------------------------- week start, days, now


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mon", 0),
        ("tue", 1),
        ("wed", 2),
        ("thu", 3),
        ("fri", 4),
        ("sat", 5),
        ("sun", 6),
        ("SUN", 6),
        (" Tue ", 1),
    ],
)
def test_week_start_values(text, expected):
    assert parse_week_start(text, "WEEK_START") == expected


@pytest.mark.parametrize("bad", ["monday", "m", "", "7", 3, None])
def test_week_start_invalid(bad):
    with pytest.raises(InvalidInput, match="WEEK_START"):
        parse_week_start(bad, "WEEK_START")


def test_invalid_week_start_in_env_and_file_is_an_error(env, tmp_path):
    # the reference silently fell back to Monday
    env["WEEK_START"] = "funday"
    with pytest.raises(InvalidInput, match="WEEK_START"):
        load(ns(), env, tmp_path)
    del env["WEEK_START"]
    path = write_config(tmp_path / "cfg.json", {"week_start": "holiday"})
    with pytest.raises(InvalidInput, match="week_start"):
        load(ns(config=str(path)), env, tmp_path)


@pytest.mark.parametrize("days", [1, 7, 28, 90, 3650])
def test_days_valid(days, env, tmp_path):
    assert parse_days(days) == days
    assert load(ns(days=days), env, tmp_path).days == days


@pytest.mark.parametrize("days", [0, -1, 3651, True, 7.0, "7"])
def test_days_invalid(days, env, tmp_path):
    with pytest.raises(InvalidInput, match="--days"):
        load(ns(days=days), env, tmp_path)


def test_now_override(env, tmp_path):
    env["SECTION11_NOW"] = "2024-05-01T07:30:00+02:00"
    now = load(ns(), env, tmp_path).now
    assert now == datetime(2024, 5, 1, 5, 30, tzinfo=UTC)
    assert now.utcoffset() == timedelta(hours=2)
    assert parse_now("2024-05-01T05:30:00Z") == datetime(2024, 5, 1, 5, 30, tzinfo=UTC)
    assert parse_now("2024-12-31T23:59:59-08:00").utcoffset() == timedelta(hours=-8)


@pytest.mark.parametrize(
    "bad", ["2024-05-01T07:30:00", "2024-05-01", "yesterday", "2024-13-01T00:00+00:00"]
)
def test_now_override_invalid(bad, env, tmp_path):
    env["SECTION11_NOW"] = bad
    with pytest.raises(InvalidInput, match="SECTION11_NOW"):
        load(ns(), env, tmp_path)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["run", "Cycling", "SKI", "swim"]),
            st.sampled_from(["power", "hr", "HR", "pace", ""]),
        ),
        max_size=6,
    )
)
def test_zone_preference_property(pairs):
    text = ",".join(f"{s}:{b}" for s, b in pairs)
    warnings = []
    result = parse_zone_preference(text, "x", warnings.append)
    valid = [(s.lower(), b.lower()) for s, b in pairs if b.lower() in ("power", "hr")]
    assert result == dict(valid)
    assert len(warnings) == len(pairs) - len(valid)
