"""In one process: srcverify's cost per bundle against the cryptographic floor.

For every expected-pass CPython bundle of the corpus (by digest, the pinned
trust root's ``trusted_root.json``, the signer the corpus names) this times
``Bundle.from_json`` + ``verify_bundle``, and, in the same run, interleaved,
the primitives any verifier of that bundle must run, on the bundle's own
bytes: ``json.loads`` of the bundle, loading the leaf certificate, the
certificate's signature by its Fulcio issuer (P-384), the artifact signature
(P-256 over the digest), the embedded SCT (P-256, over the RFC 6962
precertificate data), the signed entry timestamp and the checkpoint
signature when the entry has them (P-256), and the Merkle inclusion path
(SHA-256). Everything the primitives need is prepared before timing.
cryptography holds the GIL during ECDSA, so this is also the single-core
ceiling. This module starts no processes.
"""

from __future__ import annotations

import hashlib
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Case:
    """One expected-pass digest case."""

    name: str
    bundle: bytes
    digest: bytes
    identity: str
    issuer: str


@dataclass(frozen=True)
class PerBundle:
    """Seconds per bundle, per round, for srcverify and for the primitives alone."""

    cases: int
    srcverify: tuple[float, ...]
    floor: tuple[float, ...]
    primitives: dict[str, int]


def load_cases(cases_json: Path) -> list[Case]:
    """The expected-pass certificate-identity cases of a corpus ``cases.json``."""
    index = json.loads(cases_json.read_text())
    out = []
    for case in index["cases"]:
        if case["expected"] != "pass" or case["verification"] != "certificate-identity":
            continue
        out.append(
            Case(
                case["artifact_name"],
                (cases_json.parent / case["bundle"]).read_bytes(),
                bytes.fromhex(case["artifact_sha256"]),
                case["identity"],
                case["issuer"],
            )
        )
    return out


def srcverify_verifier(root: Any) -> Callable[[Case], None]:
    """Verify one case as ``srcverify verify --digest`` does, in this process."""
    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.identity import Identity
    from srcverify.sigstore.verify import verify_bundle

    policies: dict[tuple[str, str], Any] = {}
    now = datetime.now(UTC)

    def verify(case: Case) -> None:
        key = (case.identity, case.issuer)
        policy = policies.get(key) or policies.setdefault(
            key, Identity(identity=case.identity, issuer=case.issuer)
        )
        verify_bundle(
            Bundle.from_json(case.bundle),
            {"sha256": case.digest},
            trusted_root=root,
            policy=policy,
            now=now,
            artifact_name=case.name,
        )

    return verify


def floor_steps(case: Case, root: Any) -> list[tuple[str, Callable[[], object]]]:
    """The primitives a verification of ``case`` needs, each a prepared call."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from srcverify.sigstore.bundle import Bundle

    bundle = Bundle.from_json(case.bundle)
    leaf = bundle.material.leaf
    assert leaf is not None and bundle.message_signature is not None
    der = leaf.public_bytes(Encoding.DER)
    issuer = next(
        cert
        for ca in root.certificate_authorities
        for cert in ca.certificates
        if cert.subject == leaf.issuer
    )
    leaf_hash = leaf.signature_hash_algorithm
    assert leaf_hash is not None
    signature = bundle.message_signature.signature
    steps: list[tuple[str, Callable[[], object]]] = [
        ("json.loads", lambda: json.loads(case.bundle)),
        ("leaf load", lambda: x509.load_der_x509_certificate(der)),
        (
            "leaf signature (issuer key)",
            lambda: issuer.public_key().verify(
                leaf.signature, leaf.tbs_certificate_bytes, ec.ECDSA(leaf_hash)
            ),
        ),
        (
            "artifact signature",
            lambda: leaf.public_key().verify(
                signature, case.digest, ec.ECDSA(Prehashed(hashes.SHA256()))
            ),
        ),
    ]
    scts = leaf.extensions.get_extension_for_class(x509.PrecertificateSignedCertificateTimestamps)
    sct = next(iter(scts.value))
    ctlog = root.ctlog(sct.log_id)
    key_hash = hashlib.sha256(
        issuer.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ).digest()
    tbs = leaf.tbs_precertificate_bytes
    millis = int(sct.timestamp.replace(tzinfo=UTC).timestamp() * 1000)
    sct_data = b"".join(
        (
            struct.pack(">BBQH", 0, 0, millis, 1),
            key_hash,
            len(tbs).to_bytes(3, "big"),
            tbs,
            len(sct.extension_bytes).to_bytes(2, "big"),
            sct.extension_bytes,
        )
    )
    steps.append(
        (
            "SCT signature",
            lambda: ctlog.public_key.verify(sct.signature, sct_data, ec.ECDSA(hashes.SHA256())),
        )
    )
    for entry in bundle.material.tlog_entries:
        steps.extend(_entry_steps(entry, root.tlog(entry.log_id)))
    for _, step in steps:  # every primitive really verifies on this bundle's bytes
        step()
    return steps


def _entry_steps(entry: Any, log: Any) -> list[tuple[str, Callable[[], object]]]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from srcverify.sigstore.checkpoint import Checkpoint
    from srcverify.sigstore.tlog import set_payload

    key, ecdsa = log.public_key, ec.ECDSA(hashes.SHA256())
    steps: list[tuple[str, Callable[[], object]]] = []
    if entry.signed_entry_timestamp is not None:
        payload, promise = set_payload(entry), entry.signed_entry_timestamp
        steps.append(("SET signature", lambda: key.verify(promise, payload, ecdsa)))
    proof = entry.inclusion_proof
    if proof is None:
        return steps
    body, path = entry.canonicalized_body, proof.hashes

    def merkle() -> bytes:
        node = hashlib.sha256(b"\x00" + body).digest()
        for sibling in path:
            node = hashlib.sha256(b"\x01" + node + sibling).digest()
        return node

    steps.append(("Merkle path", merkle))
    if proof.checkpoint is not None:
        note = Checkpoint.parse(proof.checkpoint).note
        message, signature = note.text.encode(), note.signatures[0].signature
        steps.append(("checkpoint signature", lambda: key.verify(signature, message, ecdsa)))
    return steps


def measure(cases: list[Case], root: Any, rounds: int, min_seconds: float) -> PerBundle:
    """Seconds per bundle for srcverify and for the floor, in interleaved rounds."""
    verify = srcverify_verifier(root)
    plans = [floor_steps(case, root) for case in cases]
    primitives: dict[str, int] = {}
    for plan in plans:
        for name, _ in plan:
            primitives[name] = primitives.get(name, 0) + 1
    for case in cases:
        verify(case)  # warm-up; raises if srcverify rejects a bundle
    ours, floor = [], []
    for _ in range(rounds):
        ours.append(_per_item(lambda: [verify(case) for case in cases], len(cases), min_seconds))
        floor.append(
            _per_item(
                lambda: [step() for plan in plans for _, step in plan], len(cases), min_seconds
            )
        )
    return PerBundle(len(cases), tuple(ours), tuple(floor), primitives)


def _per_item(work: Callable[[], object], items: int, min_seconds: float) -> float:
    done = 0
    start = time.perf_counter()
    while True:
        work()
        done += items
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / done
