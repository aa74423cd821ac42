"""Hang tests: a FIFO, /dev/zero or a directory in every input position.

Each case runs the real command in a subprocess with a timeout, so a hang
fails the test instead of the suite. Every one must end at once with exit 3
and a message naming the input and what it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.instance import TestInstance
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER
from tests.support.tufrepo import TufRepo

TIMEOUT = 60
HOSTILE: dict[str, Callable[[Path], None]] = {
    "a FIFO": lambda path: os.mkfifo(path),
    "a character device": lambda path: path.symlink_to("/dev/zero"),
    "a directory": lambda path: path.mkdir(),
}
IDENTITY = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]


def _run(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "srcverify", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A good artifact, bundle, trusted root and key, so only the hostile input fails."""
    here = tmp_path_factory.mktemp("good")
    instance = TestInstance()
    signed = instance.sign_artifact(b"release tarball\n")
    files = {
        "artifact": here / "good.tar.gz",
        "bundle": here / "good.tar.gz.sigstore.json",
        "root": here / "trusted_root.json",
        "key": here / "key.pem",
    }
    files["artifact"].write_bytes(signed.artifact)
    files["bundle"].write_text(json.dumps(signed.bundle))
    files["root"].write_text(json.dumps(signed.trusted_root))
    files["key"].write_bytes(instance.managed_public_key_pem())
    return files


def _verify_argv(position: str, hostile: Path, good: dict[str, Path]) -> list[str | Path]:
    trust: list[str | Path] = ["--trusted-root", good["root"]]
    bundle: list[str | Path] = ["--bundle", good["bundle"]]
    return {
        "ARTIFACT": ["verify", *trust, *bundle, *IDENTITY, hostile],
        "--bundle": ["verify", *trust, "--bundle", hostile, *IDENTITY, good["artifact"]],
        "--trusted-root": [
            "verify",
            "--trusted-root",
            hostile,
            *bundle,
            *IDENTITY,
            good["artifact"],
        ],
        "--key": ["verify", *trust, *bundle, "--key", hostile, good["artifact"]],
        "--map": ["verify", *trust, *bundle, "--map", hostile, good["artifact"]],
        "--manifest": ["verify", *trust, *bundle, *IDENTITY, "--manifest", hostile, "x.tar.gz"],
        "--batch": ["verify", *trust, *IDENTITY, "--batch", hostile],
        "batch line ARTIFACT": ["verify", *trust, *IDENTITY, "--batch", hostile.parent / "list"],
        "batch line BUNDLE": ["verify", *trust, *IDENTITY, "--batch", hostile.parent / "list"],
    }[position]


def _write_batch_list(position: str, hostile: Path, good: dict[str, Path]) -> None:
    """For the batch-line positions: a list whose one line names the hostile file."""
    if position == "batch line ARTIFACT":
        (hostile.parent / "list").write_text(f"{hostile} {good['bundle']}\n")
    elif position == "batch line BUNDLE":
        (hostile.parent / "list").write_text(f"{good['artifact']} {hostile}\n")


POSITIONS = [
    "ARTIFACT",
    "--bundle",
    "--trusted-root",
    "--key",
    "--map",
    "--manifest",
    "--batch",
    "batch line ARTIFACT",
    "batch line BUNDLE",
]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("position", POSITIONS)
def test_verify_refuses_a_special_file_at_once(
    signed: dict[str, Path], tmp_path: Path, position: str, kind: str
) -> None:
    hostile = tmp_path / "hostile"
    HOSTILE[kind](hostile)
    _write_batch_list(position, hostile, signed)
    result = _run(*_verify_argv(position, hostile, signed))
    assert result.returncode == 3, result.stderr
    assert "internal error" not in result.stderr
    assert f"{hostile} is {kind}, not a regular file; refusing to read it" in result.stderr


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_verify_refuses_a_special_default_bundle(
    signed: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    artifact = tmp_path / "good.tar.gz"
    artifact.write_bytes(signed["artifact"].read_bytes())
    HOSTILE[kind](tmp_path / "good.tar.gz.sigstore.json")
    result = _run("verify", "--trusted-root", signed["root"], *IDENTITY, artifact)
    assert result.returncode == 3, result.stderr
    assert f"bundle {artifact}.sigstore.json is {kind}, not a regular file" in result.stderr


@pytest.mark.parametrize("kind", sorted(HOSTILE))
@pytest.mark.parametrize("verb", ["check", "show"])
def test_map_commands_refuse_a_special_file(tmp_path: Path, verb: str, kind: str) -> None:
    hostile = tmp_path / "map.yaml"
    HOSTILE[kind](hostile)
    argv = ["map", "check", hostile] if verb == "check" else ["map", "show", "--map", hostile]
    result = _run(*argv)
    assert result.returncode == 3, result.stderr
    assert f"release map {hostile} is {kind}, not a regular file" in result.stderr


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_pin_record_that_is_a_special_file_is_refused(
    signed: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    pin = TufRepo().write_pin(tmp_path / "pin")
    (pin / "pin.json").unlink()
    HOSTILE[kind](pin / "pin.json")
    result = _run("verify", "--trust-root", pin, "--bundle", signed["bundle"], *IDENTITY, "x")
    assert result.returncode == 3, result.stderr
    assert "pin.json is" in result.stderr and "regular file" in result.stderr


@pytest.mark.parametrize("kind", [*sorted(HOSTILE), "too large"])
def test_update_refuses_a_special_or_endless_mirror_file(tmp_path: Path, kind: str) -> None:
    """A mirror file is read with our bound before python-tuf sees it; the pin is untouched."""
    repo = TufRepo()
    pin = repo.write_pin(tmp_path / "pin")
    before = {p: p.read_bytes() for p in pin.rglob("*") if p.is_file()}
    mirror = repo.write_mirror(tmp_path / "mirror")
    (mirror / "timestamp.json").unlink()
    if kind == "too large":
        with open(mirror / "timestamp.json", "wb") as sparse:
            sparse.truncate((16 << 20) + 1)
    else:
        HOSTILE[kind](mirror / "timestamp.json")
    result = _run("trust-root", "update", "--from", mirror, pin)
    assert result.returncode == 3, result.stderr
    expected = "is larger than 16 MiB" if kind == "too large" else f"is {kind}, not a regular"
    assert f"mirror file {mirror / 'timestamp.json'} {expected}" in result.stderr
    assert {p: p.read_bytes() for p in pin.rglob("*") if p.is_file()} == before
