"""The packagers' usual mistakes get a precise hint (srcverify.cli.hints, cli.main).

Each case asserts the exit code, the original error and the hint, on the real
python.org bundle of 3.13.5 (skipped visibly without the corpus).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.cli.test_verify import BUNDLE, DIGEST, THOMAS
from tests.conftest import CORPUS

# Sigstore's real root keys use the legacy key type name; securesystemslib warns.
pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

PIN = Path(__file__).resolve().parents[2] / "trust-root"
ROOT_FILE = PIN / "targets" / "trusted_root.json"
TUF_COPY = CORPUS / "tuf" / "production"
BY_DIGEST = ["--bundle", str(BUNDLE), "--digest", DIGEST]


@pytest.fixture
def bundle(corpus: Path) -> Path:
    if not BUNDLE.is_file():
        pytest.skip(f"corpus bundle absent: {BUNDLE}")
    return BUNDLE


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_trust_root_given_a_file_names_the_other_flag(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "verify", "--trust-root", str(ROOT_FILE), *BY_DIGEST, "x.tar.xz")
    assert code == 3
    assert f"trust root pin directory {ROOT_FILE} does not exist" in err
    assert f"hint: --trust-root takes a pin directory; {ROOT_FILE} is a file" in err
    assert "goes with --trusted-root FILE" in err


def test_trusted_root_given_a_directory_names_the_other_flag(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "verify", "--trusted-root", str(PIN), *BY_DIGEST, "x.tar.xz")
    assert code == 3
    assert "is a directory, not a regular file" in err
    assert f"hint: --trusted-root takes a trusted_root.json file; {PIN} is a directory" in err
    assert "use --trust-root DIR" in err


def test_tuf_repository_given_as_a_pin_says_how_to_make_one(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        capsys, "verify", "--json", "--trust-root", str(TUF_COPY), *BY_DIGEST, "x.tar.xz"
    )
    assert code == 3
    assert "pin.json: No such file or directory" in err
    expected = (
        f"{TUF_COPY} is a copy of a TUF repository (git layout), not a pin; make a pin from "
        f"it: srcverify trust-root update NEW-PIN --anchor {TUF_COPY}/metadata/root_history/"
    )
    assert expected in err
    assert json.loads(out)["hint"].startswith(f"{TUF_COPY} is a copy of a TUF repository")


def test_cosign_flag_names_and_offline_are_accepted(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "verify",
        "--offline",
        "--certificate-identity",
        "thomas@python.org",
        "--certificate-oidc-issuer",
        "https://accounts.google.com",
        *BY_DIGEST,
        "Python-3.13.5.tar.xz",
    ]
    code, _, err = _run(capsys, *argv)
    assert code == 0, err
    assert err.startswith("OK Python-3.13.5.tar.xz: signed by thomas@python.org")
    argv[3] = "hugo@python.org"  # the alias really sets the identity
    code, _, err = _run(capsys, *argv)
    assert code == 1
    assert "SAN mismatch: expected hugo@python.org, certificate has thomas@python.org" in err


def test_offline_is_documented_as_changing_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "verify", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "--offline accepted for sigstore-python/cosign compatibility and changes nothing" in flat
    for alias in ("--certificate-identity", "--certificate-oidc-issuer-regexp"):
        assert alias in flat


def test_options_may_follow_artifacts(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "verify", "Python-3.13.5.tar.xz", "--json", *BY_DIGEST, *THOMAS)
    assert code == 0, err
    assert json.loads(out)["signer"] == "thomas@python.org"
    code, _, err = _run(capsys, "verify", "a", "--json", "b", "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err


def test_a_second_artifact_after_an_option_is_an_artifact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "verify", str(tmp_path / "a"), "--json", str(tmp_path / "b"))
    assert code == 3
    assert [json.loads(line)["artifact"] for line in out.splitlines()] == [
        str(tmp_path / "a"),
        str(tmp_path / "b"),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "identity", "--cert-identity", "a@b", "x"], "is sigstore-python's form"),
        (["verify", "github", "x"], "'srcverify verify github' is sigstore-python's form"),
        (["verify-blob", "--bundle", "b", "x"], "srcverify has no 'verify-blob'"),
    ],
)
def test_other_clis_command_forms_get_a_hint(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "srcverify verify --" in err


def test_a_debian_orig_name_says_to_use_upstreams_name(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "verify", *BY_DIGEST, "python3.13_3.13.5.orig.tar.xz")
    assert code == 3
    assert "'python3.13_3.13.5.orig.tar.xz' is a Debian orig tarball name" in err
    assert "name the file (or, with --digest, the ARTIFACT) after upstream's file" in err
    assert "--name UPSTREAM-NAME" in err
    assert "Add an artifact kind" not in err


def test_a_wrong_version_name_says_which_series_set_the_signer(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "verify", *BY_DIGEST, "Python-3.14.0.tar.xz")
    assert code == 1
    assert "SAN mismatch: expected hugo@python.org, certificate has thomas@python.org" in err
    assert "hint: the expected signer came from series 3.14 of cpython (the shipped release" in err
    assert "chosen by the name Python-3.14.0.tar.xz" in err
    # With an explicit identity there is no map to blame.
    code, _, err = _run(
        capsys,
        "verify",
        *BY_DIGEST,
        "--cert-identity",
        "hugo@python.org",
        "--cert-oidc-issuer",
        "https://accounts.google.com",
        "Python-3.14.0.tar.xz",
    )
    assert code == 1 and "hint:" not in err
