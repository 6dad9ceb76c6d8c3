"""manifest.json: which files, their hashes, the format, and comparing a tree
with a manifest (docs/architecture.md#updates-and-manifest step 3, docs/architecture.md#updates-and-manifest, weakness 9.6 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from section11 import cli
from section11.publish import manifest as mf
from section11.publish.manifest import (
    ManifestError,
    build_manifest,
    content_hash,
    distributable_files,
    is_distributable,
    parse_manifest,
    plan_update,
    render_manifest,
    safe_relpath,
)

ROOT = Path(__file__).resolve().parent.parent
HEX_A = "a" * 64


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


TREE = {
    "sync.py": b"print('hi')\n",
    "section11/__init__.py": b"",
    "section11/a.py": b"A = 1\n",
    "section11/sub/b.py": b"B = 2\n",
    "section11/__pycache__/a.cpython-311.pyc": b"\0junk",
    "section11/.hidden.py": b"x\n",
    "section11/stale.tmp": b"x",
    "section11/.DS_Store": b"x",
    "requirements.txt": b"requests\n",
    "requirements-dev.txt": b"pytest\n",
    "README.md": b"# readme\n",
    "DATA_REPO_README.md": b"# data\n",
    ".github/workflows/auto-sync.yml": b"on: push\n",
    ".github/workflows/other.yml": b"on: push\n",
    "docs/deviations.md": b"# dev\n",
    "schemas/latest.schema.json": b"{}\n",
    "tests/test_x.py": b"def test(): pass\n",
    "latest.json": b"{}\n",
    "history.json": b"{}\n",
    "archive/2026-11/20261123_090000.json": b"{}\n",
    ".section11/store.sqlite3": b"\0db",
    ".sync_config.json": b"{}\n",
    "manifest.json": b"{}\n",
    "Makefile": b"all:\n",
    "node_modules/x/index.js": b"x\n",
}
EXPECTED = sorted(
    [
        "sync.py",
        "section11/__init__.py",
        "section11/a.py",
        "section11/sub/b.py",
        "requirements.txt",
        "requirements-dev.txt",
        "README.md",
        "DATA_REPO_README.md",
        ".github/workflows/auto-sync.yml",
        "docs/deviations.md",
        "schemas/latest.schema.json",
    ]
)


# ----------------------------------------------------------------- the committed manifest


def test_committed_manifest_matches_the_tree():
    """manifest.json must be regenerated whenever a distributable file changes."""
    path = ROOT / "manifest.json"
    assert path.is_file(), "manifest.json is missing: run `python sync.py --generate-manifest`"
    committed = parse_manifest(path.read_bytes())
    fresh = build_manifest(ROOT, json.loads(path.read_text(encoding="utf-8")))
    stale = sorted(set(committed["files"]) ^ set(fresh["files"])) + sorted(
        p
        for p in set(committed["files"]) & set(fresh["files"])
        if committed["files"][p] != fresh["files"][p]
    )
    assert not stale, (
        "manifest.json is stale; run `python sync.py --generate-manifest`. "
        f"Differs for: {', '.join(stale[:20])}"
    )
    assert path.read_bytes() == render_manifest(fresh)


def test_committed_manifest_lists_the_package_but_no_tests_or_data():
    files = parse_manifest((ROOT / "manifest.json").read_bytes())["files"]
    assert "sync.py" in files and "section11/cli.py" in files
    assert "section11/publish/manifest.py" in files and "requirements.txt" in files
    assert not any(p.startswith(("tests/", "archive/", ".section11/")) for p in files)
    assert not any(p.endswith(".pyc") or "__pycache__" in p for p in files)
    assert "manifest.json" not in files and "latest.json" not in files


# ----------------------------------------------------------------- selection


def test_walk_selects_the_allow_list_only(tmp_path):
    write(tmp_path, TREE)
    assert distributable_files(tmp_path) == EXPECTED


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_checkout_uses_tracked_files_only(tmp_path):
    write(tmp_path, TREE)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "add",
            "sync.py",
            "section11/a.py",
            "section11/sub/b.py",
            "section11/__pycache__",
            "docs",
            "latest.json",
            "README.md",
        ],
        check=True,
    )
    (tmp_path / "section11/sub/b.py").unlink()  # tracked, deleted in the work tree
    # untracked section11/__init__.py and requirements.txt are not distributed
    assert distributable_files(tmp_path) == [
        "README.md",
        "docs/deviations.md",
        "section11/a.py",
        "sync.py",
    ]


def test_a_subdirectory_of_a_checkout_is_walked(tmp_path):
    """Only the top of a work tree uses git; a nested copy is walked."""
    inner = tmp_path / "copy"
    write(inner, {"sync.py": b"x\n", "section11/a.py": b"y\n"})
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert distributable_files(inner) == ["section11/a.py", "sync.py"]


@pytest.mark.parametrize(
    "path,ok",
    [
        ("sync.py", True),
        ("section11/x/y.py", True),
        ("requirements-extra.txt", True),
        ("docs/a/b.md", True),
        (".github/workflows/auto-sync.yml", True),
        ("manifest.json", False),
        ("tests/test_a.py", False),
        ("latest.json", False),
        ("section11/.env", False),
        ("docs/.secret", False),
        ("section11/a.pyc", False),
        ("sub/requirements.txt", False),
        (".github/workflows/x.yml", False),
        ("LICENSE", False),
        ("section11/../etc/passwd", False),
        ("/sync.py", False),
    ],
)
def test_is_distributable(path, ok):
    assert is_distributable(path) is ok


# ----------------------------------------------------------------- hashing


def test_hash_is_sha256_of_the_bytes():
    assert content_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert (
        content_hash(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_crlf_is_normalised_in_text_files():
    assert content_hash(b"a\r\nb\r\n") == sha(b"a\nb\n")
    assert content_hash(b"a\r\nb\n") == sha(b"a\nb\n")  # mixed endings
    assert content_hash(b"a\rb") == sha(b"a\rb")  # a lone CR is content


def test_binary_files_are_hashed_raw():
    data = b"\x89PNG\r\n\x1a\n\0\0\r\n"
    assert content_hash(data) == sha(data)


@given(
    st.text(
        alphabet=st.characters(blacklist_characters="\r\0", blacklist_categories=("Cs",)),
        max_size=200,
    )
)
def test_windows_checkout_hashes_like_unix(text):
    unix = text.encode("utf-8")
    windows = text.replace("\n", "\r\n").encode("utf-8")
    assert content_hash(windows) == content_hash(unix) == sha(unix)


def test_crlf_checkout_gives_the_same_manifest(tmp_path):
    unix, windows = tmp_path / "unix", tmp_path / "windows"
    files = {"sync.py": b"import x\nprint(1)\n", "docs/a.md": b"# a\n\ntext\n"}
    write(unix, files)
    write(windows, {k: v.replace(b"\n", b"\r\n") for k, v in files.items()})
    assert build_manifest(windows) == build_manifest(unix)
    assert build_manifest(unix)["files"]["sync.py"]["hash"] == sha(b"import x\nprint(1)\n")


# ----------------------------------------------------------------- format


def test_render_format_and_stability(tmp_path):
    write(tmp_path, TREE)
    first = render_manifest(build_manifest(tmp_path))
    second = render_manifest(build_manifest(tmp_path))
    assert first == second and first.endswith(b"}\n")
    document = json.loads(first)
    assert list(document) == ["scope", "files"]
    assert "CRLF" in document["scope"]
    assert list(document["files"]) == EXPECTED  # sorted POSIX paths
    assert document["files"]["sync.py"] == {"hash": sha(TREE["sync.py"]), "runtime": True}
    assert first.decode().startswith('{\n  "scope": ')  # indent 2


def test_write_manifest_keeps_descriptions(tmp_path):
    write(tmp_path, {"sync.py": b"x\n", "section11/a.py": b"a\n"})
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "scope": "old",
                "files": {
                    "sync.py": {"hash": HEX_A, "description": "Entry point"},
                    "gone.py": {"hash": HEX_A, "description": "dropped"},
                },
            }
        )
    )
    path, count = mf.write_manifest(tmp_path)
    assert count == 2
    files = json.loads(path.read_text())["files"]
    assert files == {
        "section11/a.py": {"hash": sha(b"a\n"), "runtime": True},
        "sync.py": {"hash": sha(b"x\n"), "runtime": True, "description": "Entry point"},
    }


def test_generate_manifest_flag_writes_for_the_installation(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"sync.py": b"x\n", "section11/a.py": b"a\n", "latest.json": b"{}"})
    monkeypatch.setattr(mf, "install_root", lambda: tmp_path)
    assert cli.main(["--generate-manifest"], environ={}) == 0
    assert "2 files" in capsys.readouterr().out
    assert sorted(json.loads((tmp_path / "manifest.json").read_text())["files"]) == [
        "section11/a.py",
        "sync.py",
    ]


def test_parse_round_trip(tmp_path):
    write(tmp_path, TREE)
    built = build_manifest(tmp_path)
    assert parse_manifest(render_manifest(built)) == built


@pytest.mark.parametrize(
    "data,problem",
    [
        (b"<html>404</html>", "not valid JSON"),
        (b"[]", 'no "files"'),
        (b'{"files": []}', 'no "files"'),
        (b'{"files": {}}', "lists no files"),
        (b'{"files": {"a.py": {}}}', "no valid SHA-256"),
        (b'{"files": {"a.py": {"hash": "abc"}}}', "no valid SHA-256"),
        (b'{"files": {"a.py": "' + b"a" * 64 + b'"}}', "no valid SHA-256"),
    ],
)
def test_malformed_manifests_are_refused(data, problem):
    with pytest.raises(ManifestError, match=problem):
        parse_manifest(data, "upstream manifest")


@pytest.mark.parametrize(
    "path",
    [
        "../x.py",
        "/etc/passwd",
        "a\\b.py",
        "C:/x.py",
        "a//b.py",
        "./a.py",
        ".git/config",
        "section11/../../x",
        "manifest.json",
        "a/\x07.py",
        "",
    ],
)
def test_unsafe_paths_are_refused(path):
    assert not safe_relpath(path) or path == "manifest.json"
    data = json.dumps({"files": {path: {"hash": HEX_A}}}).encode()
    with pytest.raises(ManifestError, match="unsafe path"):
        parse_manifest(data)


def test_uppercase_hash_is_accepted_and_lowered():
    parsed = parse_manifest(json.dumps({"files": {"a.py": {"hash": "A" * 64}}}).encode())
    assert parsed["files"]["a.py"]["hash"] == HEX_A


# ----------------------------------------------------------------- plan_update


def upstream_of(files: dict[str, bytes]) -> dict:
    return {"scope": "", "files": {p: {"hash": sha(d)} for p, d in files.items()}}


def test_plan_without_installed_manifest(tmp_path):
    write(
        tmp_path,
        {
            "sync.py": b"old\n",
            "section11/a.py": b"same\n",
            "section11/gone.py": b"x\n",
            "docs/mine.md": b"user doc\n",
        },
    )
    upstream = upstream_of(
        {"sync.py": b"new\n", "section11/a.py": b"same\n", "section11/c.py": b"c\n"}
    )
    plan = plan_update(tmp_path, upstream)
    assert plan.changed == ("sync.py",)
    assert plan.new == ("section11/c.py",)
    # without an installed manifest only code is "removed", never a user's doc
    assert plan.removed == ("section11/gone.py",)
    assert plan.pending == ("section11/c.py", "sync.py")
    assert plan.has_updates and plan.conflicts == () and plan.kept == ()


def test_plan_with_installed_manifest_kept_and_conflicts(tmp_path):
    installed = {
        "schemas/x.json": b"{}\n",
        "section11/a.py": b"a1\n",
        "section11/b.py": b"b1\n",
        "section11/old.py": b"old\n",
    }
    write(tmp_path, installed)
    write(
        tmp_path,
        {
            "schemas/x.json": b"{ }\n",  # edited here, unchanged upstream
            "section11/b.py": b"b1 with my patch\n",  # edited here AND upstream
            "README.md": b"# my data repo\n",  # the user's own: never compared
        },
    )
    local = upstream_of(installed)
    upstream = upstream_of(
        {
            "README.md": b"# project\n",
            "docs/new.md": b"not a runtime file\n",
            "schemas/x.json": b"{}\n",
            "section11/a.py": b"a2\n",
            "section11/b.py": b"b2\n",
        }
    )
    plan = plan_update(tmp_path, upstream, local)
    assert plan.kept == ("schemas/x.json",)
    assert plan.changed == ("section11/a.py", "section11/b.py")
    assert plan.conflicts == ("section11/b.py",)
    assert plan.removed == ("section11/old.py",)  # installed by us, gone upstream
    assert plan.new == ()  # docs/new.md is the project's, not the data repository's


def test_plan_up_to_date_and_crlf_copy_is_not_changed(tmp_path):
    files = {"sync.py": b"a\nb\n"}
    write(tmp_path, {"sync.py": b"a\r\nb\r\n"})
    plan = plan_update(tmp_path, upstream_of(files))
    assert not plan.has_updates and plan.pending == ()


def test_fingerprint_formula_and_stability(tmp_path):
    write(tmp_path, {"sync.py": b"old\n", "section11/gone.py": b"x\n"})
    upstream = upstream_of({"sync.py": b"new\n", "section11/c.py": b"c\n"})
    plan = plan_update(tmp_path, upstream)
    lines = sorted(
        [
            f"changed sync.py {sha(b'new' + bytes([10]))}",
            f"new section11/c.py {sha(b'c' + bytes([10]))}",
            "removed section11/gone.py",
        ]
    )
    assert plan.fingerprint() == sha("\n".join(lines).encode())[:8]
    assert plan_update(tmp_path, upstream).fingerprint() == plan.fingerprint()
    other = upstream_of({"sync.py": b"newer\n", "section11/c.py": b"c\n"})
    assert plan_update(tmp_path, other).fingerprint() != plan.fingerprint()


def test_plan_without_installed_manifest_compares_only_the_code(tmp_path):
    """A data repo: its own README, no docs/; only the code counts."""
    write(
        tmp_path,
        {
            "section11/a.py": b"a\n",
            "README.md": b"# my training data\n",
            ".github/workflows/auto-sync.yml": b"old workflow\n",
        },
    )
    upstream = upstream_of(
        {
            "section11/a.py": b"a\n",
            "sync.py": b"entry\n",
            "requirements.txt": b"requests\n",
            "README.md": b"# section11\n",
            "docs/deviations.md": b"# deviations\n",
            ".github/workflows/auto-sync.yml": b"new workflow\n",
        }
    )
    plan = plan_update(tmp_path, upstream)
    assert plan.new == ("requirements.txt", "sync.py")
    assert plan.changed == (".github/workflows/auto-sync.yml",)
    assert plan.kept == () and plan.removed == ()  # README.md and docs/ are not runtime
