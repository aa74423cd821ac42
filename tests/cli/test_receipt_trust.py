"""A receipt's ``trust_root`` says what was checked, exactly as ``trust-root status`` does.

Three trust roots: the shipped (full) pin, a root-only (partial) pin made from it,
and the same ``trusted_root.json`` given with ``--trusted-root``. Each receipt is
compared field by field with ``trust-root status --json`` of the pin it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from srcverify.cli.main import main
from srcverify.pin.record import PinRecord
from srcverify.pin.write import write_pin
from tests.cli.test_verify import BUNDLE, DIGEST, THOMAS

# Sigstore's real root keys use the legacy key type name; securesystemslib warns.
pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

REPO_PIN = Path(__file__).resolve().parents[2] / "trust-root"
SHARED = (
    "pin",
    "trusted_root_file",
    "trusted_root_sha256",
    "tuf_authenticated",
    "fully_authenticated",
    "reference_time",
    "root_chain",
    "role_versions",
    "checks_not_possible",
)


@pytest.fixture
def bundle(corpus: Path) -> Path:
    if not BUNDLE.is_file():
        pytest.skip(f"corpus bundle absent: {BUNDLE}")
    return BUNDLE


def _receipt(capsys: pytest.CaptureFixture[str], *trust: str) -> dict[str, Any]:
    code = main(["verify", "--json", *trust, "--bundle", str(BUNDLE), *THOMAS, DIGEST])
    out, err = capsys.readouterr()
    assert code == 0, err
    trust_root: dict[str, Any] = json.loads(out)["trust_root"]
    return trust_root


def _status(capsys: pytest.CaptureFixture[str], pin_dir: Path) -> dict[str, Any]:
    assert main(["trust-root", "status", "--json", str(pin_dir)]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _root_only_pin(directory: Path) -> Path:
    files = {
        path: (REPO_PIN / path).read_bytes()
        for path in ("metadata/15.root.json", "targets/trusted_root.json")
    }
    shipped = PinRecord.from_json((REPO_PIN / "pin.json").read_bytes())
    record = PinRecord.for_files(
        reference_time=shipped.reference_time,
        reference_time_note="root-only copy of the shipped pin, for the test",
        origin="tests/cli/test_receipt_trust.py",
        repository=shipped.repository,
        files={path: (data, "shipped pin") for path, data in files.items()},
    )
    write_pin(directory, record.to_json(), files)
    return directory


def test_full_pin_receipt_matches_status(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    receipt = _receipt(capsys, "--trust-root", str(REPO_PIN))
    status = _status(capsys, REPO_PIN)
    assert {key: receipt[key] for key in SHARED} == {key: status[key] for key in SHARED}
    assert receipt["tuf_authenticated"] is True and receipt["fully_authenticated"] is True
    assert receipt["role_versions"] == {
        role: state["version"] for role, state in status["roles"].items()
    }
    trusted = next(t for t in status["targets"] if t["name"] == "trusted_root.json")
    assert (receipt["trusted_root_sha256"], receipt["tuf_authenticated"]) == (
        trusted["sha256"],
        trusted["tuf_authenticated"],
    )
    assert receipt["checks_not_possible"] == []


def test_partial_pin_receipt_matches_status(
    bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin_dir = _root_only_pin(tmp_path / "root-only")
    receipt = _receipt(capsys, "--trust-root", str(pin_dir))
    status = _status(capsys, pin_dir)
    assert {key: receipt[key] for key in SHARED} == {key: status[key] for key in SHARED}
    # The trusted root rests on pin.json's sha256 only: the receipt must not claim TUF.
    assert receipt["tuf_authenticated"] is False and receipt["fully_authenticated"] is False
    assert receipt["role_versions"] == {
        "root": 15,
        "timestamp": None,
        "snapshot": None,
        "targets": None,
    }
    assert any("not authenticated by TUF" in c for c in receipt["checks_not_possible"])


def test_trusted_root_file_receipt_claims_nothing(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = REPO_PIN / "targets" / "trusted_root.json"
    receipt = _receipt(capsys, "--trusted-root", str(path))
    status = _status(capsys, REPO_PIN)
    # The same bytes the full pin authenticates ...
    assert receipt["trusted_root_sha256"] == status["trusted_root_sha256"]
    # ... but used as is, so nothing of the pin's authentication carries over.
    assert receipt == {
        "pin": None,
        "trusted_root_file": str(path),
        "trusted_root_sha256": status["trusted_root_sha256"],
        "tuf_authenticated": False,
        "fully_authenticated": False,
        "reference_time": None,
        "root_chain": [],
        "role_versions": {"root": None, "timestamp": None, "snapshot": None, "targets": None},
        "checks_not_possible": [
            "the trusted root was given with --trusted-root and used as is: "
            "no TUF metadata was checked"
        ],
    }
