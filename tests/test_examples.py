"""examples/: real python.org bundles, byte for byte from the corpus, as `make demo` uses them.

Each bundle must match its row in examples/README.md (bundle sha256, tarball sha256),
be identical to the corpus file it was copied from (skipped visibly without the
corpus), and verify by python.org's digest with the shipped map and pin, as the
demo does. A wrong digest is rejected for the artifact step.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from srcverify.cli.main import main

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "examples"
SUMS = [
    tuple(line.split("  ", 1))
    for line in (EXAMPLES / "SHA256SUMS").read_text().splitlines()
    if line.strip()
]


def _readme_rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in (EXAMPLES / "README.md").read_text().splitlines():
        match = re.match(
            r"\| `(\S+)\.sigstore` \|.*\| `([0-9a-f]{64})` \| `([0-9a-f]{64})` \|", line
        )
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_every_bundle_is_listed_with_its_digests() -> None:
    rows = _readme_rows()
    bundles = sorted(p.name.removesuffix(".sigstore") for p in EXAMPLES.glob("*.sigstore"))
    assert bundles == sorted(rows) == sorted(name for _, name in SUMS)
    for digest, name in SUMS:
        tarball_sha256, bundle_sha256 = rows[name]
        assert digest == tarball_sha256, name
        data = (EXAMPLES / f"{name}.sigstore").read_bytes()
        assert hashlib.sha256(data).hexdigest() == bundle_sha256, name


@pytest.mark.parametrize(("digest", "name"), SUMS, ids=[name for _, name in SUMS])
def test_bundle_is_the_corpus_file_and_digest(corpus: Path, digest: str, name: str) -> None:
    bundles = corpus / "cpython" / "bundles"
    assert (EXAMPLES / f"{name}.sigstore").read_bytes() == (
        bundles / f"{name}.sigstore"
    ).read_bytes()
    cases = json.loads((corpus / "cpython" / "cases.json").read_text())["cases"]
    case = next(c for c in cases if c["id"] == f"cpython-{name}")
    assert case["artifact_sha256"] == digest


@pytest.mark.parametrize(("digest", "name"), SUMS, ids=[name for _, name in SUMS])
def test_demo_verifies_by_digest(
    digest: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "verify",
        "--digest",
        f"sha256:{digest}",
        "--bundle",
        str(EXAMPLES / f"{name}.sigstore"),
    ]
    assert main([*argv, name]) == 0
    assert capsys.readouterr().err.startswith(f"OK {name}: signed by ")
    wrong = f"sha256:{'0' * 64}"
    assert main(["verify", "--json", "--digest", wrong, *argv[3:], name]) == 1
    receipt = json.loads(capsys.readouterr().out)
    assert (receipt["verified"], receipt["step"]) == (False, "artifact")
