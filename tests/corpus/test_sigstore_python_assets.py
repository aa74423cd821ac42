"""sigstore-python's own test bundles (staging), with their expected verdicts.

Upstream runs these with no identity policy (``UnsafeNoOp``); here the
policy is the explicit match-anything ``Identity(identity_regexp=".*",
issuer_regexp=".*")``, so everything but the identity is checked. Each
``_fail`` case must fail for the defect it carries.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from srcverify.errors import SrcverifyError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import verify_bundle
from tests.conftest import CORPUS

BASE = CORPUS / "sigstore-python"
INDEX = BASE / "assets-index.json"
NOW = datetime(2026, 11, 21, tzinfo=UTC)
ANYONE = Identity(identity_regexp=".*", issuer_regexp=".*")

FAIL_REASONS = {
    "sp-bundle_cve_2022_36056_fail": r"tlog: log entry signature differs",
    "sp-bundle_invalid_version_fail": r"bundle: unsupported bundle media type",
    "sp-bundle_no_cert_v1_fail": r"bundle: .*x509CertificateChain\.certificates: empty",
    "sp-bundle_no_log_entry_fail": r"bundle: .*at least one log entry",
    "sp-bundle_no_checkpoint_fail": r"bundle: .*requires an inclusion proof with a checkpoint",
    # signed by the production log: against the index's staging root the log is unknown;
    # test_no_signed_time_fails_for_want_of_a_time checks the intended defect.
    "sp-bundle_v3_no_signed_time_fail": r"tlog: unknown log",
}


def _cases() -> list[Any]:
    if not INDEX.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus absent: {INDEX}"))]
    return [pytest.param(c, id=c["id"]) for c in json.loads(INDEX.read_text())["cases"]]


def _verify(case: dict[str, Any], root_path: Path) -> None:
    raw = (BASE / case["bundle"]).read_bytes()
    if case["artifact"]:
        digest = hashlib.sha256((BASE / case["artifact"]).read_bytes()).digest()
    else:  # a DSSE bundle over an in-toto statement: the artifact is its subject
        statement = json.loads(base64.b64decode(json.loads(raw)["dsseEnvelope"]["payload"]))
        digest = bytes.fromhex(statement["subject"][0]["digest"]["sha256"])
    verify_bundle(
        Bundle.from_json(raw),
        digest,
        trusted_root=TrustedRoot.from_json(root_path.read_bytes()),
        policy=ANYONE,
        now=NOW,
    )


@pytest.mark.parametrize("case", _cases())
def test_sigstore_python_asset(case: dict[str, Any]) -> None:
    root = BASE / case["trusted_root"]
    if case["expected"] == "pass":
        _verify(case, root)
        return
    with pytest.raises(SrcverifyError) as caught:
        _verify(case, root)
    assert re.search(FAIL_REASONS[case["id"]], str(caught.value)), str(caught.value)


def test_no_signed_time_fails_for_want_of_a_time(corpus: Path) -> None:
    case = next(
        c
        for c in json.loads(INDEX.read_text())["cases"]
        if c["id"] == "sp-bundle_v3_no_signed_time_fail"
    )
    with pytest.raises(SrcverifyError, match="timestamp: no verified time"):
        _verify(case, corpus / "trust" / "production" / "trusted_root.json")
