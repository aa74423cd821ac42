"""`srcverify verify`: usage, exit codes, output forms, batch mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.conftest import CORPUS

CPYTHON = CORPUS / "cpython"
TARBALL = CPYTHON / "artifacts" / "Python-3.13.5.tar.xz"
BUNDLE = CPYTHON / "bundles" / "Python-3.13.5.tar.xz.sigstore"
ROOT = CORPUS / "trust" / "production" / "trusted_root.json"
DIGEST = "sha256:93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
THOMAS = [
    "--cert-identity",
    "thomas@python.org",
    "--cert-oidc-issuer",
    "https://accounts.google.com",
]


@pytest.fixture
def real_release(corpus: Path) -> None:
    if not TARBALL.is_file():
        pytest.skip(f"corpus tarball absent: {TARBALL}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "--cert-identity", "a@b", "x"], "must be given together"),
        (["verify", "sha256:" + "00" * 32], "a digest argument needs --bundle"),
        (["verify", "--bundle", "b", "x", "y"], "--bundle names one bundle"),
        (["verify", "--key", "k.pem", *THOMAS, "x"], "excludes identity flags"),
        (
            ["verify", "--digest", "sha256:12", "--bundle", "b", "x"],
            "expected sha256:<64 hex digits>, sha384:<96> or sha512:<128>",
        ),
        (["verify", "--trusted-root", "a", "--trust-root", "b", "x"], "not allowed with argument"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_no_command_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "verify" in capsys.readouterr().err


def test_missing_artifact_is_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", *THOMAS, str(tmp_path / "Python-3.13.5.tar.xz")])
    err = capsys.readouterr().err
    assert code == 3
    assert "NOT EVALUATED" in err and "cannot read artifact" in err


def test_missing_bundle_is_not_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = tmp_path / "x.tar.xz"
    artifact.write_bytes(b"x")
    code = main(["verify", "--trusted-root", str(tmp_path / "none.json"), *THOMAS, str(artifact)])
    assert code == 3
    assert "cannot read trusted root" in capsys.readouterr().err


def test_bundle_beside_artifact_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    artifact = tmp_path / "x.tar.xz"
    artifact.write_bytes(b"x")
    (tmp_path / "x.tar.xz.sigstore").write_text("{not json")
    code = main(["verify", "--trusted-root", str(ROOT), *THOMAS, str(artifact)])
    err = capsys.readouterr().err
    if not ROOT.is_file():
        assert code == 3
        return
    assert code == 1
    assert "bundle: bundle is not valid JSON" in err


def test_real_tarball_json_receipt(real_release: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "verify",
            "--json",
            "--bundle",
            str(BUNDLE),
            "--trusted-root",
            str(ROOT),
            *THOMAS,
            str(TARBALL),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "NOT TUF-authenticated" in err
    receipt = json.loads(out)
    assert receipt["verified"] is True
    assert receipt["artifact_sha256"] == DIGEST.removeprefix("sha256:")
    assert receipt["signer"] == "thomas@python.org"
    assert receipt["issuer"] == "https://accounts.google.com"
    assert receipt["bundle_version"] == "0.3"
    assert receipt["verified_times"][0]["source"] == "transparency-log"
    assert receipt["log_entries"][0]["proof_verified"] is True
    assert receipt["trust_root"]["trusted_root_file"] == str(ROOT)
    assert receipt["trust_root"]["tuf_authenticated"] is False


def test_receipt_names_the_pin(real_release: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", "--json", "--bundle", str(BUNDLE), *THOMAS, DIGEST])
    out, err = capsys.readouterr()
    assert code == 0, err
    trust = json.loads(out)["trust_root"]
    assert trust["tuf_authenticated"] is True
    assert trust["fully_authenticated"] is True  # the shipped pin: root chain v5-v15 and all roles
    assert trust["reference_time"] == "2026-08-21T20:00:00Z"
    assert trust["age_days"] > 0


def test_batch_rejected_outranks_missing(
    real_release: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "Python-3.13.5.tar.xz"
    good.symlink_to(TARBALL)
    (tmp_path / "Python-3.13.5.tar.xz.sigstore").symlink_to(BUNDLE)
    tampered = tmp_path / "Python-3.13.5.tgz"
    tampered.write_bytes(b"not the release")
    (tmp_path / "Python-3.13.5.tgz.sigstore").symlink_to(BUNDLE)
    missing = tmp_path / "Python-3.13.6.tar.xz"
    code = main(
        [
            "verify",
            "--json",
            "--trusted-root",
            str(ROOT),
            *THOMAS,
            str(good),
            str(missing),
            str(tampered),
        ]
    )
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["exit_code"] for r in records] == [0, 3, 1]
    assert records[2]["step"] == "artifact"
    assert code == 1, err


def test_python_dash_m_help_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "srcverify", "verify", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--cert-oidc-issuer" in result.stdout
    assert "exit codes: 0 verified; 1 rejected" in result.stdout


def test_help_does_not_import_cryptography() -> None:
    probe = (
        "import sys; from srcverify.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('cryptography' in sys.modules, 'yaml' in sys.modules, 'tuf' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False False False"


def test_a_bug_fails_closed_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import srcverify.cli.verify

    def broken(*_: object) -> None:
        raise TypeError("simulated bug")

    monkeypatch.setattr(srcverify.cli.verify, "check_usage", broken)
    assert main(["verify", "x"]) == 3
    err = capsys.readouterr().err
    assert "internal error, nothing was verified (TypeError: simulated bug)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["nan", "inf", "1e12", "ten"])
def test_max_trust_root_age_must_be_a_usable_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", "--max-trust-root-age", value, *THOMAS, "x"])
    assert exit_info.value.code == 2
    assert "is not a number of days" in capsys.readouterr().err


def test_oversized_bundle_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import srcverify.cli.artifact_input

    monkeypatch.setattr(srcverify.cli.artifact_input, "MAX_INPUT_BYTES", 1024)
    bundle = tmp_path / "big.sigstore.json"
    bundle.write_bytes(b"{" + b" " * 2000 + b"}")
    code = main(["verify", "--bundle", str(bundle), *THOMAS, "sha256:" + "00" * 32])
    assert code == 1
    assert "is larger than 1024 bytes; refusing to read it" in capsys.readouterr().err


def test_closed_stdout_is_not_success(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`srcverify map show | head -1` with the reader gone: exit 3, not 0, and no traceback."""
    import io
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    closed = io.TextIOWrapper(io.FileIO(write_end, "w"), write_through=True)
    monkeypatch.setattr(sys, "stdout", closed)
    try:
        assert main(["map", "show"]) == 3
    finally:
        closed.close()
    assert "internal error" not in capsys.readouterr().err


def test_only_the_chosen_verb_is_built_and_help_lists_every_verb() -> None:
    from srcverify.cli.main import _build_parser

    def verbs(argv: list[str]) -> list[str]:
        listed = _build_parser(argv).format_help().split("commands:", 1)[1]
        return [verb for verb in ("map", "trust-root", "verify") if f"    {verb}" in listed]

    assert verbs(["verify", "x"]) == ["verify"]
    assert verbs(["map", "which", "x"]) == ["map"]
    assert verbs(["trust-root", "status"]) == ["trust-root"]
    every = ["map", "trust-root", "verify"]
    assert verbs([]) == verbs(["--help"]) == verbs(["verfy"]) == every
