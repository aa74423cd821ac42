"""Test-only builders for transparency-log tests: fixed keys, RFC 6962 trees,
C2SP signed notes and a tiny Rekor that logs one entry among a few others.

Everything is computed here independently of ``srcverify`` (the reference
Merkle tree hash follows the recursive definition of RFC 6962 section 2.1,
the SET payload is written out literally) so the tests compare two separate
implementations.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from srcverify._frozen import replace
from srcverify.sigstore.bundle import InclusionProof, TlogEntry
from srcverify.sigstore.trustroot import LogKey, TrustedRoot, ValidityWindow

ECDSA_LOG_KEY = ec.derive_private_key(0x5EC0_0001, ec.SECP256R1())
ED25519_LOG_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
OTHER_ECDSA_KEY = ec.derive_private_key(0x5EC0_0002, ec.SECP256R1())

V1_HOST = "rekor.example.dev"
V1_ORIGIN = f"{V1_HOST} - 1193050959916656506"
V2_NAME = "log2025-1.rekor.example.dev"
LOG_START = datetime(2021, 1, 1, tzinfo=UTC)
INTEGRATED = datetime(2024, 3, 19, 17, 26, 26, tzinfo=UTC)
NOW = datetime(2026, 11, 21, tzinfo=UTC)


# --- RFC 6962 reference tree --------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def ref_root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf *data* (RFC 6962 2.1)."""
    if len(leaves) == 1:
        return ref_leaf(leaves[0])
    k = _largest_power_of_two_below(len(leaves))
    return hashlib.sha256(b"\x01" + ref_root(leaves[:k]) + ref_root(leaves[k:])).digest()


def ref_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (RFC 6962 2.1.1), from the leaf upwards."""
    if len(leaves) == 1:
        return []
    k = _largest_power_of_two_below(len(leaves))
    if index < k:
        return [*ref_path(index, leaves[:k]), ref_root(leaves[k:])]
    return [*ref_path(index - k, leaves[k:]), ref_root(leaves[:k])]


# --- keys, logs, notes ------------------------------------------------------------


def spki(key: ec.EllipticCurvePublicKey | object) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def ecdsa_log(validity: ValidityWindow | None = None) -> LogKey:
    public = ECDSA_LOG_KEY.public_key()
    return LogKey(
        base_url=f"https://{V1_HOST}",
        log_id=hashlib.sha256(spki(public)).digest(),
        public_key=public,
        key_details="PKIX_ECDSA_P256_SHA_256",
        validity=validity or ValidityWindow(LOG_START, None),
    )


def ed25519_key_id(name: str, key: Ed25519PrivateKey) -> bytes:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()


def ed25519_log(validity: ValidityWindow | None = None) -> LogKey:
    return LogKey(
        base_url=f"https://{V2_NAME}",
        log_id=ed25519_key_id(V2_NAME, ED25519_LOG_KEY),
        public_key=ED25519_LOG_KEY.public_key(),
        key_details="PKIX_ED25519",
        validity=validity or ValidityWindow(LOG_START, None),
    )


def root_with(*logs: LogKey) -> TrustedRoot:
    return TrustedRoot(
        tlogs=tuple(logs), ctlogs=(), certificate_authorities=(), timestamp_authorities=()
    )


def sign(key: ec.EllipticCurvePrivateKey | Ed25519PrivateKey, message: bytes) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.sign(message)
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


def sig_line(name: str, key_id: bytes, signature: bytes) -> str:
    return f"\u2014 {name} {base64.b64encode(key_id[:4] + signature).decode()}\n"


def checkpoint_text(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    return "".join(f"{line}\n" for line in lines)


def v1_note(text: str, *, key: ec.EllipticCurvePrivateKey = ECDSA_LOG_KEY) -> str:
    key_id = hashlib.sha256(spki(ECDSA_LOG_KEY.public_key())).digest()
    return f"{text}\n{sig_line(V1_HOST, key_id, sign(key, text.encode()))}"


def v2_note(text: str, *extra_lines: str) -> str:
    key_id = ed25519_key_id(V2_NAME, ED25519_LOG_KEY)
    line = sig_line(V2_NAME, key_id, sign(ED25519_LOG_KEY, text.encode()))
    return f"{text}\n{line}{''.join(extra_lines)}"


def witness_line(text: str, name: str = "witness.example.org") -> str:
    return sig_line(name, ed25519_key_id(name, WITNESS_KEY), sign(WITNESS_KEY, text.encode()))


# --- a tiny Rekor -----------------------------------------------------------------


def set_payload_literal(body: bytes, integrated: int, log_id: bytes, index: int) -> bytes:
    b64 = base64.b64encode(body).decode()
    return (
        f'{{"body":"{b64}","integratedTime":{integrated},'
        f'"logID":"{log_id.hex()}","logIndex":{index}}}'
    ).encode()


@dataclass(frozen=True)
class Logged:
    """An entry logged by the tiny Rekor, and the log that holds it."""

    entry: TlogEntry
    log: LogKey
    leaves: tuple[bytes, ...]

    def with_proof(self, **changes: object) -> Logged:
        assert self.entry.inclusion_proof is not None
        proof = replace(self.entry.inclusion_proof, **changes)  # type: ignore[arg-type]
        return dataclasses.replace(self, entry=replace(self.entry, inclusion_proof=proof))

    def with_entry(self, **changes: object) -> Logged:
        return dataclasses.replace(self, entry=replace(self.entry, **changes))


def log_entry(
    body: bytes,
    *,
    v2: bool = False,
    index: int = 5,
    size: int = 11,
    integrated: datetime | None = INTEGRATED,
    with_proof: bool = True,
    with_checkpoint: bool = True,
    with_set: bool = True,
    log: LogKey | None = None,
) -> Logged:
    """Log ``body`` at ``index`` in a tree of ``size`` leaves and build its entry."""
    log = log or (ed25519_log() if v2 else ecdsa_log())
    leaves = [b"other entry %d" % i for i in range(size)]
    leaves[index] = body
    root = ref_root(leaves)
    proof = None
    if with_proof:
        checkpoint = None
        if with_checkpoint:
            text = checkpoint_text(V2_NAME if v2 else V1_ORIGIN, size, root)
            checkpoint = v2_note(text) if v2 else v1_note(text)
        proof = InclusionProof(
            log_index=index,
            root_hash=root,
            tree_size=size,
            hashes=tuple(ref_path(index, leaves)),
            checkpoint=checkpoint,
        )
    global_index = index + 1_000_000 if not v2 else index
    set_bytes = None
    seconds = int(integrated.timestamp()) if integrated is not None and not v2 else None
    if with_set and seconds is not None:
        payload = set_payload_literal(body, seconds, log.log_id, global_index)
        set_bytes = sign(ECDSA_LOG_KEY, payload)
    entry = TlogEntry(
        log_index=global_index,
        log_id=log.log_id,
        kind="hashedrekord",
        version="0.0.2" if v2 else "0.0.1",
        integrated_time=seconds,
        signed_entry_timestamp=set_bytes,
        inclusion_proof=proof,
        canonicalized_body=body,
    )
    return Logged(entry=entry, log=log, leaves=tuple(leaves))
