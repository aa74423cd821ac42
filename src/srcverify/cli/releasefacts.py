"""The release map's facts about a release, enforced after its evidence verifies.

A message signature commits to content and signer, not to the name, so the
same signer's older release renamed as a newer one verifies. A series or
release entry of the map may record facts that tell them apart
(:mod:`srcverify.releasemap.facts`); :func:`apply_facts` checks them:

* ``not_signed_before``: the evidence's earliest verified time (a Rekor v1
  integrated time or an RFC 3161 time, which times Rekor v2 evidence: the
  times the core verified the certificate against) must not be earlier, or the artifact is
  REJECTED (exit 1) naming the release, the bound and the time found. The
  receipt's ``signing_time_check`` records the comparison;
* ``digests``: an artifact whose name the map knows a digest for must have
  it, or it is REJECTED naming both; a match binds the name, which
  ``name_bound_by`` says. Where no algorithm can be compared (a bare
  ``--digest`` of another algorithm) ``name_bound_by`` says so.

PEP 740 receipts are checked over every attestation they hold. A file
authenticated through a checksum manifest is checked twice: the manifest's
own facts when its evidence verifies, then the listed file's, against the
manifest's evidence times and the file's digest (:func:`apply_listed_facts`). This module
decides no signer and verifies no signature; it only compares what the core
proved with what the map records.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify._frozen import replace
from srcverify.errors import ArtifactMismatchError

if TYPE_CHECKING:
    from srcverify.releasemap.resolve import Resolution
    from srcverify.sigstore.receipt import Receipt, VerifiedTime

__all__ = ["apply_facts", "apply_listed_facts", "known_algorithms"]


def known_algorithms(resolution: Resolution | None) -> tuple[str, ...]:
    """The algorithms of the map's known digest of the artifact, to hash it with them too."""
    if resolution is None or resolution.known_digest is None:
        return ()
    return tuple(resolution.known_digest.digests())


def apply_facts(name: str | None, receipt: Any, resolution: Resolution | None) -> Any:
    """``receipt`` with the map's facts for ``name`` checked and recorded.

    Args:
        name: the artifact's file name, or None for a bare digest.
        receipt: a verified :class:`~srcverify.sigstore.receipt.Receipt`, or a
            PEP 740 receipt (its attestations' receipts are each updated).
        resolution: the release map's answer for ``name``, or None when the
            signer was named otherwise (then the map says nothing).

    Raises:
        ArtifactMismatchError: the evidence was verified earlier than the
            map's bound, or the artifact's digest is not the one the map knows.
    """
    if name is None or resolution is None:
        return receipt
    inner: list[Receipt] = [a.receipt for a in getattr(receipt, "attestations", ())] or [receipt]
    times = [t for r in inner for t in r.verified_times]
    check = _signing_time(name, times, resolution)
    bound_by = _known_digest(name, inner[0].artifact_digests, resolution, inner[0].name_bound_by)
    if not hasattr(receipt, "attestations"):
        return replace(receipt, name_bound_by=bound_by, signing_time_check=check)
    attestations = tuple(
        replace(a, receipt=replace(a.receipt, name_bound_by=bound_by, signing_time_check=check))
        for a in receipt.attestations
    )
    return replace(receipt, attestations=attestations)


def apply_listed_facts(
    artifact: str, receipt: Any, resolution_of: Callable[[str], Resolution] | None
) -> Any:
    """:func:`apply_facts` for a file a checksum manifest listed (``receipt`` is the
    manifest's, with the file's digests), when the map decides its signer.

    ``resolution_of`` resolves a name in the map, or is None when the signer was named
    otherwise; a name the map does not know has no facts (the manifest's signer decided).
    """
    from srcverify.errors import ReleaseMapError

    if resolution_of is None:
        return receipt
    name = Path(artifact).name
    try:
        resolution = resolution_of(name)
    except ReleaseMapError:
        return receipt
    return apply_facts(name, receipt, resolution)


def _signing_time(
    name: str, times: list[VerifiedTime], resolution: Resolution
) -> dict[str, str] | None:
    bound = resolution.not_signed_before
    if bound is None:
        return None
    earliest = min(times, key=lambda t: t.time)  # the core guarantees at least one
    if earliest.time < bound:
        raise ArtifactMismatchError(
            f"{name} names release {resolution.version}, which the release map says was not "
            f"signed before {_utc(bound)} ({resolution.not_signed_before_by}), but the "
            f"evidence's earliest verified time is {_utc(earliest.time)} ({earliest.source}, "
            f"{earliest.authority}): the content is an older release by the same signer",
            step="name",
        )
    return {
        "not_signed_before": _utc(bound),
        "by": resolution.not_signed_before_by or "",
        "earliest_verified_time": _utc(earliest.time),
        "result": "passed",
    }


def _known_digest(name: str, actual: Any, resolution: Resolution, bound_by: str) -> str:
    known = resolution.known_digest
    if known is None:
        return bound_by
    expected = known.digests()
    common = [alg for alg in expected if alg in actual]
    where = resolution.known_digest_by
    if not common:
        return (
            f"{bound_by}; the map's known digest ({', '.join(expected)}, {where}) was not "
            f"compared: the artifact's digest is {', '.join(actual) or 'not known'}"
        )
    for alg in common:
        if actual[alg] != expected[alg]:
            raise ArtifactMismatchError(
                f"{name}: the release map knows its {alg} as {expected[alg]} ({where}), but "
                f"the artifact's {alg} is {actual[alg]}: the content is another file",
                step="name",
            )
    this = f"known digest {', '.join(common)} ({where})"
    return this if bound_by.startswith("nothing") else f"{bound_by} and {this}"


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
