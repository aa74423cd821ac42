"""What changed between two authenticated pins, for a human reviewer.

:func:`diff_pins` compares the pin before and after ``trust-root update``
(or any two pins): reference time, root and role versions, the keys and
thresholds each role is delegated to, the pinned target files, and the
entries of ``trusted_root.json`` -- transparency logs, CT logs, certificate
authorities and timestamp authorities added or removed, validity windows
changed, certificate chains re-issued. Lines start with ``+`` (added), ``-``
(removed) or ``~`` (changed).

This module only compares; it authenticates nothing and reads no files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from srcverify.errors import TrustRootError
from srcverify.pin.authenticated import TRUSTED_ROOT, AuthenticatedPin, RoleState
from srcverify.pin.record import format_time
from srcverify.sigstore.trustroot import CertificateAuthority, LogKey, TrustedRoot, ValidityWindow

__all__ = ["diff_pins"]

_E = TypeVar("_E")


def diff_pins(old: AuthenticatedPin, new: AuthenticatedPin) -> tuple[str, ...]:
    """Describe the changes from ``old`` to ``new``, one line each."""
    lines = [
        f"~ reference time {format_time(old.reference_time)} -> {format_time(new.reference_time)}"
    ]
    chain_old, chain_new = old.root_chain, new.root_chain
    if chain_new[-1] != chain_old[-1]:
        added = ", ".join(f"v{v}" for v in chain_new if v > chain_old[-1])
        lines.append(f"~ root v{chain_old[-1]} -> v{chain_new[-1]} (new root versions: {added})")
    for role in ("root", "timestamp", "snapshot", "targets"):
        lines.extend(_role_lines(role, old.role(role), new.role(role)))
    lines.extend(_target_lines(old, new))
    lines.extend(_trusted_root_lines(old.trusted_root_json, new.trusted_root_json))
    return tuple(lines)


def _role_lines(role: str, old: RoleState | None, new: RoleState | None) -> list[str]:
    if old is None and new is None:
        return []
    if old is None or new is None:
        what = f"v{new.version}" if new else "none"
        before = f"v{old.version}" if old else "not pinned"
        return [f"~ {role} metadata: {before} -> {what}"]
    lines = []
    if role != "root" and old.version != new.version:
        lines.append(f"~ {role} v{old.version} -> v{new.version}")
    lines.extend(f"+ {role} key {k}" for k in sorted(set(new.keyids) - set(old.keyids)))
    lines.extend(f"- {role} key {k}" for k in sorted(set(old.keyids) - set(new.keyids)))
    if old.threshold != new.threshold:
        lines.append(f"~ {role} threshold {old.threshold} -> {new.threshold}")
    return lines


def _target_lines(old: AuthenticatedPin, new: AuthenticatedPin) -> list[str]:
    before = {t.name: t.sha256 for t in old.targets}
    after = {t.name: t.sha256 for t in new.targets}
    lines = [f"+ target {n} (sha256 {after[n]})" for n in sorted(set(after) - set(before))]
    lines += [f"- target {n} (sha256 {before[n]})" for n in sorted(set(before) - set(after))]
    lines += [
        f"~ target {n} sha256 {before[n]} -> {after[n]}"
        for n in sorted(set(before) & set(after))
        if before[n] != after[n]
    ]
    return lines


def _trusted_root_lines(old_json: bytes, new_json: bytes) -> list[str]:
    if old_json == new_json:
        return [f"  {TRUSTED_ROOT} unchanged"]
    try:
        old, new = TrustedRoot.from_json(old_json), TrustedRoot.from_json(new_json)
    except TrustRootError as exc:
        return [f"~ {TRUSTED_ROOT} changed; entries not compared: {exc}"]
    lines: list[str] = []
    lines += _entries("tlog", old.tlogs, new.tlogs, _log_key, _log_name)
    lines += _entries("ctlog", old.ctlogs, new.ctlogs, _log_key, _log_name)
    lines += _entries(
        "CA", old.certificate_authorities, new.certificate_authorities, _ca_key, _ca_name
    )
    lines += _entries(
        "TSA", old.timestamp_authorities, new.timestamp_authorities, _ca_key, _ca_name
    )
    return lines or [f"~ {TRUSTED_ROOT} changed bytes, same entries and validity windows"]


def _entries(
    kind: str,
    old: Iterable[_E],
    new: Iterable[_E],
    key: Callable[[_E], str],
    name: Callable[[_E], str],
) -> list[str]:
    before = {key(e): e for e in old}
    after = {key(e): e for e in new}
    lines = [
        f"+ {kind} {name(after[k])} valid {_window(after[k])}"
        for k in sorted(set(after) - set(before))
    ]
    lines += [
        f"- {kind} {name(before[k])} valid {_window(before[k])}"
        for k in sorted(set(before) - set(after))
    ]
    for k in sorted(set(before) & set(after)):
        was, now = _window(before[k]), _window(after[k])
        if was != now:
            lines.append(f"~ {kind} {name(after[k])} validity {was} -> {now}")
        if _chain_digest(before[k]) != _chain_digest(after[k]):
            lines.append(f"~ {kind} {name(after[k])} certificate chain changed")
    return lines


def _chain_digest(entry: object) -> str | None:
    if not isinstance(entry, CertificateAuthority):
        return None
    der = b"".join(cert.public_bytes(Encoding.DER) for cert in entry.certificates)
    return hashlib.sha256(der).hexdigest()


def _window(entry: object) -> str:
    validity = getattr(entry, "validity", None)
    if not isinstance(validity, ValidityWindow):  # pragma: no cover - every entry has one
        return "?"
    end = format_time(validity.end) if validity.end else "open"
    return f"{format_time(validity.start)} .. {end}"


def _log_key(log: LogKey) -> str:
    return log.log_id.hex()


def _log_name(log: LogKey) -> str:
    return f"{log.base_url} (log id {log.log_id.hex()[:16]}...)"


def _ca_key(ca: CertificateAuthority) -> str:
    """A CA is its URI, subject and root key; a re-issued chain is a change, not a new CA."""
    root_key = (
        ca.certificates[-1]
        .public_key()
        .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    return f"{ca.uri}|{ca.subject}|{hashlib.sha256(root_key).hexdigest()}"


def _ca_name(ca: CertificateAuthority) -> str:
    return f"{ca.uri} ({ca.subject})" if ca.subject else ca.uri
