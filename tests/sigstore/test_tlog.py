"""Log entry verification: a tiny Rekor built in the test, then the real corpus."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from srcverify.errors import BundleFormatError, EvaluationError, TransparencyLogError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.tlog import (
    LogVerdict,
    check_body,
    check_log_validity,
    set_payload,
    verify_entry,
)
from srcverify.sigstore.trustroot import TrustedRoot, ValidityWindow
from tests.sigstore.helpers_tlog import (
    INTEGRATED,
    LOG_START,
    NOW,
    V2_NAME,
    checkpoint_text,
    ecdsa_log,
    ed25519_log,
    log_entry,
    ref_root,
    root_with,
    set_payload_literal,
    v2_note,
)

BODY = b'{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}'


def _verify(logged: Any, *, version: str = "0.3", now: datetime = NOW) -> LogVerdict:
    return verify_entry(logged.entry, root_with(logged.log), bundle_version=version, now=now)


# --- the tiny Rekor: valid entries ---------------------------------------------------


def test_rekor_v1_entry_with_proof_checkpoint_and_promise() -> None:
    logged = log_entry(BODY)
    verdict = _verify(logged)
    assert verdict == LogVerdict(
        log=logged.log,
        candidates=(logged.log,),
        integrated_time=INTEGRATED,
        proof_verified=True,
        promise_verified=True,
        promise_only=False,
    )


def test_rekor_v2_entry_has_no_integrated_time() -> None:
    verdict = _verify(log_entry(BODY, v2=True))
    assert verdict.proof_verified and not verdict.promise_verified
    assert verdict.integrated_time is None and not verdict.promise_only


@pytest.mark.parametrize(("index", "size"), [(0, 1), (0, 2), (6, 7), (31, 32), (32, 33)])
def test_entries_anywhere_in_the_tree_verify(index: int, size: int) -> None:
    assert _verify(log_entry(BODY, index=index, size=size)).proof_verified


def test_v01_bundle_with_promise_only() -> None:
    verdict = _verify(log_entry(BODY, with_proof=False), version="0.1")
    assert verdict.promise_only and verdict.promise_verified and not verdict.proof_verified
    assert verdict.integrated_time == INTEGRATED


def test_v01_proof_without_checkpoint_is_not_required_to_verify() -> None:
    # python.org's old v0.1 bundles: an inclusion proof but no checkpoint.
    logged = log_entry(BODY, with_checkpoint=False).with_proof(hashes=(b"\0" * 32,))
    verdict = _verify(logged, version="0.1")
    assert verdict.promise_only and not verdict.proof_verified


def test_v01_bundle_with_checkpoint_is_not_promise_only() -> None:
    verdict = _verify(log_entry(BODY), version="0.1")
    assert verdict.proof_verified and verdict.promise_verified and not verdict.promise_only


# --- the tiny Rekor: each defect -----------------------------------------------------


def test_unknown_log_is_rejected() -> None:
    logged = log_entry(BODY)
    with pytest.raises(TransparencyLogError) as info:
        verify_entry(logged.entry, root_with(ed25519_log()), bundle_version="0.3", now=NOW)
    assert f"unknown log {base64.b64encode(logged.log.log_id).decode()}" in str(info.value)


def test_corrupted_proof_hash_is_rejected() -> None:
    logged = log_entry(BODY)
    assert logged.entry.inclusion_proof is not None
    hashes = list(logged.entry.inclusion_proof.hashes)
    hashes[1] = bytes([hashes[1][0] ^ 0x80]) + hashes[1][1:]
    with pytest.raises(TransparencyLogError, match=r"inclusion proof for leaf 5 .* leads to root"):
        _verify(logged.with_proof(hashes=tuple(hashes)))


def test_body_not_in_the_tree_is_rejected() -> None:
    logged = log_entry(BODY).with_entry(canonicalized_body=BODY + b" ")
    with pytest.raises(TransparencyLogError, match=r"leads to root hash"):
        _verify(logged)


def test_checkpoint_for_another_tree_is_rejected() -> None:
    logged = log_entry(BODY, v2=True)
    other_root = ref_root([b"a", b"b"])
    other = v2_note(checkpoint_text(V2_NAME, 2, other_root))
    with pytest.raises(TransparencyLogError, match=r"checkpoint root hash .* does not match"):
        _verify(logged.with_proof(checkpoint=other))


def test_bad_checkpoint_signature_is_rejected() -> None:
    logged = log_entry(BODY, v2=True)
    assert logged.entry.inclusion_proof is not None
    note = logged.entry.inclusion_proof.checkpoint
    assert note is not None
    tampered = note.replace("\n11\n", "\n12\n")
    with pytest.raises(TransparencyLogError, match=r"checkpoint signature by .* does not verify"):
        _verify(logged.with_proof(checkpoint=tampered, tree_size=12))


def test_invalid_promise_is_rejected() -> None:
    logged = log_entry(BODY)
    later = logged.with_entry(integrated_time=int(INTEGRATED.timestamp()) + 1)
    with pytest.raises(TransparencyLogError, match=r"inclusion promise .* does not verify"):
        _verify(later)
    with pytest.raises(TransparencyLogError, match=r"inclusion promise .* does not verify"):
        _verify(logged.with_entry(log_index=logged.entry.log_index + 1))


def test_promise_without_integrated_time_is_rejected() -> None:
    logged = log_entry(BODY).with_entry(integrated_time=None)
    with pytest.raises(TransparencyLogError, match=r"has an inclusion promise but no integrated"):
        _verify(logged)


def test_integrated_time_in_the_future_is_rejected() -> None:
    with pytest.raises(TransparencyLogError, match=r"integrated time .* is in the future"):
        _verify(log_entry(BODY), now=INTEGRATED - timedelta(seconds=1))
    assert _verify(log_entry(BODY), now=INTEGRATED).integrated_time == INTEGRATED


def test_log_key_validity_end_is_inclusive() -> None:
    at_end = ecdsa_log(ValidityWindow(LOG_START, INTEGRATED))
    assert _verify(log_entry(BODY, log=at_end)).integrated_time == INTEGRATED
    expired = ecdsa_log(ValidityWindow(LOG_START, INTEGRATED - timedelta(seconds=1)))
    with pytest.raises(TransparencyLogError, match=r"key of log https://rekor.example.dev was not"):
        _verify(log_entry(BODY, log=expired))
    not_yet = ecdsa_log(ValidityWindow(INTEGRATED + timedelta(seconds=1), None))
    with pytest.raises(TransparencyLogError, match=r"was not valid at 2024-03-19T17:26:26"):
        _verify(log_entry(BODY, log=not_yet))


def test_v02_bundle_needs_proof_and_checkpoint() -> None:
    for logged in (log_entry(BODY, with_proof=False), log_entry(BODY, with_checkpoint=False)):
        with pytest.raises(TransparencyLogError, match=r"v0.2 bundle needs an inclusion proof"):
            _verify(logged, version="0.2")


def test_v01_bundle_needs_something_to_verify() -> None:
    logged = log_entry(BODY, with_proof=False, with_set=False)
    with pytest.raises(TransparencyLogError, match=r"neither an inclusion proof .* nor an incl"):
        _verify(logged, version="0.1")


def test_naive_now_is_a_caller_error() -> None:
    with pytest.raises(EvaluationError, match=r"timezone-aware"):
        _verify(log_entry(BODY), now=datetime(2026, 1, 1))


def test_set_payload_is_canonical_json() -> None:
    entry = log_entry(b"{}").entry
    assert set_payload(entry) == (
        b'{"body":"e30=","integratedTime":1710869186,"logID":"'
        + entry.log_id.hex().encode()
        + b'","logIndex":1000005}'
    )
    assert set_payload(entry) == set_payload_literal(b"{}", 1710869186, entry.log_id, 1000005)


def test_check_log_validity_at_timestamp_times() -> None:
    log = ed25519_log(ValidityWindow(LOG_START, INTEGRATED))
    check_log_validity((log,), [LOG_START, INTEGRATED])
    with pytest.raises(TransparencyLogError, match=r"no verified time to check the key of log"):
        check_log_validity((log,), [])
    with pytest.raises(TransparencyLogError, match=f"key of log https://{V2_NAME} was not valid"):
        check_log_validity((log,), [INTEGRATED, INTEGRATED + timedelta(microseconds=1)])


# --- the real corpus ---------------------------------------------------------------------

REAL_NOW = datetime(2026, 11, 21, tzinfo=UTC)

# case id -> (step, message pattern): where and why each log-related fail case fails.
FAILS_HERE = {
    "bundle-from-wrong-instance_fail": ("entry", "unknown log 0y8wo8MtY5wrdiIFohx7sHeI5oKD"),
    "checkpoint-wrong-roothash_fail": ("entry", "checkpoint root hash .* does not match incl"),
    "invalid-checkpoint-signature_fail": ("entry", "checkpoint signature by .* does not verify"),
    "inclusion-proof-corrupted-hash_fail": ("entry", "inclusion proof for leaf .* leads to root"),
    "incorrect-public-key_fail": ("entry", "inclusion proof for leaf .* leads to root"),
    "rekor2-checkpoint-missing-origin_fail": ("entry", "has no origin line"),
    "rekor2-checkpoint-missing-root-hash_fail": ("entry", "has no root hash line"),
    "rekor2-checkpoint-missing-size_fail": ("entry", "has no tree size line"),
    "rekor2-checkpoint-no-matching-signature_fail": (
        "entry",
        "no signature from log2025-alpha1.rekor.github.dev among 1 signature lines",
    ),
    "set-invalid-signature_fail": ("entry", "inclusion promise .* does not verify"),
    "wrong-hashedrekord-entry_fail": ("body", "log entry digest differs"),
    "wrong-material_fail": ("body", "log entry digest differs"),
    "intoto-log-entry-mismatch_fail": ("body", "logged DSSE signature .* is not the envelope"),
    "dsse-invalid-sig_fail": ("body", "log entry DSSE signatures differs"),
    "rekor2-dsse-mismatch-envelope_fail": ("body", "log entry digest differs"),
    "rekor2-dsse-mismatch-sig_fail": ("body", "log entry signature differs"),
    "rekor2-dsse-invalid-sig_fail": ("body", "log entry signature differs"),
    "cpython-Python-3.13.5.tar.xz-digest-of-Python-3.13.5.tgz_fail": (
        "body",
        "log entry digest differs: bundle has e6190f52",
    ),
}


def _cases(corpus: Path) -> list[tuple[Path, dict[str, Any]]]:
    cases = []
    for index in (corpus / "conformance" / "cases.json", corpus / "cpython" / "cases.json"):
        cases += [(index.parent, case) for case in json.loads(index.read_text())["cases"]]
    return cases


def _run(base: Path, case: dict[str, Any], step: str = "both") -> list[LogVerdict]:
    bundle = Bundle.from_json((base / case["bundle"]).read_bytes())
    trusted_root = TrustedRoot.from_json((base / case["trusted_root"]).read_bytes())
    key = None
    if case.get("key"):
        key = load_pem_public_key((base / case["key"]).read_bytes())
    if bundle.message_signature is not None:
        signature = bundle.message_signature.signature
    else:
        assert bundle.dsse_envelope is not None
        signature = bundle.dsse_envelope.signatures[0].sig
    verdicts = []
    for entry in bundle.material.tlog_entries:
        if step in ("both", "entry"):
            verdicts.append(
                verify_entry(entry, trusted_root, bundle_version=bundle.version, now=REAL_NOW)
            )
        if step in ("both", "body"):
            check_body(
                entry,
                signature=signature,
                digest=("sha256", bytes.fromhex(case["artifact_sha256"])),
                certificate=bundle.material.leaf,
                public_key=key,
                envelope=bundle.dsse_envelope,
            )
    return verdicts


def test_every_passing_corpus_bundle_verifies(corpus: Path) -> None:
    passed = 0
    for base, case in _cases(corpus):
        if case["expected"] == "pass":
            verdicts = _run(base, case)
            assert verdicts and all(v.proof_verified or v.promise_only for v in verdicts), case
            passed += 1
    assert passed >= 100  # 14 conformance + 87 CPython pass cases when assembled


def test_log_related_failing_cases_fail_here_for_their_reason(corpus: Path) -> None:
    seen = set()
    for base, case in _cases(corpus):
        if case["id"] in FAILS_HERE:
            step, pattern = FAILS_HERE[case["id"]]
            seen.add(case["id"])
            if step == "body":
                _run(base, case, "entry")  # the entry itself is genuine
            with pytest.raises(TransparencyLogError, match=pattern):
                _run(base, case, step)
    assert seen == set(FAILS_HERE)


def test_other_failing_cases_are_left_to_other_steps(corpus: Path) -> None:
    # Certificate, timestamp, identity and bundle-format defects: the log
    # entries themselves verify and match the bundle.
    for base, case in _cases(corpus):
        if case["expected"] == "fail" and case["id"] not in FAILS_HERE:
            try:
                _run(base, case)
            except BundleFormatError:
                continue
            except ValueError:
                assert case["id"] == "managed-key-wrong-key_fail"  # key.pub is not a PEM key


def test_cpython_v01_promise_only_bundle(corpus: Path) -> None:
    base, case = next(c for c in _cases(corpus) if c[1]["id"].endswith("v0.1-promise-only"))
    (verdict,) = _run(base, case)
    assert verdict.promise_only and not verdict.proof_verified
    assert verdict.integrated_time == datetime(2024, 8, 6, 20, 32, 47, tzinfo=UTC)


def test_trust_root_tlog_validity_end_inclusive(corpus: Path) -> None:
    base, case = next(
        c for c in _cases(corpus) if c[1]["id"] == "trust-root-tlog-validity-end-inclusive"
    )
    (verdict,) = _run(base, case)
    assert verdict.integrated_time == verdict.log.validity.end


def test_integrated_time_outside_certificate_is_reported_to_the_certificate_step(
    corpus: Path,
) -> None:
    # integrated-time-in-future_fail: the SET is genuine, but the integrated
    # time it vouches for lies after the signing certificate expired; the
    # verdict hands that time to the certificate-validity check.
    base, case = next(c for c in _cases(corpus) if c[1]["id"] == "integrated-time-in-future_fail")
    (verdict,) = _run(base, case)
    leaf = Bundle.from_json((base / case["bundle"]).read_bytes()).material.leaf
    assert leaf is not None and verdict.integrated_time is not None
    assert verdict.integrated_time > leaf.not_valid_after_utc


def test_cve_2022_36056_entry_mismatch(corpus: Path) -> None:
    # sigstore-python's fixture: a genuine log entry for another signature.
    base = corpus / "sigstore-python"
    bundle = Bundle.from_json((base / "bundle_cve_2022_36056.txt.sigstore").read_bytes())
    assert bundle.message_signature is not None
    trusted_root = TrustedRoot.from_json(
        (corpus / "trust" / "staging" / "trusted_root.json").read_bytes()
    )
    (entry,) = bundle.material.tlog_entries
    assert verify_entry(entry, trusted_root, bundle_version=bundle.version, now=REAL_NOW)
    digest = hashlib.sha256((base / "bundle_cve_2022_36056.txt").read_bytes()).digest()
    with pytest.raises(TransparencyLogError, match=r"log entry signature differs"):
        check_body(
            entry,
            signature=bundle.message_signature.signature,
            digest=("sha256", digest),
            certificate=bundle.material.leaf,
            public_key=None,
            envelope=None,
        )
