"""Attacker text in human output is escaped (srcverify.cli.display)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.cli.display import escape
from srcverify.cli.main import main
from tests.support.instance import TestInstance
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER

CLI = Path(__file__).resolve().parents[2] / "src" / "srcverify" / "cli"
FORGED = "OK Python-3.13.5.tar.xz: signed by hugo@python.org (https://accounts.google.com)"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("thomas@python.org", "thomas@python.org"),
        ("José Müller 3\\.13", "José Müller 3\\.13"),  # printable text and backslashes as written
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[32mOK\x1b[0m", "\\x1b[32mOK\\x1b[0m"),
        ("\x85\x7f", "\\x85\\x7f"),  # C1 control, DEL
        ("evil\u202egro.nohtyp", "evil\\u202egro.nohtyp"),  # right-to-left override
        ("a\u2066b\u2069\u200b\ufeff", "a\\u2066b\\u2069\\u200b\\ufeff"),
        ("line\u2028sep\u00a0", "line\\u2028sep\\xa0"),
        ("\ud800", "\\ud800"),  # a lone surrogate: shown, never an encoding crash
        ("name\udcff", "name\\xff"),  # a byte the command line could not decode
        ("\U000e0041", "\\U000e0041"),  # tag character
    ],
)
def test_escape(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_cli_prints_only_through_the_escaping_helper() -> None:
    """One helper for every human-output path: no bare print() in the CLI modules."""
    offenders = []
    for path in sorted(CLI.glob("*.py")):
        if path.name == "display.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def _forging_bundle(tmp_path: Path) -> tuple[Path, Path]:
    """A self-made bundle whose certificate's OIDC issuer carries a forged summary line."""
    evil_issuer = f"{DEFAULT_ISSUER}\n{FORGED} at 2025-06-01T00:00:00Z, bundle v0.3\x1b[8m"
    signed = TestInstance().sign_artifact(b"tarball", issuer=evil_issuer)
    artifact = tmp_path / "Python-3.13.5.tar.xz"
    artifact.write_bytes(signed.artifact)
    (tmp_path / "Python-3.13.5.tar.xz.sigstore.json").write_text(json.dumps(signed.bundle))
    root = tmp_path / "trusted_root.json"
    root.write_text(json.dumps(signed.trusted_root))
    return artifact, root


def test_a_rejected_bundle_cannot_print_a_forged_ok_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact, root = _forging_bundle(tmp_path)
    argv = ["verify", "--trusted-root", str(root), "--cert-identity", DEFAULT_IDENTITY]
    code = main([*argv, "--cert-oidc-issuer", DEFAULT_ISSUER, str(artifact)])
    assert code == 1
    lines = capsys.readouterr().err.splitlines()
    assert not [line for line in lines if line.startswith("OK")]
    assert lines[-1].startswith(f"REJECTED {artifact}: policy: OIDC issuer mismatch")
    assert f"\\n{FORGED}" in lines[-1] and lines[-1].endswith("\\x1b[8m")
    assert "\x1b" not in "".join(lines)


def test_argparse_errors_quote_the_command_line_escaped() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "srcverify", "map", "check", "--no-such\nOK\x1b[2J", "m.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert not [line for line in result.stderr.splitlines() if line.startswith("OK")]
    assert "unrecognized arguments: --no-such\\nOK\\x1b[2J" in result.stderr


def test_a_closed_stdout_at_start_is_exit_3_not_a_dropped_receipt(tmp_path: Path) -> None:
    """With file descriptor 1 closed, print() wrote nothing and verify --json exited 0."""
    signed = TestInstance().sign_artifact(b"tarball")
    artifact = tmp_path / "good.tar.gz"
    artifact.write_bytes(signed.artifact)
    (tmp_path / "good.tar.gz.sigstore.json").write_text(json.dumps(signed.bundle))
    root = tmp_path / "trusted_root.json"
    root.write_text(json.dumps(signed.trusted_root))
    argv = ["verify", "--json", "--trusted-root", str(root), "--cert-identity", DEFAULT_IDENTITY]
    argv += ["--cert-oidc-issuer", DEFAULT_ISSUER, str(artifact)]
    for closed in (False, True):
        result = subprocess.run(
            [sys.executable, "-m", "srcverify", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            preexec_fn=(lambda: os.close(1)) if closed else None,
        )
        assert result.returncode == (3 if closed else 0), result.stderr
    assert "stdout is closed, so the output cannot be written" in result.stderr
