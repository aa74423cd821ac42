"""Right verdict, right reason on the command line (issue 10, points 6 and 7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.support.instance import TestInstance
from tests.support.signed import DEFAULT_IDENTITY, DEFAULT_ISSUER
from tests.support.tufrepo import T, TufRepo


@pytest.mark.parametrize(
    "flags",
    [
        ["--cert-identity", "", "--cert-oidc-issuer", ""],
        ["--cert-identity", " ", "--cert-oidc-issuer", DEFAULT_ISSUER],
        ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer-regexp", ""],
    ],
)
def test_empty_identity_flags_are_a_usage_error_not_the_map(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """They used to fall back silently to the release map."""
    with pytest.raises(SystemExit) as info:
        main(["verify", *flags, "Python-3.13.5.tar.xz"])
    assert info.value.code == 2
    assert "must not be empty" in capsys.readouterr().err


def test_a_digest_name_with_directories_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README: the name must be bare; --digest NAME is passed as given, not cut to a basename."""
    signed = TestInstance().sign_artifact(b"x")
    bundle = tmp_path / "b.sigstore.json"
    bundle.write_text(json.dumps(signed.bundle))
    root = tmp_path / "root.json"
    root.write_text(json.dumps(signed.trusted_root))
    argv = ["verify", "--trusted-root", str(root), "--bundle", str(bundle)]
    code = main([*argv, "--digest", signed.digest_ref, "../x/Python-3.13.5.tar.xz"])
    assert code == 3
    assert "'../x/Python-3.13.5.tar.xz' has directory components" in capsys.readouterr().err


def test_a_pin_from_the_future_fails_every_max_trust_root_age(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its age is negative, so it used to pass any --max-trust-root-age."""
    pin = TufRepo().write_pin(tmp_path / "pin", reference_time=T)  # T is 2030
    argv = ["verify", "--trust-root", str(pin), "--max-trust-root-age", "30"]
    code = main(
        [*argv, "--bundle", "b.json", "--cert-identity", "a", "--cert-oidc-issuer", "b", "x"]
    )
    assert code == 3
    assert "reference time 2030-01-01T00:00:00Z lies after now" in capsys.readouterr().err
    assert main(["trust-root", "verify", "--max-trust-root-age", "30", str(pin)]) == 3
    assert "lies after now" in capsys.readouterr().err
