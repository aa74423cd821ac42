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

from srcverify.cli.main import main
from tests.conftest import CORPUS
from tests.corpus.cases import index_params

INDEX = CORPUS / "conformance" / "cases.json"

# case id -> regex the human message (stderr) must match: the defect the case targets.
FAIL_REASONS = {
    "bundle-from-wrong-instance_fail": r"tlog: unknown log .*no transparency log with this id",
    "bundle-invalid-base64-signature_fail": (
        r"bundle: bundle\.messageSignature\.signature: not valid base64"
    ),
    "bundle-malformed-json_fail": r"bundle: bundle is not valid JSON",
    "bundle-unknown-version_fail": r"bundle: unsupported bundle media type .*version=99\.9",
    "bundle-with-root-cert_fail": r"certificate: bundle chain includes a root CA",
    "checkpoint-wrong-roothash_fail": (
        r"tlog: checkpoint root hash \w+ does not match inclusion proof root hash"
    ),
    "dsse-invalid-sig_fail": r"signature: DSSE envelope signature does not verify",
    "inclusion-proof-corrupted-hash_fail": r"tlog: inclusion proof for leaf \d+ .* leads to root",
    "incorrect-public-key_fail": r"tlog: log entry verifier differs",
    "integrated-time-in-future_fail": r"certificate: leaf .* not valid at 2026-05-07T15:34",
    "intoto-log-entry-mismatch_fail": r"tlog: logged DSSE signature .* is not the envelope",
    "intoto-missing-inclusion-proof_fail": r"bundle: .*requires an inclusion proof",
    "intoto-set-outside-signing-cert-validity_fail": r"certificate: leaf .* not valid at",
    "intoto-tsa-timestamp-outside-cert-validity_fail": r"certificate: leaf .* not valid at",
    "invalid-checkpoint-signature_fail": r"tlog: checkpoint signature by .* does not verify",
    "invalid-ct-key_fail": r"certificate: SCT: no embedded SCT verifies: .*unknown log id",
    "managed-key-wrong-key_fail": r"key: the given key is not a usable PEM public key",
    "rekor2-checkpoint-missing-origin_fail": r"tlog: checkpoint has no origin line",
    "rekor2-checkpoint-missing-root-hash_fail": r"tlog: checkpoint .* has no root hash line",
    "rekor2-checkpoint-missing-size_fail": r"tlog: checkpoint .* has no tree size line",
    "rekor2-checkpoint-no-matching-signature_fail": r"tlog: checkpoint: no signature from",
    "rekor2-dsse-invalid-sig_fail": r"signature: DSSE envelope signature does not verify",
    "rekor2-dsse-mismatch-envelope_fail": r"tlog: log entry digest differs",
    "rekor2-dsse-mismatch-sig_fail": r"tlog: log entry signature differs",
    "rekor2-no-inclusion-proof_fail": r"bundle: .*requires an inclusion proof",
    "rekor2-no-timestamp_fail": r"timestamp: no verified time",
    "rekor2-timestamp-outside-trust-root-tsa-validity_fail": (
        r"timestamp: TSA validity: genTime .* is outside the trust root's validity window"
    ),
    "rekor2-timestamp-outside-tsa-cert-validity_fail": (
        r"timestamp: TSA certificate validity: genTime .* is outside"
    ),
    "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail": (
        r"timestamp: untrusted TSA: the embedded signing certificate"
    ),
    "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail": (
        r"timestamp: untrusted TSA: the timestamp embeds no certificate"
    ),
    "set-invalid-signature_fail": r"tlog: inclusion promise .* does not verify",
    "wrong-hashedrekord-entry_fail": r"tlog: log entry digest differs",
    "wrong-material_fail": r"artifact: artifact sha256 \w+ does not match the digest",
}


def _cases() -> list[Any]:
    return index_params(INDEX)


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
