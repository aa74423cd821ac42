"""Tests for ``srcverify map check|show|which`` (srcverify.cli.map).

The handlers run through a small argparse harness, the way cli.py wires them:
``add_parser`` registers ``map`` and every leaf command sets ``handler``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.cli import map as cli_map

BEACON_MAP = (
    Path(__file__).resolve().parents[1] / "releasemap" / "data" / "releases" / "oidc-beacon.yaml"
)
SHIPPED_MAP = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "srcverify"
    / "releasemap"
    / "maps"
    / "cpython.yaml"
)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="srcverify")
    cli_map.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_map_without_a_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map") == 2
    assert "check" in capsys.readouterr().err


def test_check_shipped_map_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "check", str(SHIPPED_MAP)) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        f"{SHIPPED_MAP}: OK, schema 1: cpython (13 artifact kinds, 11 series, "
        "0 release exceptions; facts: 1 not_signed_before, 87 known digests)"
    )


def test_check_second_map_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "check", str(BEACON_MAP)) == 0
    assert "oidc-beacon (2 artifact kinds, 3 series, 1 release exceptions)" in (
        capsys.readouterr().out
    )


def test_check_lists_every_problem_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema: 1\n"
        "projects:\n"
        "  demo:\n"
        "    version_pattern: '\\d+'\n"
        "    artifacts:\n"
        "      tarball:\n"
        "        pattern: 'demo-{version}.tar.gz'\n"
        "    series:\n"
        "      1:\n"
        "        source: s\n"
        "        signers:\n"
        "          - identity: a@b\n"
    )
    assert run("map", "check", str(bad)) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{bad}:4:5: project demo: missing 'source:' note saying where this comes from",
        f"{bad}:7:18: artifact demo/tarball: pattern 'demo-{{version}}.tar.gz' must be "
        "anchored: start with ^, end with $",
        f'{bad}:9:7: project demo: series: key 1 must be quoted ("1"); unquoted, YAML reads '
        "it as an integer",
        f"{bad}:12:13: series demo 1: signer: missing 'issuer' (the OIDC issuer URL) or "
        "'issuer_regexp'",
        f"srcverify map check: {bad}: 4 problems",
    ]


def test_check_missing_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "check", str(tmp_path / "absent.yaml")) == 3
    assert "ERROR: input: cannot read release map" in capsys.readouterr().err


def test_check_binary_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "blob.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert run("map", "check", str(path)) == 3
    assert f"{path}:1:1: not UTF-8 text" in capsys.readouterr().err


def test_show_prints_the_shipped_map(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "show") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"release map {SHIPPED_MAP} + ")  # combined with maps/pypi.yaml
    assert "pypi.yaml (schema 1)" in out.splitlines()[0]
    assert "    3.14: identity hugo@python.org, issuer https://github.com/login/oauth" in out
    assert "    3.10: identity pablogsal@python.org, issuer https://accounts.google.com" in out
    assert "ios-xcframework" in out and "^python-{version}-iOS-XCframework\\.tar\\.gz$" in out


def test_show_json_for_one_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "show", "cpython", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    project = document["projects"][0]
    assert project["name"] == "cpython"
    assert project["series"]["3.16"]["signers"] == [
        {"identity": "savannah@python.org", "issuer": "https://github.com/login/oauth"}
    ]
    assert project["artifacts"]["windows-manifest"]["pattern"] == "^windows-{version}\\.json$"


def test_show_second_map_with_claims(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "show", "--map", str(BEACON_MAP)) == 0
    out = capsys.readouterr().out
    assert "0: NO SIGNER (verification of this series exits 3)" in out
    assert "1.4.2 (linux-amd64): issuer https://token.actions.githubusercontent.com and " in out
    assert "GitHub workflow repository=sigstore-conformance/extremely-dangerous-public-oidc" in out


def test_show_unknown_project_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "show", "curl") == 3
    assert "has no project 'curl' (projects: cpython, pypi-attestations" in capsys.readouterr().err


def test_which_prints_project_version_series_and_signers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("map", "which", "Python-3.14.0rc3.tar.xz") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == [
        "Python-3.14.0rc3.tar.xz",
        "  project:    cpython",
        "  artifact:   source-xz",
        "  version:    3.14.0rc3",
        "  series:     3.14",
    ]
    assert lines[-2:] == [
        "  signers (any one of):",
        "    - identity hugo@python.org, issuer https://github.com/login/oauth",
    ]


def test_which_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("map", "which", "--json", "python-3.13.5-amd64.exe") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["artifact"] == "windows-installer-amd64"
    assert (document["version"], document["series"]) == ("3.13.5", "3.13")
    assert document["signers"] == [
        {"identity": "thomas@python.org", "issuer": "https://accounts.google.com"}
    ]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["Python-3.14.0.tar.xz.asc"], "matches no artifact pattern"),
        (["Python-3.14.tar.xz"], "matches no artifact pattern"),
        (["../Python-3.14.0.tar.xz"], "has directory components"),
        (["Python-3.18.0.tar.xz"], 'add a series entry such as "3.18"'),
        (["--map", str(BEACON_MAP), "oidc-beacon-0.1.0.tar.gz"], "lists no signers"),
    ],
)
def test_which_without_a_signer_exits_3_and_says_why(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("map", "which", *argv) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("srcverify map which: ERROR: release-map: ")
    assert reason in captured.err


def test_which_with_a_malformed_map_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("schema: 2\nprojects: {}\n")
    assert run("map", "which", "--map", str(path), "Python-3.14.0.tar.xz") == 3
    assert f"{path}:1:9: schema 2 is not supported" in capsys.readouterr().err


def test_registered_in_the_main_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from srcverify.cli import main as cli

    assert cli.main(["map", "which", "Python-3.13.5.tar.xz"]) == 0
    assert "thomas@python.org" in capsys.readouterr().out


def test_a_lone_surrogate_in_a_map_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """`map show --json` used to die with UnicodeEncodeError under a strict UTF-8 stdout."""
    text = SHIPPED_MAP.read_text().replace(
        "description: Gzipped source tarball", 'description: "Gzipped \\ud800 tarball"', 1
    )
    bad = tmp_path / "surrogate.yaml"
    bad.write_text(text)
    for argv in (["map", "show", "--json", "--map", str(bad)], ["map", "check", str(bad)]):
        result = subprocess.run(
            [sys.executable, "-m", "srcverify", *argv],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
            check=False,
        )
        assert result.returncode == 3, result.stderr
        assert "source-tgz: description: holds U+D800, a lone surrogate" in result.stderr
        assert "internal error" not in result.stderr


def test_show_and_which_display_the_facts(capsys: pytest.CaptureFixture[str]) -> None:
    digest = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
    assert run("map", "show") == 0
    out = capsys.readouterr().out
    assert f"      known digest: Python-3.13.5.tar.xz sha256:{digest}\n" in out
    assert "    3.14: identity hugo@python.org" in out
    assert "      not signed before: 2024-10-01T00:00:00Z\n" in out
    assert run("map", "show", "--json") == 0
    series = json.loads(capsys.readouterr().out)["projects"][0]["series"]
    assert series["3.13"]["digests"]["Python-3.13.5.tar.xz"] == {"sha256": digest}
    assert series["3.14"]["not_signed_before"] == "2024-10-01T00:00:00Z"
    assert "not_signed_before" not in series["3.13"]
    assert run("map", "which", "Python-3.14.0a1.tar.xz") == 0
    out = capsys.readouterr().out
    assert "  not before: 2024-10-01T00:00:00Z (series 3.14 of cpython)\n" in out
    assert "  digest:     sha256:3e464b0c" in out
    assert run("map", "which", "--json", "Python-3.13.5.tar.xz") == 0
    which = json.loads(capsys.readouterr().out)
    assert which["known_digest"] == {"sha256": digest}
    assert which["known_digest_by"] == "series 3.13 of cpython"
    assert which["not_signed_before"] is None
