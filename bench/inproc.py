"""In-process, digest-only verification throughput: srcverify vs sigstore-python.

Both verify the same real python.org bundles from the corpus by sha256
digest, with the same trusted root and identity policy. Bundles are read
from disk beforehand but parsed inside the timed loop; trusted roots are
parsed once, outside it. Bundles sigstore-python rejects are left out (and
counted); a bundle srcverify rejects while sigstore-python accepts it is a
failure. This module does not start processes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Case:
    """One expected-pass digest case."""

    id: str
    bundle: bytes
    digest: bytes
    trusted_root: Path
    identity: str
    issuer: str


@dataclass(frozen=True)
class Throughput:
    """Rates per round for both verifiers, plus what was used and left out."""

    cases: int
    skipped: tuple[tuple[str, str], ...]
    srcverify_rates: tuple[float, ...]
    sigstore_rates: tuple[float, ...]
    srcverify_cpu_rates: tuple[float, ...]
    sigstore_cpu_rates: tuple[float, ...]


class Rejected(Exception):
    """srcverify rejected a bundle that is expected to pass (and sigstore-python accepts)."""


def load_cases(cases_json: Path) -> list[Case]:
    """The expected-pass, identity-verified cases of a corpus ``cases.json``."""
    index = json.loads(cases_json.read_text())
    base = cases_json.parent
    out = []
    for case in index["cases"]:
        if case["expected"] != "pass" or case["verification"] != "certificate-identity":
            continue
        out.append(
            Case(
                id=case["id"],
                bundle=(base / case["bundle"]).read_bytes(),
                digest=bytes.fromhex(case["artifact_sha256"]),
                trusted_root=(base / case["trusted_root"]).resolve(),
                identity=case["identity"],
                issuer=case["issuer"],
            )
        )
    return out


def srcverify_verifier() -> Callable[[Case], None]:
    """A function verifying one case with srcverify (raises on rejection)."""
    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.identity import Identity
    from srcverify.sigstore.trustroot import TrustedRoot
    from srcverify.sigstore.verify import verify_bundle

    roots: dict[Path, Any] = {}
    policies: dict[tuple[str, str], Any] = {}

    def verify(case: Case) -> None:
        root = roots.get(case.trusted_root)
        if root is None:
            root = roots[case.trusted_root] = TrustedRoot.from_json(case.trusted_root.read_bytes())
        key = (case.identity, case.issuer)
        policy = policies.get(key)
        if policy is None:
            policy = policies[key] = Identity(identity=case.identity, issuer=case.issuer)
        bundle = Bundle.from_json(case.bundle)
        verify_bundle(bundle, case.digest, trusted_root=root, policy=policy, now=datetime.now(UTC))

    return verify


def sigstore_verifier() -> Callable[[Case], None]:
    """A function verifying one case with sigstore-python's ``Verifier``."""
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle, TrustedRoot
    from sigstore.verify import Verifier, policy
    from sigstore_models.common.v1 import HashAlgorithm

    logging.getLogger("sigstore").setLevel(logging.ERROR)
    verifiers: dict[Path, Verifier] = {}
    policies: dict[tuple[str, str], policy.Identity] = {}

    def verify(case: Case) -> None:
        verifier = verifiers.get(case.trusted_root)
        if verifier is None:
            root = TrustedRoot.from_file(str(case.trusted_root))
            verifier = verifiers[case.trusted_root] = Verifier(trusted_root=root)
        key = (case.identity, case.issuer)
        identity = policies.get(key)
        if identity is None:
            identity = policies[key] = policy.Identity(identity=case.identity, issuer=case.issuer)
        hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=case.digest)
        verifier.verify_artifact(hashed, Bundle.from_json(case.bundle), identity)

    return verify


def measure(cases: list[Case], rounds: int, min_seconds: float) -> Throughput:
    """Verify every usable case per round with both; rates are verifications per second.

    Each round runs srcverify then sigstore-python over all usable cases,
    repeating the pass until ``min_seconds`` have elapsed for that verifier.

    Raises:
        Rejected: srcverify rejected a case sigstore-python accepts.
    """
    ours, theirs = srcverify_verifier(), sigstore_verifier()
    usable, skipped = [], []
    for case in cases:  # untimed check pass; also warms both verifiers' caches
        try:
            theirs(case)
        except Exception as exc:
            skipped.append((case.id, f"sigstore-python rejects it: {exc}"))
            continue
        try:
            ours(case)
        except Exception as exc:
            raise Rejected(f"srcverify rejected {case.id}: {type(exc).__name__}: {exc}") from exc
        usable.append(case)
    if not usable:
        raise Rejected("no case was accepted by sigstore-python; nothing to compare")
    ours_rates: list[tuple[float, float]] = []
    theirs_rates: list[tuple[float, float]] = []
    for _ in range(rounds):
        ours_rates.append(_rate(ours, usable, min_seconds))
        theirs_rates.append(_rate(theirs, usable, min_seconds))
    return Throughput(
        len(usable),
        tuple(skipped),
        tuple(wall for wall, _ in ours_rates),
        tuple(wall for wall, _ in theirs_rates),
        tuple(cpu for _, cpu in ours_rates),
        tuple(cpu for _, cpu in theirs_rates),
    )


def _rate(
    verify: Callable[[Case], None], cases: list[Case], min_seconds: float
) -> tuple[float, float]:
    """(per wall-clock second, per CPU second of this process) over whole passes."""
    done = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        for case in cases:
            verify(case)
        done += len(cases)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed, done / (time.process_time() - cpu_start)
