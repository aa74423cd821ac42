"""Rekor transparency log entries: inclusion, promise, time and body.

:func:`verify_entry` checks that a bundle's log entry was really logged by a
log of the trusted root: the inclusion proof of the entry's canonicalized
body up to a checkpoint signed by the log, and the signed entry timestamp
(SET, "inclusion promise") over body, integrated time, log id and index. It
returns a :class:`LogVerdict` saying which of the two verified and the
integrated time, when a verified SET vouches for one.

:func:`check_body` (implemented in :mod:`srcverify.sigstore.rekorbody`, re-exported
here) checks that the logged body describes *this* bundle.

:func:`check_log_validity` checks the log key's validity window at times
verified elsewhere (RFC 3161 timestamps, for Rekor v2 entries that carry no
integrated time).

A trusted root may list one log id more than once (the same key with two
validity windows, or under two base URLs). Signatures are checked with the
key of the first entry with the id; every entry with that id and that key is
a candidate, and a time is judged by the first whose window covers it.

This module does not verify the artifact signature, the certificate chain or
any timestamp, and it decides nothing about identities. It never reads the
clock: the caller passes ``now``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from srcverify._frozen import frozen
from srcverify.errors import EvaluationError, TransparencyLogError
from srcverify.sigstore.bundle import TlogEntry
from srcverify.sigstore.checkpoint import verify_checkpoint, verify_log_signature
from srcverify.sigstore.merkle import leaf_hash, verify_inclusion
from srcverify.sigstore.rekorbody import check_body
from srcverify.sigstore.trustroot import LogKey, TrustedRoot, describe_windows, valid_at

__all__ = ["LogVerdict", "check_body", "check_log_validity", "set_payload", "verify_entry"]


@frozen
class LogVerdict:
    """What a verified log entry proves.

    Attributes:
        log: the trusted-root log entry that logged the entry; once a time is
            judged, the one whose validity window covers it.
        candidates: every trusted-root entry with the log's id and key.
        integrated_time: when the log says it integrated the entry; set only
            when the signed entry timestamp verified.
        proof_verified: the inclusion proof verified up to a signed checkpoint.
        promise_verified: the signed entry timestamp verified.
        promise_only: only the promise verified (v0.1 bundles without a
            checkpoint): the log promised inclusion, nothing proves it.
    """

    log: LogKey
    candidates: tuple[LogKey, ...]
    integrated_time: datetime | None
    proof_verified: bool
    promise_verified: bool
    promise_only: bool


def verify_entry(
    entry: TlogEntry, trusted_root: TrustedRoot, *, bundle_version: str, now: datetime
) -> LogVerdict:
    """Verify one log entry's inclusion proof, checkpoint and promise.

    v0.2 and later bundles must prove inclusion (proof and checkpoint); v0.1
    bundles may rely on the signed entry timestamp alone, and their
    inclusion proofs without a checkpoint are not checked. Whatever else is
    present must verify too.

    Args:
        entry: the bundle's log entry.
        trusted_root: the trusted root holding the log's key.
        bundle_version: ``"0.1"``, ``"0.2"`` or ``"0.3"``.
        now: the current time (tz-aware); integrated times after it fail.

    Raises:
        TransparencyLogError: unknown log, bad proof, checkpoint or promise,
            integrated time in the future or outside the log key's validity.
    """
    if now.tzinfo is None:
        raise EvaluationError("verify_entry: now must be a timezone-aware datetime")
    same_id = trusted_root.tlogs_with_id(entry.log_id)
    if not same_id:
        raise TransparencyLogError(
            f"unknown log {base64.b64encode(entry.log_id).decode()}: "
            "no transparency log with this id in the trusted root"
        )
    log = same_id[0]
    candidates = tuple(other for other in same_id if other.spki_sha256 == log.spki_sha256)
    proof = entry.inclusion_proof
    proof_verified = False
    if proof is not None and proof.checkpoint is not None:
        verify_inclusion(
            leaf_hash(entry.canonicalized_body),
            proof.log_index,
            proof.tree_size,
            proof.hashes,
            proof.root_hash,
        )
        verify_checkpoint(
            proof.checkpoint, log, root_hash=proof.root_hash, tree_size=proof.tree_size
        )
        proof_verified = True
    elif bundle_version != "0.1":
        raise TransparencyLogError(
            f"log entry {entry.log_index}: a v{bundle_version} bundle needs an inclusion "
            "proof with a checkpoint"
        )

    integrated_time = None
    if entry.signed_entry_timestamp is not None:
        integrated_time = _verify_promise(entry, log)
    elif not proof_verified:
        raise TransparencyLogError(
            f"log entry {entry.log_index}: neither an inclusion proof with a checkpoint "
            "nor an inclusion promise to verify"
        )

    if integrated_time is not None:
        if integrated_time > now:
            raise TransparencyLogError(
                f"integrated time {integrated_time.isoformat()} of log entry "
                f"{entry.log_index} is in the future (now {now.astimezone(UTC).isoformat()})"
            )
        log = check_log_validity(candidates, [integrated_time])
    return LogVerdict(
        log=log,
        candidates=candidates,
        integrated_time=integrated_time,
        proof_verified=proof_verified,
        promise_verified=integrated_time is not None,
        promise_only=integrated_time is not None and not proof_verified,
    )


def check_log_validity(candidates: tuple[LogKey, ...], times: Iterable[datetime]) -> LogKey:
    """The first of ``candidates`` (entries of one log) valid at every one of ``times``.

    The trusted root's validity windows are closed: their ends are included.

    Raises:
        TransparencyLogError: no time given, or no candidate's window covers
            every time (the message lists the windows).
    """
    checked = list(times)
    name = _name(candidates[0])
    if not checked:
        raise TransparencyLogError(f"no verified time to check the key of log {name} at")
    log = valid_at(candidates, checked)
    if log is None:
        uncovered = [when for when in checked if valid_at(candidates, [when]) is None] or checked
        entries = f" in any of its {len(candidates)} entries" if len(candidates) > 1 else ""
        raise TransparencyLogError(
            f"key of log {name} was not valid{entries} at "
            f"{', '.join(when.isoformat() for when in uncovered)} "
            f"(valid {describe_windows(candidates)})"
        )
    return log


def set_payload(entry: TlogEntry) -> bytes:
    """The bytes a Rekor v1 signed entry timestamp signs.

    Canonical JSON (sorted keys, no spaces) of the base64 body, the
    integrated time, the hex log id and the entry's log index.
    """
    document = {
        "body": base64.b64encode(entry.canonicalized_body).decode(),
        "integratedTime": entry.integrated_time,
        "logID": entry.log_id.hex(),
        "logIndex": entry.log_index,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _verify_promise(entry: TlogEntry, log: LogKey) -> datetime:
    if entry.integrated_time is None or entry.signed_entry_timestamp is None:
        raise TransparencyLogError(
            f"log entry {entry.log_index} has an inclusion promise but no integrated time"
        )
    if not verify_log_signature(log, entry.signed_entry_timestamp, set_payload(entry)):
        raise TransparencyLogError(
            f"inclusion promise (signed entry timestamp) of log entry {entry.log_index} "
            f"does not verify with the key of log {_name(log)}"
        )
    try:
        return datetime.fromtimestamp(entry.integrated_time, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise TransparencyLogError(
            f"integrated time {entry.integrated_time} is not a representable time"
        ) from exc


def _name(log: LogKey) -> str:
    return log.base_url or base64.b64encode(log.log_id).decode()
