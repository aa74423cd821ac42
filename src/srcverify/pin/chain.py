"""Offline authentication of TUF metadata: root chain, timestamp, snapshot, targets.

:func:`authenticate` takes the bytes of a pin (see :mod:`srcverify.pin.load`
for the layout) and a reference time T, and checks with python-tuf's public
metadata API (``tuf.api.metadata``): the root chain N -> N+1 (each new root
signed by a threshold of the old root's keys and of its own, versions
consecutive); timestamp -> snapshot -> targets (signatures by thresholds of
the final root's role keys, versions, lengths and hashes consistent); each
target file's length and hashes against targets metadata; the expiry of every
role at T; optionally, no role older than in the pin being replaced. It
records which checks it made and which the pin's contents did not allow.

It is pure: no file system, no clock, no network. It does not follow
delegated targets roles (the pinned targets are top-level ones) and does not
interpret trusted_root.json.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tuf.api.exceptions import LengthOrHashMismatchError
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, Targets, Timestamp
from tuf.api.serialization import DeserializationError

from srcverify.errors import TufError
from srcverify.pin.authenticated import (
    TOP_LEVEL_ROLES,
    TRUSTED_ROOT,
    AuthenticatedPin,
    PinnedTarget,
    RoleState,
    is_pinned_target,
)
from srcverify.pin.record import format_time

__all__ = ["authenticate"]

_ROOT_FILE = re.compile(r"metadata/([1-9][0-9]{0,8})\.root\.json")


# --- offline authentication (pure) -------------------------------------------


def authenticate(
    files: Mapping[str, bytes],
    reference_time: datetime,
    *,
    minimum_versions: Mapping[str, int] | None = None,
) -> AuthenticatedPin:
    """Authenticate a pin's files at ``reference_time``.

    Args:
        files: relative path (``metadata/15.root.json``, ``targets/trusted_root.json``
            ...) -> content, for every file under ``metadata/`` and ``targets/``.
        reference_time: T, tz-aware; every expiry is evaluated at T.
        minimum_versions: role -> version of the pin being replaced; a lower
            version is a rollback (used by ``update``).

    Raises:
        TufError: a check failed; the message names it, expected vs actual.
    """
    if reference_time.tzinfo is None:
        raise TufError("reference time must be timezone-aware")
    when = reference_time.astimezone(UTC)
    done: list[str] = []
    impossible: list[str] = []
    roots, top, target_files = _sort_files(files)

    chain = _verify_root_chain(roots, done, impossible)
    root = chain[-1].signed
    states = [_state("root", chain[-1], root, when)]
    done.append(f"root v{root.version} is not expired at T (expires {format_time(root.expires)})")

    targets_md: Targets | None = None
    present = [role for role in TOP_LEVEL_ROLES if role in top]
    if present:
        missing = [role for role in TOP_LEVEL_ROLES if role not in top]
        if missing:
            raise TufError(
                f"incomplete TUF chain: the pin has {', '.join(present)} metadata "
                f"but no {', '.join(missing)}; pin all of timestamp, snapshot, targets or none"
            )
        targets_md = _verify_top_level(root, top, when, states, done)
    else:
        impossible.append(
            "freshness, snapshot consistency and rollback: the pin has no timestamp, "
            "snapshot or targets metadata"
        )

    targets = _verify_targets(target_files, targets_md, done, impossible)
    if minimum_versions is not None:
        _check_rollback(states, minimum_versions)
        done.append("no role is older than in the pin being replaced")
    return AuthenticatedPin(
        reference_time=when,
        root_chain=tuple(md.signed.version for md in chain),
        roles=tuple(states),
        targets=targets,
        checks_performed=tuple(done),
        checks_not_possible=tuple(impossible),
    )


def _sort_files(
    files: Mapping[str, bytes],
) -> tuple[dict[int, bytes], dict[str, bytes], dict[str, bytes]]:
    roots: dict[int, bytes] = {}
    top: dict[str, bytes] = {}
    target_files: dict[str, bytes] = {}
    for path, data in files.items():
        match = _ROOT_FILE.fullmatch(path)
        if match:
            roots[int(match.group(1))] = data
        elif path in {f"metadata/{role}.json" for role in TOP_LEVEL_ROLES}:
            top[path[len("metadata/") : -len(".json")]] = data
        elif path.startswith("targets/") and is_pinned_target(path[len("targets/") :]):
            target_files[path[len("targets/") :]] = data
        else:
            raise TufError(
                f"unexpected file {path} in the pin: expected metadata/N.root.json, "
                "metadata/{timestamp,snapshot,targets}.json or "
                "targets/{trusted_root.json,signing_config*.json}"
            )
    if not roots:
        raise TufError("the pin has no root metadata (metadata/N.root.json)")
    return roots, top, target_files


def _parse(data: bytes, path: str, expected: type[Any]) -> Metadata[Any]:
    try:
        md: Metadata[Any] = Metadata.from_bytes(data)
    except (DeserializationError, ValueError, KeyError, TypeError) as exc:
        raise TufError(f"{path}: not TUF metadata ({exc})") from exc
    if not isinstance(md.signed, expected):
        raise TufError(f"{path}: expected {expected.type} metadata, found {md.signed.type}")
    unsigned = sorted(md.unrecognized_fields) + sorted(
        f"signatures[{keyid[:12]}].{name}"
        for keyid, sig in md.signatures.items()
        for name in sig.unrecognized_fields
    )
    if unsigned:
        raise TufError(
            f"{path}: unsigned field(s) {', '.join(unsigned)} outside 'signed' are not allowed"
        )
    return md


def _signature_count(delegator: Root, role: str, md: Metadata[Any], what: str) -> tuple[int, int]:
    try:
        result = delegator.get_verification_result(role, md.signed_bytes, md.signatures)
    except Exception as exc:  # tuf/securesystemslib raise many types for bad keys
        raise TufError(f"{what}: signatures could not be checked ({exc})") from exc
    if not result.verified:
        raise TufError(
            f"{what}: threshold not met: {len(result.signed)} valid signature(s) from "
            f"{role} keys, {result.threshold} required"
        )
    return len(result.signed), result.threshold


def _verify_root_chain(
    roots: dict[int, bytes], done: list[str], impossible: list[str]
) -> list[Metadata[Root]]:
    versions = sorted(roots)
    for before, after in itertools.pairwise(versions):
        if after != before + 1:
            raise TufError(
                f"root chain: version {before + 1} is missing between "
                f"metadata/{before}.root.json and metadata/{after}.root.json"
            )
    chain: list[Metadata[Root]] = []
    signatures: list[str] = []
    for version in versions:
        path = f"metadata/{version}.root.json"
        md: Metadata[Root] = _parse(roots[version], path, Root)
        if md.signed.version != version:
            raise TufError(f"{path} contains root version {md.signed.version}, not {version}")
        if chain:
            old = chain[-1].signed
            _signature_count(old, "root", md, f"root v{version} signed by root v{old.version}")
        count, threshold = _signature_count(md.signed, "root", md, f"root v{version} self-signed")
        signatures.append(f"{count}/{threshold}")
        chain.append(md)
    anchor = versions[0]
    done.append(
        f"root v{anchor} (the pinned anchor) carries {signatures[0]} valid signatures of its own "
        "root keys (valid/threshold)"
    )
    if len(chain) > 1:
        done.append(
            f"root chain v{anchor} -> v{versions[-1]}: each version signed by a threshold of "
            "the previous root's keys and of its own keys, versions consecutive "
            "(intermediate roots' expiry is irrelevant per the TUF client workflow)"
        )
    else:
        impossible.append(
            f"root chain: only root v{anchor} is pinned; it is trusted as the anchor because "
            "it is in the reviewed pin, there is no older root to check it against"
        )
    return chain


def _state(role: str, md: Metadata[Any], delegator: Root, when: datetime) -> RoleState:
    signed = md.signed
    count, threshold = _signature_count(delegator, role, md, f"{role} v{signed.version}")
    if signed.is_expired(when):
        raise TufError(
            f"{role} v{signed.version} expired at {format_time(signed.expires)}, "
            f"at or before the reference time {format_time(when)}"
        )
    keyids = tuple(sorted(delegator.roles[role].keyids))
    return RoleState(role, signed.version, signed.expires, count, threshold, keyids)


def _check_meta(meta: MetaFile, data: bytes, listed_by: str, role: str, actual: int) -> None:
    if meta.version != actual:
        raise TufError(
            f"mix-and-match: {listed_by} lists {role} v{meta.version}, "
            f"metadata/{role}.json is v{actual}"
        )
    try:
        meta.verify_length_and_hashes(data)
    except LengthOrHashMismatchError as exc:
        raise TufError(
            f"mix-and-match: metadata/{role}.json does not match the length/hashes "
            f"{listed_by} lists: {exc}"
        ) from exc


def _verify_top_level(
    root: Root, top: dict[str, bytes], when: datetime, states: list[RoleState], done: list[str]
) -> Targets:
    timestamp: Metadata[Timestamp] = _parse(top["timestamp"], "metadata/timestamp.json", Timestamp)
    snapshot: Metadata[Snapshot] = _parse(top["snapshot"], "metadata/snapshot.json", Snapshot)
    targets: Metadata[Targets] = _parse(top["targets"], "metadata/targets.json", Targets)
    # Signatures and expiry first, so a forged file is reported as such.
    states.append(_state("timestamp", timestamp, root, when))
    listed_by = f"timestamp v{timestamp.signed.version}"
    _check_meta(
        timestamp.signed.snapshot_meta,
        top["snapshot"],
        listed_by,
        "snapshot",
        snapshot.signed.version,
    )
    states.append(_state("snapshot", snapshot, root, when))
    meta = snapshot.signed.meta.get("targets.json")
    if meta is None:
        raise TufError(f"snapshot v{snapshot.signed.version} does not list targets.json")
    _check_meta(
        meta,
        top["targets"],
        f"snapshot v{snapshot.signed.version}",
        "targets",
        targets.signed.version,
    )
    states.append(_state("targets", targets, root, when))
    done.append(
        "timestamp, snapshot and targets are signed by thresholds of the final root's "
        "role keys and not expired at T"
    )
    done.append(
        f"timestamp -> snapshot v{snapshot.signed.version} -> targets v{targets.signed.version}: "
        "versions (and lengths/hashes where listed) consistent"
    )
    return targets.signed


def _verify_targets(
    target_files: dict[str, bytes],
    targets_md: Targets | None,
    done: list[str],
    impossible: list[str],
) -> tuple[PinnedTarget, ...]:
    if TRUSTED_ROOT not in target_files:
        raise TufError(f"the pin has no targets/{TRUSTED_ROOT}")
    result = []
    for name in sorted(target_files):
        data = target_files[name]
        if targets_md is not None:
            info = targets_md.targets.get(name)
            if info is None:
                raise TufError(
                    f"targets/{name} is not listed in targets v{targets_md.version} metadata"
                )
            try:
                info.verify_length_and_hashes(data)
            except LengthOrHashMismatchError as exc:
                raise TufError(
                    f"targets/{name} does not match targets v{targets_md.version}: {exc}"
                ) from exc
        digest = hashlib.sha256(data).hexdigest()
        result.append(PinnedTarget(name, digest, len(data), targets_md is not None, data))
    names = ", ".join(t.name for t in result)
    if targets_md is not None:
        done.append(f"targets ({names}): length and hashes match targets v{targets_md.version}")
    else:
        impossible.append(
            f"targets ({names}): not authenticated by TUF, no targets metadata is pinned; "
            "their integrity rests on the sha256 in the reviewed pin record"
        )
    return tuple(result)


def _check_rollback(states: list[RoleState], minimum: Mapping[str, int]) -> None:
    have = {s.role: s.version for s in states}
    for role, old in minimum.items():
        new = have.get(role)
        if new is None:
            raise TufError(
                f"rollback: the new pin has no {role} metadata, the current pin has v{old}"
            )
        if new < old:
            raise TufError(f"rollback: {role} v{new} is older than the pinned v{old}")
