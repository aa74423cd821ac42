"""Right verdict, right reason on the command line (issue 10, points 6 and 7)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest

from srcverify.cli.main import main
from tests.support.instance import TestInstance
from tests.support.keys import rfc3339
from tests.support.signed import (
    DEFAULT_IDENTITY,
    DEFAULT_ISSUER,
    SIGNED_AT,
    SignedBundle,
    Validity,
)
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


def _root_listing_rekor_twice(signed: SignedBundle, *windows: Validity) -> str:
    """The trusted root with its Rekor v1 entry listed once per window (the same key,
    two validity windows, two base URLs)."""
    root = copy.deepcopy(signed.trusted_root)
    entry = root["tlogs"][0]
    root["tlogs"][0:1] = [
        {
            **entry,
            "baseUrl": f"https://rekor{n}.srcverify.test",
            "publicKey": {
                **entry["publicKey"],
                "validFor": {"start": rfc3339(start)} | ({"end": rfc3339(end)} if end else {}),
            },
        }
        for n, (start, end) in enumerate(windows)
    ]
    return json.dumps(root)


OLD = (SIGNED_AT - timedelta(days=400), SIGNED_AT - timedelta(days=30))


@pytest.mark.parametrize("covered", [True, False])
def test_a_log_id_listed_twice_is_judged_by_the_window_covering_the_time(
    covered: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to be judged by the first entry only, rejecting a good signature."""
    signed = TestInstance().sign_artifact(b"release")
    paths = signed.write(tmp_path, "upstream-1.0.tar.gz")
    second = OLD[1] if covered else SIGNED_AT + timedelta(days=1)
    paths["trusted_root"].write_text(_root_listing_rekor_twice(signed, OLD, (second, None)))
    who = ["--cert-identity", DEFAULT_IDENTITY, "--cert-oidc-issuer", DEFAULT_ISSUER]
    root = ["--trusted-root", str(paths["trusted_root"])]
    code = main(["verify", *root, *who, str(paths["artifact"])])
    out, err = capsys.readouterr()
    if covered:
        assert code == 0, err
        assert f"\nOK {paths['artifact']}: signed by {DEFAULT_IDENTITY}" in err
        return
    assert code == 1
    assert out == ""
    assert (
        f"REJECTED {paths['artifact']}: tlog: key of log https://rekor0.srcverify.test "
        "was not valid in any of its 2 entries at "
        f"2025-06-01T12:00:03+00:00 (valid {OLD[0].isoformat()} .. {OLD[1].isoformat()}; "
        f"{second.isoformat()} .. open)"
    ) in err
