"""The sigstore-conformance verify cases, through the CLI, both input forms.

Every case in ``../shared/corpus/conformance/cases.json`` runs once with the
artifact file and once with ``sha256:<hex>``, as the conformance suite does.
Pass cases must exit 0; ``_fail`` cases must exit 1 *and* report the defect
the case was built to show: ``FAIL_REASONS`` maps each case to the step and
words srcverify must name.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from srcverify.cli import main
from tests.conftest import CORPUS

INDEX = CORPUS / "conformance" / "cases.json"

# case id -> regex the human message (stderr) must match: the defect the case targets.
FAIL_REASONS = {
    "bundle-from-wrong-instance_fail": r"tlog: .*unknown log",
    "bundle-invalid-base64-signature_fail": (
        r"bundle: .*messageSignature\.signature: not valid base64"
    ),
    "bundle-malformed-json_fail": r"bundle: bundle is not valid JSON",
    "bundle-unknown-version_fail": r"bundle: unsupported bundle media type .*version=99\.9",
    "bundle-with-root-cert_fail": r"certificate: .*root",
    "checkpoint-wrong-roothash_fail": r"tlog: .*root hash",
    "dsse-invalid-sig_fail": r"(signature|tlog): .*(signature|DSSE)",
    "inclusion-proof-corrupted-hash_fail": r"tlog: .*inclusion proof",
    "incorrect-public-key_fail": r"tlog: .*(certificate|public key|key)",
    "integrated-time-in-future_fail": r"(tlog|certificate): .*(future|not valid at)",
    "intoto-log-entry-mismatch_fail": r"tlog: .*(payload|envelope|signature|differ|mismatch)",
    "intoto-missing-inclusion-proof_fail": r"bundle: .*requires an inclusion proof",
    "intoto-set-outside-signing-cert-validity_fail": r"certificate: .*not valid at",
    "intoto-tsa-timestamp-outside-cert-validity_fail": r"certificate: .*not valid at",
    "invalid-checkpoint-signature_fail": r"tlog: .*checkpoint.*signature",
    "invalid-ct-key_fail": r"certificate: SCT",
    "managed-key-wrong-key_fail": r"key: the given key is not a usable PEM public key",
    "rekor2-checkpoint-missing-origin_fail": r"tlog: .*origin",
    "rekor2-checkpoint-missing-root-hash_fail": r"tlog: .*root hash",
    "rekor2-checkpoint-missing-size_fail": r"tlog: .*size",
    "rekor2-checkpoint-no-matching-signature_fail": r"tlog: .*no signature",
    "rekor2-dsse-invalid-sig_fail": r"signature: .*DSSE",
    "rekor2-dsse-mismatch-envelope_fail": r"tlog: .*(digest|envelope|PAE)",
    "rekor2-dsse-mismatch-sig_fail": r"tlog: .*signature",
    "rekor2-no-inclusion-proof_fail": r"bundle: .*requires an inclusion proof",
    "rekor2-no-timestamp_fail": r"timestamp: no verified time",
    "rekor2-timestamp-outside-trust-root-tsa-validity_fail": r"timestamp: .*valid",
    "rekor2-timestamp-outside-tsa-cert-validity_fail": r"timestamp: .*valid",
    "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail": r"timestamp: .*(untrusted|trusted)",
    "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail": (
        r"timestamp: .*(untrusted|trusted|signature)"
    ),
    "set-invalid-signature_fail": r"tlog: .*(signed entry timestamp|SET)",
    "wrong-hashedrekord-entry_fail": r"tlog: .*(digest|signature|differ)",
    "wrong-material_fail": r"artifact: .*does not match",
}


def _cases() -> list[Any]:
    if not INDEX.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"corpus absent: {INDEX}"))]
    cases = json.loads(INDEX.read_text())["cases"]
    return [
        pytest.param(case, form, id=f"{case['id']}[{form}]")
        for case in cases
        for form in case["inputs_to_test"]
    ]


def _argv(case: dict[str, Any], form: str) -> list[str]:
    base = INDEX.parent
    argv = ["verify", "--bundle", str(base / case["bundle"])]
    argv += ["--trusted-root", str(base / case["trusted_root"])]
    if case["verification"] == "key":
        argv += ["--key", str(base / case["key"])]
    else:
        argv += ["--cert-identity", case["identity"], "--cert-oidc-issuer", case["issuer"]]
    if form == "artifact-path":
        argv.append(str(base / case["artifact"]))
    else:
        argv.append("sha256:" + case["artifact_sha256"])
    return argv


@pytest.mark.parametrize(("case", "form"), _cases())
def test_conformance_case(
    case: dict[str, Any], form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_argv(case, form))
    err = capsys.readouterr().err
    if case["expected"] == "pass":
        assert code == 0, f"{case['id']} should verify ({case['reason']}); srcverify said: {err}"
        assert "OK " in err
        return
    assert code == 1, f"{case['id']} should be rejected ({case['reason']}); exit {code}: {err}"
    reason = FAIL_REASONS[case["id"]]
    assert re.search(reason, err), (
        f"{case['id']} rejected for the wrong reason.\n  case: {case['reason']}\n"
        f"  expected message matching: {reason}\n  srcverify said: {err}"
    )


def test_every_fail_case_has_a_stated_reason() -> None:
    if not INDEX.is_file():
        pytest.skip(f"corpus absent: {INDEX}")
    failing = {c["id"] for c in json.loads(INDEX.read_text())["cases"] if c["expected"] == "fail"}
    assert failing == set(FAIL_REASONS), failing ^ set(FAIL_REASONS)
