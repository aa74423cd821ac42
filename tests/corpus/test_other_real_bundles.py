"""The real bundles other ecosystems publish (``other-real-bundles/index.json``): npm's
provenance and publish attestations (sha512 in-toto subjects, a v0.1 bundle whose chain
ends in the trusted root, an intoto log entry) and sigstore-go's fixtures.

Every case the index gives a verdict for is run by digest (the index's sha512 of the npm
tarball, or the sha256 its note gives) and, where ``npm pack`` put the tarballs into
``SRCVERIFY_NPM_TARBALLS`` (default ``.ci/npm-tarballs``), through the CLI with the file.
sigstore-python is the oracle where it can judge; its disagreements are listed with why.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from srcverify.errors import SrcverifyError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.identity import Identity
from srcverify.sigstore.signature import load_public_key_pem
from srcverify.sigstore.trustroot import TrustedRoot
from srcverify.sigstore.verify import ManagedKey, Receipt, verify_bundle
from tests.conftest import CORPUS

BASE = CORPUS / "other-real-bundles"
INDEX = BASE / "index.json"
NOW = datetime(2026, 11, 21, tzinfo=UTC)
TARBALLS = Path(
    os.environ.get(
        "SRCVERIFY_NPM_TARBALLS", Path(__file__).resolve().parents[2] / ".ci" / "npm-tarballs"
    )
)
# The index's note for a case without structured fields: "artifact sha256 HEX ... expected pass".
_NOTE = re.compile(r"artifact sha256 (?P<sha256>[0-9a-f]{64}); expected (?P<expected>pass|fail)")
_SAN = re.compile(r"SAN is an otherName '(?P<identity>[^']+)', issuer (?P<issuer>[^;\s]+);")

# Cases the index gives no verdict for, and why they are not judged here.
NOT_JUDGED = {
    "sigstore-go-dsse": "the index names no trusted root and no expected verdict",
    "sigstore-go-public-key-validity": "the index names no expected verdict, only the topic",
}
# Where sigstore-python (the oracle) disagrees with the index, and why srcverify is right.
JUSTIFIED_DISAGREEMENTS = {
    "npm-sigstore@2.0.0-provenance": (
        "an intoto 0.0.2 log entry: sigstore-python supports integrated time only for "
        "dsse/hashedrekord 0.0.1 entries; sigstore-go and sigstore-js verify it"
    ),
    "npm-sigstore@1.3.0-provenance": (
        "a v0.1 bundle needs only the inclusion promise, and its chain ends in a copy of the "
        "trusted root, which verifiers should tolerate; sigstore-python demands an inclusion proof"
    ),
    "npm-sigstore@1.3.0-publish-attestation": (
        "npm's registry key signs it (a managed key); sigstore-python has no managed-key API"
    ),
    "sigstore-go-othername": (
        "sigstore-python refuses the scaffolding trusted root itself (its model requires a "
        "commonName in a CA subject, which protobuf-specs leaves optional); sigstore-go verifies it"
    ),
}


def _cases() -> list[dict[str, Any]]:
    if not INDEX.is_file():
        return []
    cases = []
    for case in json.loads(INDEX.read_text())["cases"]:
        note = _NOTE.search(case.get("note", ""))
        san = _SAN.search(case.get("note", ""))
        if "expected" not in case and note and san:
            case = {
                **case,
                "expected": note["expected"],
                "sha256": note["sha256"],
                **san.groupdict(),
            }
        cases.append(case)
    return cases


def _judged() -> list[Any]:
    cases = [c for c in _cases() if "expected" in c]
    if not cases:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus absent: {INDEX}"))]
    return [pytest.param(c, id=c["id"]) for c in cases]


def _digests(case: dict[str, Any]) -> dict[str, bytes]:
    if "subject_sha512" in case:
        return {"sha512": bytes.fromhex(case["subject_sha512"])}
    if "sha256" in case:
        return {"sha256": bytes.fromhex(case["sha256"])}
    # the publish attestation names the same tarball as the 1.3.0 provenance
    same = next(c for c in _cases() if c["subject"] == case["subject"] and "subject_sha512" in c)
    return {"sha512": bytes.fromhex(same["subject_sha512"])}


def _ours(case: dict[str, Any]) -> Receipt:
    policy: Identity | ManagedKey
    if "key" in case:
        policy = ManagedKey(load_public_key_pem((BASE / case["key"]).read_bytes()))
    else:
        policy = Identity(identity=case["identity"], issuer=case["issuer"])
    return verify_bundle(
        Bundle.from_json((BASE / case["bundle"]).read_bytes()),
        _digests(case),
        trusted_root=TrustedRoot.from_json((BASE / case["trusted_root"]).read_bytes()),
        policy=policy,
        now=NOW,
    )


@pytest.mark.parametrize("case", _judged())
def test_verdict_matches_the_index(case: dict[str, Any]) -> None:
    assert case["expected"] == "pass"  # the index holds passing cases only
    receipt = _ours(case)
    assert receipt.signer.startswith("managed key") == ("key" in case)
    if "identity" in case:
        assert receipt.signer == case["identity"]


def test_counts(corpus: Path) -> None:
    cases = _cases()
    if not cases:
        pytest.skip(f"corpus absent: {INDEX}")
    judged = [c for c in cases if "expected" in c]
    verified = [c for c in judged if _ours(c)]
    assert {c["id"] for c in cases} - {c["id"] for c in judged} == set(NOT_JUDGED)
    assert (len(cases), len(judged), len(verified)) == (6, 4, 4)
    sha512 = [c for c in verified if "sha512" in _digests(c)]
    assert len(sha512) == 3  # npm: in-toto subjects by sha512 only


def test_npm_chain_with_the_trusted_root_is_noted(corpus: Path) -> None:
    case = next((c for c in _cases() if c["id"] == "npm-sigstore@1.3.0-provenance"), None)
    if case is None:
        pytest.skip(f"corpus absent: {INDEX}")
    (note,) = _ours(case).notes
    assert note.startswith("the bundle's chain ends in a copy of a trusted root CA")


@pytest.mark.parametrize("version", ["2.0.0", "1.3.0"])
def test_npm_tarball_through_the_cli(version: str, capsys: Any) -> None:
    from srcverify.cli.main import main

    tarball = TARBALLS / f"sigstore-{version}.tgz"
    case = next((c for c in _cases() if c["id"] == f"npm-sigstore@{version}-provenance"), None)
    if case is None or not tarball.is_file():
        pytest.skip(f"needs the corpus and `npm pack sigstore@{version}` in {TARBALLS}")
    argv = ["verify", "--json", "--trusted-root", str(BASE / case["trusted_root"])]
    argv += ["--bundle", str(BASE / case["bundle"]), "--cert-identity", case["identity"]]
    argv += ["--cert-oidc-issuer", case["issuer"], str(tarball)]
    assert main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["artifact_digests"] == {"sha512": case["subject_sha512"]}


def _oracle(case: dict[str, Any]) -> tuple[bool, str]:
    from sigstore.models import Bundle as SBundle
    from sigstore.models import TrustedRoot as STrustedRoot
    from sigstore.verify import Verifier, policy

    if "key" in case:
        return False, "sigstore-python has no managed-key verification"
    try:
        verifier = Verifier(trusted_root=STrustedRoot.from_file(str(BASE / case["trusted_root"])))
        bundle = SBundle.from_json((BASE / case["bundle"]).read_bytes())
        identity = policy.Identity(identity=case["identity"], issuer=case["issuer"])
        if "dsseEnvelope" not in json.loads((BASE / case["bundle"]).read_bytes()):
            from sigstore.hashes import Hashed
            from sigstore_models.common.v1 import HashAlgorithm

            digest = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=_digests(case)["sha256"])
            verifier.verify_artifact(digest, bundle, identity)
        else:
            _, payload = verifier.verify_dsse(bundle, identity)
            wanted = {alg: value.hex() for alg, value in _digests(case).items()}
            subjects = json.loads(payload)["subject"]
            if not any(s["digest"].get(a) == v for s in subjects for a, v in wanted.items()):
                return False, "in-toto subject mismatch"
    except Exception as exc:  # the oracle's own error types vary; any failure is a rejection
        return False, f"{type(exc).__name__}: {exc}"
    return True, "verified"


def test_sigstore_python_disagreements_are_the_listed_ones(corpus: Path) -> None:
    pytest.importorskip("sigstore", reason="sigstore-python oracle not installed")
    judged = [c for c in _cases() if "expected" in c]
    if not judged:
        pytest.skip(f"corpus absent: {INDEX}")
    disagreements = {}
    for case in judged:
        try:
            ours = bool(_ours(case))
        except SrcverifyError:
            ours = False
        theirs, reason = _oracle(case)
        if ours != theirs:
            disagreements[case["id"]] = (ours, theirs, reason)
    assert set(disagreements) == set(JUSTIFIED_DISAGREEMENTS), disagreements
    assert all(ours and not theirs for ours, theirs, _ in disagreements.values())
