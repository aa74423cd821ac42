"""The pin directory (srcverify.pin.load): the shipped pin, generated pins, real TUF metadata."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from srcverify.errors import InputError, StaleTrustRootError, TufError
from srcverify.pin.chain import authenticate
from srcverify.pin.load import (
    check_pin_age,
    default_pin_dir,
    load_authenticated_trusted_root,
    read_pin_dir,
    verify_pin,
    verify_pin_dir,
)
from srcverify.pin.record import PinRecord
from tests.support.tufrepo import T, TufRepo

# Sigstore's real root keys use the legacy key type name; securesystemslib warns.
pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

REPO_PIN = Path(__file__).resolve().parents[2] / "trust-root"
SHIPPED_T = datetime(2026, 8, 21, 20, 0, tzinfo=UTC)
# sha256 of sigstore/_store/https%3A%2F%2Ftuf-repo-cdn.sigstore.dev/root.json in the
# sigstore-4.5.1-py3-none-any.whl on PyPI (the root the earlier root-only pin held).
SIGSTORE_PYTHON_451_ROOT_SHA256 = "73747011d0857ada15479a16c4cae0f3ed03aac698b523b97e1de314ac9d9ca8"
PRODUCTION_TRUSTED_ROOT_SHA256 = "6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"


# --- the shipped pin -------------------------------------------------------------


def test_default_pin_dir_is_the_repository_pin() -> None:
    assert (default_pin_dir() / "pin.json").is_file()
    assert default_pin_dir().resolve() == REPO_PIN.resolve()


def test_shipped_pin_is_fully_authenticated() -> None:
    pin = verify_pin_dir(default_pin_dir())
    assert pin.reference_time == SHIPPED_T
    assert pin.root_chain == tuple(range(5, 16))
    assert pin.fully_authenticated
    assert pin.versions() == {"root": 15, "timestamp": 762, "snapshot": 165, "targets": 14}
    assert [t.name for t in pin.targets] == [
        "signing_config.json",
        "signing_config.v0.2.json",
        "signing_config_rekor_v2.v0.2.json",
        "trusted_root.json",
    ]
    assert all(t.tuf_authenticated for t in pin.targets)
    assert hashlib.sha256(pin.trusted_root_json).hexdigest() == PRODUCTION_TRUSTED_ROOT_SHA256
    root = pin.role("root")
    assert root is not None and root.expires == datetime(2026, 11, 20, 13, 58, 18, tzinfo=UTC)
    assert root.valid_signatures >= root.threshold == 3
    assert pin.checks_performed[0] == "pin record: 18 files match pin.json (sha256, length)"
    assert pin.checks_not_possible == ()
    assert pin.record is not None
    assert "sigstore/root-signing at commit 60cf2ce8b2e45d600dc17c4421e8c751e75772be" in (
        pin.record.origin
    )
    # The end of the chain is the root sigstore-python 4.5.1 embeds in its PyPI wheel.
    assert pin.record.source_of("metadata/15.root.json") == "metadata/root_history/15.root.json"
    assert next(f.sha256 for f in pin.record.files if f.path == "metadata/15.root.json") == (
        SIGSTORE_PYTHON_451_ROOT_SHA256
    )


def test_load_authenticated_trusted_root_default() -> None:
    now = datetime(2026, 11, 21, tzinfo=UTC)
    loaded = load_authenticated_trusted_root(None, now=now)
    assert loaded.reference_time == SHIPPED_T
    assert {log.base_url for log in loaded.trusted_root.tlogs} >= {"https://rekor.sigstore.dev"}
    assert loaded.trusted_root.certificate_authorities
    with pytest.raises(StaleTrustRootError, match=r"is 91\.2 days before now .* at most 30 days"):
        load_authenticated_trusted_root(None, now=now, max_age_days=30)


# --- generated pins ----------------------------------------------------------------


def test_generated_full_pin(tmp_path: Path) -> None:
    repo = TufRepo()
    pin = verify_pin_dir(repo.write_pin(tmp_path / "pin"))
    assert pin.fully_authenticated and pin.reference_time == T


def test_flipped_byte_is_caught_by_the_record(tmp_path: Path) -> None:
    pin_dir = shutil.copytree(REPO_PIN, tmp_path / "pin")
    path = pin_dir / "targets" / "trusted_root.json"
    data = bytearray(path.read_bytes())
    data[100] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(TufError, match=r"targets/trusted_root.json: sha256 [0-9a-f]+ does not"):
        verify_pin_dir(pin_dir)


def test_tampered_target_with_forged_record_is_caught_by_tuf() -> None:
    # pin.json is not a signature: an attacker who edits files can edit it too.
    # With full TUF metadata the targets metadata still catches the change.
    repo = TufRepo()
    files = repo.pin_files()
    files["targets/trusted_root.json"] = files["targets/trusted_root.json"].replace(b"0", b"1", 1)
    record = PinRecord.for_files(
        reference_time=T,
        reference_time_note="",
        origin="",
        repository="",
        files={p: (d, "") for p, d in files.items()},
    )
    with pytest.raises(TufError, match=r"targets/trusted_root.json does not match targets v1"):
        verify_pin(record.to_json(), files)


def test_read_pin_dir_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"does not exist"):
        read_pin_dir(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        InputError, match=r"cannot read trust root pin file .*empty/pin.json: No such file"
    ):
        read_pin_dir(tmp_path / "empty")


@pytest.mark.parametrize("entry", ["pin.json", "targets/trusted_root.json", "targets"])
def test_symlink_out_of_the_pin_is_refused(tmp_path: Path, entry: str) -> None:
    pin_dir = TufRepo().write_pin(tmp_path / "pin")
    outside = tmp_path / "elsewhere"
    (pin_dir / entry).rename(outside)  # same bytes, now outside the reviewed directory
    (pin_dir / entry).symlink_to(outside)
    with pytest.raises(TufError, match=rf"{entry} is a symbolic link .* regular files only"):
        read_pin_dir(pin_dir)


def test_age_policy() -> None:
    pin = authenticate(TufRepo().pin_files(), T)
    assert check_pin_age(pin, T + timedelta(days=3), None) == timedelta(days=3)
    assert check_pin_age(pin, T + timedelta(days=3), timedelta(days=3)) == timedelta(days=3)
    with pytest.raises(StaleTrustRootError, match=r"3\.5 days before now .* at most 3 days"):
        check_pin_age(pin, T + timedelta(days=3.5), timedelta(days=3))
    assert pin.age(T - timedelta(days=1)) == timedelta(days=-1)


def test_signature_newer_than_pin_message() -> None:
    error = StaleTrustRootError.signature_newer_than_pin(
        SHIPPED_T, datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
    )
    assert isinstance(error, StaleTrustRootError)
    assert error.detail == (
        "the pinned trust root (2026-08-21T20:00:00Z) is older than this signature "
        "(time 2026-09-01T08:30:00Z); update the trust root"
    )


# --- real metadata: Sigstore's production TUF repository (shared corpus) --------------


def _production_files(corpus: Path) -> dict[str, bytes]:
    base = corpus / "tuf" / "production"
    if not base.is_dir():
        pytest.skip(f"{base} not present")
    files = {
        f"metadata/{v}.root.json": (
            base / "metadata" / "root_history" / f"{v}.root.json"
        ).read_bytes()
        for v in range(5, 16)  # roots 1-4 cannot be parsed/verified by python-tuf
    }
    for role in ("timestamp", "snapshot", "targets"):
        files[f"metadata/{role}.json"] = (base / "metadata" / f"{role}.json").read_bytes()
    for target in sorted((base / "targets").iterdir()):
        if target.is_file() and target.name.startswith(("trusted_root", "signing_config")):
            files[f"targets/{target.name}"] = target.read_bytes()
    return files


def test_production_metadata_authenticates(corpus: Path) -> None:
    pin = authenticate(_production_files(corpus), SHIPPED_T)
    assert pin.fully_authenticated
    assert pin.root_chain == tuple(range(5, 16))
    assert pin.versions() == {"root": 15, "timestamp": 762, "snapshot": 165, "targets": 14}
    assert all(t.tuf_authenticated for t in pin.targets)
    assert pin.checks_not_possible == ()


def test_production_trusted_root_is_the_shipped_one(corpus: Path) -> None:
    # The shipped pin's T claims: at T the production repository served this
    # root and this trusted_root.json. Check the claim against real metadata.
    production = authenticate(_production_files(corpus), SHIPPED_T)
    shipped = verify_pin_dir(REPO_PIN)
    assert production.trusted_root_json == shipped.trusted_root_json
    assert hashlib.sha256(production.trusted_root_json).hexdigest() == (
        PRODUCTION_TRUSTED_ROOT_SHA256
    )
    shipped_config = shipped.target("signing_config.v0.2.json")
    production_config = production.target("signing_config.v0.2.json")
    assert shipped_config is not None and production_config is not None
    assert shipped_config.sha256 == production_config.sha256
    shipped_root = (REPO_PIN / "metadata" / "15.root.json").read_bytes()
    assert _production_files(corpus)["metadata/15.root.json"] == shipped_root


def test_production_metadata_expired_after_timestamp_expiry(corpus: Path) -> None:
    files = _production_files(corpus)
    expiry = datetime(2026, 8, 28, 19, 25, 56, tzinfo=UTC)
    assert authenticate(files, expiry - timedelta(seconds=1)).role("timestamp") is not None
    with pytest.raises(TufError, match=r"timestamp v762 expired at 2026-08-28T19:25:56Z"):
        authenticate(files, expiry + timedelta(seconds=1))


def test_production_chain_needs_every_root(corpus: Path) -> None:
    files = _production_files(corpus)
    del files["metadata/10.root.json"]
    with pytest.raises(TufError, match=r"root chain: version 10 is missing"):
        authenticate(files, SHIPPED_T)
