"""Differential test: srcverify against sigstore-python on every corpus bundle.

sigstore-python (a test dependency, never a runtime one) is the oracle. Each
conformance and CPython case is verified by both, by digest, with the same
trusted root and identity. Where the verdicts differ, the case must be in
``JUSTIFIED_DISAGREEMENTS`` with the reason srcverify is right; any other
disagreement fails the test, and so does a listed one that no longer occurs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from srcverify.errors import SrcverifyError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.signature import load_public_key_pem
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import ManagedKey, verify_bundle
from tests.conftest import CORPUS

sigstore = pytest.importorskip("sigstore", reason="sigstore-python oracle not installed")

NOW = datetime(2026, 11, 21, tzinfo=UTC)

JUSTIFIED_DISAGREEMENTS = {
    "intoto-with-custom-trust-root": (
        "srcverify verifies Rekor v1 intoto 0.0.2 entries; sigstore-python supports integrated "
        "time only for dsse/hashedrekord 0.0.1"
    ),
    "managed-key-and-trusted-root": (
        "srcverify verifies managed-key bundles (--key); sigstore-python has no managed-key API"
    ),
    "trust-root-tsa-validity-end-inclusive": (
        "protobuf-specs TimeRange ends are inclusive; sigstore-python treats the end as exclusive"
    ),
    "cpython-Python-3.12.5.tgz-v0.1-promise-only": (
        "a v0.1 bundle needs only the inclusion promise (SET) per the bundle specification, as "
        "cosign and sigstore-go accept; sigstore-python demands a checkpoint"
    ),
}


def _cases() -> Iterator[tuple[str, Path, dict[str, Any]]]:
    for index_name in ("conformance", "cpython"):
        index = CORPUS / index_name / "cases.json"
        if index.is_file():
            for case in json.loads(index.read_text())["cases"]:
                yield index_name, index.parent, case


def _ours(base: Path, case: dict[str, Any]) -> tuple[bool, str]:
    try:
        bundle = Bundle.from_json((base / case["bundle"]).read_bytes())
        root = TrustedRoot.from_json((base / case["trusted_root"]).read_bytes())
        policy: Identity | ManagedKey
        if case["verification"] == "key":
            policy = ManagedKey(load_public_key_pem((base / case["key"]).read_bytes()))
        else:
            policy = Identity(identity=case["identity"], issuer=case["issuer"])
        verify_bundle(
            bundle,
            bytes.fromhex(case["artifact_sha256"]),
            trusted_root=root,
            policy=policy,
            now=NOW,
        )
    except SrcverifyError as exc:
        return False, str(exc)
    return True, "verified"


def _oracle(base: Path, case: dict[str, Any]) -> tuple[bool, str]:
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle as SBundle
    from sigstore.models import TrustedRoot as STrustedRoot
    from sigstore.verify import Verifier, policy
    from sigstore_models.common.v1 import HashAlgorithm

    if case["verification"] == "key":
        return False, "sigstore-python has no managed-key verification"
    try:
        verifier = Verifier(trusted_root=STrustedRoot.from_file(str(base / case["trusted_root"])))
        bundle = SBundle.from_json((base / case["bundle"]).read_bytes())
        identity = policy.Identity(identity=case["identity"], issuer=case["issuer"])
        digest = bytes.fromhex(case["artifact_sha256"])
        is_dsse = "dsseEnvelope" in json.loads((base / case["bundle"]).read_bytes())
        if not is_dsse:
            verifier.verify_artifact(
                Hashed(algorithm=HashAlgorithm.SHA2_256, digest=digest), bundle, identity
            )
        else:
            _, payload = verifier.verify_dsse(bundle, identity)
            subjects = {s["digest"].get("sha256") for s in json.loads(payload)["subject"]}
            if digest.hex() not in subjects:
                return False, "in-toto subject mismatch"
    except Exception as exc:  # the oracle's own error types vary; any failure is a rejection
        return False, f"{type(exc).__name__}: {exc}"
    return True, "verified"


def test_srcverify_agrees_with_sigstore_python() -> None:
    cases = list(_cases())
    if not cases:
        pytest.skip(f"corpus absent: {CORPUS}")
    disagreements = {}
    for _, base, case in cases:
        ours, our_reason = _ours(base, case)
        theirs, their_reason = _oracle(base, case)
        if ours != theirs:
            disagreements[case["id"]] = (ours, our_reason, theirs, their_reason)
    unexplained = set(disagreements) - set(JUSTIFIED_DISAGREEMENTS)
    assert not unexplained, {k: disagreements[k] for k in unexplained}
    vanished = set(JUSTIFIED_DISAGREEMENTS) - set(disagreements)
    assert not vanished, f"documented disagreements that no longer occur: {vanished}"
    for case_id in disagreements:
        ours, _, theirs, _ = disagreements[case_id]
        assert ours and not theirs, f"{case_id}: srcverify rejects what the oracle accepts"
