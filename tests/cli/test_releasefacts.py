"""The release map's facts enforced by ``verify``: not_signed_before and known digests.

Bundles come from the test Sigstore instance (leaf issued 2025-06-01T12:00:00Z,
RFC 3161 time 12:00:02, log time 12:00:03); the map is written per test.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.support.instance import TestInstance
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER

CONTENT = b"pkg 1.3 source\n"
SHA256 = hashlib.sha256(CONTENT).hexdigest()
SHA512 = hashlib.sha512(CONTENT).hexdigest()


def _map(series_facts: str = "", release_facts: str = "") -> str:
    text = f"""\
schema: 1
projects:
  pkg:
    source: test
    version_pattern: '[0-9]+\\.[0-9]+'
    artifacts:
      blob:
        pattern: '^pkg-{{version}}\\.bin$'
    series:
      "1":
        source: test
        signers:
          - identity: {DEFAULT_IDENTITY}
            issuer: {DEFAULT_ISSUER}
{series_facts}"""
    if release_facts:
        text += f"""\
    releases:
      "1.3":
        source: test facts
{release_facts}"""
    return text


def _signed(tmp_path: Path, map_text: str, *, name: str = "pkg-1.3.bin", **options: object) -> Path:
    signed = TestInstance().sign_artifact(CONTENT, **options)
    artifact = tmp_path / name
    artifact.write_bytes(signed.artifact)
    (tmp_path / f"{name}.sigstore.json").write_text(json.dumps(signed.bundle))
    (tmp_path / "trusted_root.json").write_text(json.dumps(signed.trusted_root))
    (tmp_path / "map.yaml").write_text(map_text)
    return artifact


def _verify(tmp_path: Path, *argv: str, map_file: str = "map.yaml") -> int:
    # a map is read once per process and path (cli/signer.py): a changed map needs a new name
    return main(
        [
            "verify",
            "--trusted-root",
            str(tmp_path / "trusted_root.json"),
            "--map",
            str(tmp_path / map_file),
            *argv,
        ]
    )


def test_release_signed_before_its_bound_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry records facts only: the series' signer still applies (and matched)."""
    artifact = _signed(
        tmp_path, _map(release_facts="        not_signed_before: 2025-06-02T00:00:00Z\n")
    )
    assert _verify(tmp_path, str(artifact)) == 1
    err = capsys.readouterr().err
    assert (
        f"REJECTED {artifact}: name: pkg-1.3.bin names release 1.3, which the release map " in err
    )
    assert (
        "says was not signed before 2025-06-02T00:00:00Z (release 1.3 of pkg), but the "
        "evidence's earliest verified time is 2025-06-01T12:00:03Z (transparency-log, "
    ) in err
    assert "the content is an older release by the same signer" in err


def test_the_earliest_verified_time_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The RFC 3161 time (12:00:02) is earlier than the log's (12:00:03): it decides."""
    facts = "        not_signed_before: 2025-06-01T12:00:03Z\n"
    artifact = _signed(tmp_path, _map(series_facts=facts), timestamp=True)
    assert _verify(tmp_path, str(artifact)) == 1
    err = capsys.readouterr().err
    assert "(series 1 of pkg)" in err
    assert "earliest verified time is 2025-06-01T12:00:02Z (rfc3161-timestamp, " in err


def test_release_signed_after_its_bound_passes_and_the_receipt_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = "        not_signed_before: 2025-06-01T00:00:00Z\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    assert _verify(tmp_path, "--json", str(artifact)) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["signing_time_check"] == {
        "not_signed_before": "2025-06-01T00:00:00Z",
        "by": "release 1.3 of pkg",
        "earliest_verified_time": "2025-06-01T12:00:03Z",
        "result": "passed",
    }
    assert record["name_bound_by"] == "nothing (the map declares no top directory for this kind)"


def test_the_later_of_series_and_release_bounds_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = _signed(
        tmp_path,
        _map(
            series_facts="        not_signed_before: 2025-06-01T13:00:00Z\n",
            release_facts="        not_signed_before: 2025-01-01T00:00:00Z\n",
        ),
    )
    assert _verify(tmp_path, str(artifact)) == 1
    assert "not signed before 2025-06-01T13:00:00Z (series 1 of pkg)" in capsys.readouterr().err


def test_without_a_bound_the_receipt_records_no_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = _signed(tmp_path, _map())
    assert _verify(tmp_path, "--json", str(artifact)) == 0
    assert json.loads(capsys.readouterr().out)["signing_time_check"] is None


def test_a_known_digest_binds_the_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    facts = f"        digests:\n          pkg-1.3.bin: {{sha256: {SHA256}}}\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    assert _verify(tmp_path, "--json", str(artifact)) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["name_bound_by"] == "known digest sha256 (release 1.3 of pkg)"
    assert err.rstrip().endswith("; name bound by known digest sha256 (release 1.3 of pkg)")


def test_another_file_under_a_known_name_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Genuinely signed by the series' signer, but not the file the map knows by that name."""
    known = "ab" * 32
    facts = f"        digests:\n          pkg-1.3.bin: {{sha256: {known}}}\n"
    artifact = _signed(tmp_path, _map(series_facts=facts))
    assert _verify(tmp_path, str(artifact)) == 1
    err = capsys.readouterr().err
    assert (
        f"REJECTED {artifact}: name: pkg-1.3.bin: the release map knows its sha256 as {known} "
        f"(series 1 of pkg), but the artifact's sha256 is {SHA256}: the content is another file"
    ) in err


def test_every_known_algorithm_is_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundle needs sha256 only; the file is hashed with sha512 too, and that differs."""
    facts = f"        digests:\n          pkg-1.3.bin: {{sha256: {SHA256}, sha512: {'0' * 128}}}\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    assert _verify(tmp_path, str(artifact)) == 1
    assert f"knows its sha512 as {'0' * 128}" in capsys.readouterr().err
    good = f"        digests:\n          pkg-1.3.bin: {{sha256: {SHA256}, sha512: {SHA512}}}\n"
    (tmp_path / "good.yaml").write_text(_map(release_facts=good))
    assert _verify(tmp_path, "--json", str(artifact), map_file="good.yaml") == 0
    record = json.loads(capsys.readouterr().out)
    assert record["name_bound_by"] == "known digest sha256, sha512 (release 1.3 of pkg)"


def test_a_bare_digest_is_checked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known = "cd" * 32
    facts = f"        digests:\n          pkg-1.3.bin: {{sha256: {known}}}\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    bundle = f"{artifact}.sigstore.json"
    argv = ["--bundle", bundle, "--digest", f"sha256:{SHA256}", "pkg-1.3.bin"]
    assert _verify(tmp_path, *argv) == 1
    assert f"knows its sha256 as {known}" in capsys.readouterr().err
    (tmp_path / "good.yaml").write_text(
        _map(release_facts=f"        digests:\n          pkg-1.3.bin: {{sha256: {SHA256}}}\n")
    )
    assert _verify(tmp_path, "--json", *argv, map_file="good.yaml") == 0
    assert json.loads(capsys.readouterr().out)["name_bound_by"] == (
        "known digest sha256 (release 1.3 of pkg)"
    )


def test_a_digest_of_another_algorithm_is_said_not_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = f"        digests:\n          pkg-1.3.bin: {{sha256: {SHA256}}}\n"
    artifact = _signed(
        tmp_path,
        _map(release_facts=facts),
        dsse=True,
        artifact_name="pkg-1.3.bin",
        subject_algorithms=("sha512",),
    )
    bundle = f"{artifact}.sigstore.json"
    argv = ["--json", "--bundle", bundle, "--digest", f"sha512:{SHA512}", "pkg-1.3.bin"]
    assert _verify(tmp_path, *argv) == 0
    bound = json.loads(capsys.readouterr().out)["name_bound_by"]
    assert bound.endswith(
        "; the map's known digest (sha256, release 1.3 of pkg) was not compared: "
        "the artifact's digest is sha512"
    )


def test_identity_flags_leave_the_map_and_its_facts_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = "        not_signed_before: 2030-01-01T00:00:00Z\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    argv = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]
    assert _verify(tmp_path, *argv, str(artifact)) == 0
    capsys.readouterr()


def test_batch_applies_the_facts_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = "        not_signed_before: 2025-06-02T00:00:00Z\n"
    artifact = _signed(tmp_path, _map(release_facts=facts))
    old = _signed(tmp_path, _map(release_facts=facts), name="pkg-1.2.bin")
    listing = tmp_path / "list"
    listing.write_text(f"{artifact} {artifact}.sigstore.json\n{old} {old}.sigstore.json\n")
    assert _verify(tmp_path, "--json", "--batch", str(listing)) == 1
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["exit_code"] for r in records] == [1, 0]
    assert records[0]["step"] == "name"
    assert "not signed before 2025-06-02T00:00:00Z (release 1.3 of pkg)" in records[0]["error"]
    assert records[1]["signing_time_check"] is None
    assert "REJECTED" in err


def test_pep740_evidence_through_the_map_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support import pep740

    sdist, content = "example_project-1.0.tar.gz", b"example-project 1.0 sdist\n"
    inst = TestInstance()
    (tmp_path / sdist).write_bytes(content)
    (tmp_path / f"{sdist}.publish.attestation").write_text(
        json.dumps(pep740.sign_attestation(inst, content, sdist)[0])
    )
    (tmp_path / "trusted_root.json").write_text(json.dumps(inst.trusted_root()))
    head = """\
schema: 1
projects:
  example-project:
    source: test
    artifacts:
      sdist:
        format: sdist
    series:
      "1":
        source: test
        signers:
          - trusted_publisher: {kind: github, repository: example/project, workflow: release.yml}
"""
    known = hashlib.sha256(content).hexdigest()
    (tmp_path / "map.yaml").write_text(
        head + f"        digests:\n          {sdist}: {{sha256: {known}}}\n"
    )
    assert _verify(tmp_path, "--json", str(tmp_path / sdist)) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["evidence"] == "pep740-attestation"
    assert record["name_bound_by"] == (
        "in-toto subject name and known digest sha256 (series 1 of example-project)"
    )
    (tmp_path / "late.yaml").write_text(head + "        not_signed_before: 2025-06-02T00:00:00Z\n")
    assert _verify(tmp_path, str(tmp_path / sdist), map_file="late.yaml") == 1
    err = capsys.readouterr().err
    assert "name: example_project-1.0.tar.gz names release 1.0, which the release map says " in err
    assert "not signed before 2025-06-02T00:00:00Z (series 1 of example-project)" in err
