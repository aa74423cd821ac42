"""Fake Rekor v1 and v2 transparency logs for the test Sigstore instance.

Produces what a real Rekor hands a client: canonicalized entry bodies
(``hashedrekord 0.0.1``, ``dsse 0.0.1``, ``intoto 0.0.2`` for v1;
``hashedrekord 0.0.2`` and ``dsse 0.0.2`` for v2), RFC 6962 inclusion proofs,
checkpoints as C2SP signed notes, witness cosignatures, and for v1 the
Signed Entry Timestamp over ``{"body","integratedTime","logID","logIndex"}``.

Logs are in-memory lists that start with a few filler entries so that proofs
have siblings on both sides. This module does not assemble bundles.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from . import merkle
from .keys import ECDSA_SHA256, b64, ed25519_raw, spki_sha256

__all__ = [
    "LoggedEntry",
    "RekorV1Log",
    "RekorV2Log",
    "canonical_json",
    "checkpoint_body",
    "cosignature_line",
    "digest_algorithm",
    "dsse_v001_body",
    "dsse_v002_body",
    "envelope_hash",
    "hashedrekord_v001_body",
    "hashedrekord_v002_body",
    "intoto_v002_body",
    "note_key_id_ed25519",
    "set_payload",
    "signature_line",
]

SIGNATURE_DASH = "\u2014"


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, no whitespace) as Rekor stores bodies (RFC 8785 for ASCII)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# --- entry bodies -------------------------------------------------------------


def digest_algorithm(digest: bytes) -> str:
    """``sha256``, ``sha384`` or ``sha512``, by the digest's length."""
    return {32: "sha256", 48: "sha384", 64: "sha512"}[len(digest)]


def hashedrekord_v001_body(digest: bytes, signature: bytes, verifier_pem: bytes) -> bytes:
    """Rekor v1 ``hashedrekord 0.0.1``: hex digest (its algorithm by length), signature,
    PEM cert or key."""
    return canonical_json(
        {
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": digest_algorithm(digest), "value": digest.hex()}},
                "signature": {
                    "content": b64(signature),
                    "publicKey": {"content": b64(verifier_pem)},
                },
            },
        }
    )


def envelope_hash(envelope: dict[str, Any]) -> bytes:
    """SHA-256 of the compact envelope JSON a client would have uploaded."""
    ordered = {
        "payload": envelope["payload"],
        "payloadType": envelope["payloadType"],
        "signatures": [{"sig": s["sig"]} for s in envelope["signatures"]],
    }
    return hashlib.sha256(json.dumps(ordered, separators=(",", ":")).encode()).digest()


def dsse_v001_body(envelope: dict[str, Any], payload: bytes, verifier_pem: bytes) -> bytes:
    """Rekor v1 ``dsse 0.0.1``: envelope hash, payload hash, signatures with PEM verifier."""
    return canonical_json(
        {
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": envelope_hash(envelope).hex()},
                "payloadHash": {
                    "algorithm": "sha256",
                    "value": hashlib.sha256(payload).hexdigest(),
                },
                "signatures": [
                    {"signature": s["sig"], "verifier": b64(verifier_pem)}
                    for s in envelope["signatures"]
                ],
            },
        }
    )


def intoto_v002_body(envelope: dict[str, Any], payload: bytes, verifier_pem: bytes) -> bytes:
    """Rekor v1 ``intoto 0.0.2``; payload and sig are base64 of the base64 text, like Rekor."""
    return canonical_json(
        {
            "apiVersion": "0.0.2",
            "kind": "intoto",
            "spec": {
                "content": {
                    "envelope": {
                        "payload": b64(envelope["payload"].encode()),
                        "payloadType": envelope["payloadType"],
                        "signatures": [
                            {"publicKey": b64(verifier_pem), "sig": b64(s["sig"].encode())}
                            for s in envelope["signatures"]
                        ],
                    },
                    "hash": {"algorithm": "sha256", "value": envelope_hash(envelope).hex()},
                    "payloadHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(payload).hexdigest(),
                    },
                }
            },
        }
    )


def _v2_verifier(verifier_der: bytes, *, is_certificate: bool) -> dict[str, Any]:
    if is_certificate:
        return {
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "x509Certificate": {"rawBytes": b64(verifier_der)},
        }
    return {"keyDetails": "PKIX_ECDSA_P256_SHA_256", "publicKey": {"rawBytes": b64(verifier_der)}}


def hashedrekord_v002_body(
    digest: bytes, signature: bytes, verifier_der: bytes, *, is_certificate: bool = True
) -> bytes:
    """Rekor v2 ``hashedrekord 0.0.2`` (also used for DSSE: digest = SHA-256 of the PAE)."""
    return canonical_json(
        {
            "apiVersion": "0.0.2",
            "kind": "hashedrekord",
            "spec": {
                "hashedRekordV002": {
                    "data": {
                        "algorithm": "SHA2_" + digest_algorithm(digest)[3:],
                        "digest": b64(digest),
                    },
                    "signature": {
                        "content": b64(signature),
                        "verifier": _v2_verifier(verifier_der, is_certificate=is_certificate),
                    },
                }
            },
        }
    )


def dsse_v002_body(
    payload: bytes, signatures: Sequence[bytes], verifier_der: bytes, *, is_certificate: bool = True
) -> bytes:
    """Rekor v2 ``dsse 0.0.2``: payload hash and the signatures with their verifier."""
    verifier = _v2_verifier(verifier_der, is_certificate=is_certificate)
    return canonical_json(
        {
            "apiVersion": "0.0.2",
            "kind": "dsse",
            "spec": {
                "dsseV002": {
                    "payloadHash": {
                        "algorithm": "SHA2_256",
                        "digest": b64(hashlib.sha256(payload).digest()),
                    },
                    "signatures": [{"content": b64(s), "verifier": verifier} for s in signatures],
                }
            },
        }
    )


# --- signed notes -------------------------------------------------------------


def checkpoint_body(
    origin: str | None, size: int | None, root: bytes | None, extra: Sequence[str] = ()
) -> str:
    """Checkpoint note text; ``None`` drops a line (to build malformed checkpoints)."""
    lines = [x for x in (origin, None if size is None else str(size)) if x is not None]
    if root is not None:
        lines.append(b64(root))
    return "".join(f"{line}\n" for line in [*lines, *extra])


def note_key_id_ed25519(name: str, key: ed25519.Ed25519PublicKey, alg: int = 0x01) -> bytes:
    """C2SP signed-note key ID: SHA-256(name || "\\n" || alg || raw key) (first 4 = hint)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + ed25519_raw(key)).digest()


def signature_line(
    name: str,
    text: str,
    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
    key_hint: bytes,
) -> str:
    """``— <name> <base64(hint || signature)>`` over the note text."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        sig = key.sign(text.encode())
    else:
        sig = key.sign(text.encode(), ECDSA_SHA256)
    return f"{SIGNATURE_DASH} {name} {b64(key_hint[:4] + sig)}\n"


def cosignature_line(name: str, text: str, key: ed25519.Ed25519PrivateKey, timestamp: int) -> str:
    """C2SP tlog-cosignature/v1 witness line (Ed25519, alg 0x04) over a checkpoint."""
    hint = note_key_id_ed25519(name, key.public_key(), alg=0x04)[:4]
    signed = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
    sig = key.sign(signed)
    return f"{SIGNATURE_DASH} {name} {b64(hint + struct.pack('>Q', timestamp) + sig)}\n"


def set_payload(body: bytes, integrated_time: int, log_id: bytes, log_index: int) -> bytes:
    """The canonical JSON a Rekor v1 Signed Entry Timestamp signs."""
    return canonical_json(
        {
            "body": b64(body),
            "integratedTime": integrated_time,
            "logID": log_id.hex(),
            "logIndex": log_index,
        }
    )


# --- logs ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedEntry:
    """One entry as the log saw it, with its proof against the tree at ``tree_size``."""

    body: bytes
    kind: str
    version: str
    log_id: bytes
    log_index: int  # the value of TransparencyLogEntry.logIndex
    tree_index: int  # the index inside this tree (inclusionProof.logIndex)
    tree_size: int
    root_hash: bytes
    hashes: tuple[bytes, ...]
    checkpoint_text: str  # unsigned note body
    checkpoint: str  # the signed note (envelope)
    integrated_time: int | None = None
    signed_entry_timestamp: bytes | None = None


@dataclass
class _Tree:
    filler: int
    trailing: int
    leaves: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.leaves = [self._filler(i) for i in range(self.filler)]

    def _filler(self, i: int) -> bytes:
        return canonical_json({"apiVersion": "0.0.1", "kind": "filler", "spec": {"n": i}})

    def add(self, body: bytes) -> tuple[int, int, bytes, list[bytes]]:
        index = len(self.leaves)
        self.leaves.append(body)
        for _ in range(self.trailing):
            self.leaves.append(self._filler(len(self.leaves)))
        size = len(self.leaves)
        return (
            index,
            size,
            merkle.tree_root(self.leaves),
            merkle.inclusion_proof(index, self.leaves),
        )


class RekorV1Log:
    """Rekor v1: ECDSA P-256 key, SETs, checkpoint origin ``<host> - <treeID>``."""

    def __init__(
        self,
        key: ec.EllipticCurvePrivateKey,
        *,
        host: str = "rekor.srcverify.test",
        tree_id: int = 7000000000000000001,
        shard_offset: int = 1000,
        filler: int = 6,
        trailing: int = 3,
    ) -> None:
        self.key = key
        self.host = host
        self.tree_id = tree_id
        self.shard_offset = shard_offset
        self._tree = _Tree(filler, trailing)

    @property
    def log_id(self) -> bytes:
        """SHA-256 of the log key's DER SubjectPublicKeyInfo."""
        return spki_sha256(self.key.public_key())

    @property
    def origin(self) -> str:
        return f"{self.host} - {self.tree_id}"

    def sign_checkpoint(self, text: str) -> str:
        """Signed note over ``text``: hint = first 4 bytes of the log ID (as Rekor v1 does)."""
        return text + "\n" + signature_line(self.host, text, self.key, self.log_id)

    def sign_set(self, body: bytes, integrated_time: int, log_index: int) -> bytes:
        return self.key.sign(
            set_payload(body, integrated_time, self.log_id, log_index), ECDSA_SHA256
        )

    def append(
        self, body: bytes, kind: str, version: str, integrated_time: datetime
    ) -> LoggedEntry:
        index, size, root, proof = self._tree.add(body)
        text = checkpoint_body(self.origin, size, root)
        log_index = index + self.shard_offset
        itime = int(integrated_time.timestamp())
        return LoggedEntry(
            body=body,
            kind=kind,
            version=version,
            log_id=self.log_id,
            log_index=log_index,
            tree_index=index,
            tree_size=size,
            root_hash=root,
            hashes=tuple(proof),
            checkpoint_text=text,
            checkpoint=self.sign_checkpoint(text),
            integrated_time=itime,
            signed_entry_timestamp=self.sign_set(body, itime, log_index),
        )


class RekorV2Log:
    """Rekor v2 (tiles): Ed25519 key, origin = host, no integrated time, no SET."""

    def __init__(
        self,
        key: ed25519.Ed25519PrivateKey,
        *,
        origin: str = "log2025-1.rekor.srcverify.test",
        filler: int = 9,
        trailing: int = 2,
    ) -> None:
        self.key = key
        self.origin = origin
        self._tree = _Tree(filler, trailing)

    @property
    def log_id(self) -> bytes:
        """C2SP signed-note key ID of the log key under its origin name."""
        return note_key_id_ed25519(self.origin, self.key.public_key())

    def sign_checkpoint(self, text: str) -> str:
        return text + "\n" + signature_line(self.origin, text, self.key, self.log_id)

    def append(self, body: bytes, kind: str, version: str) -> LoggedEntry:
        index, size, root, proof = self._tree.add(body)
        text = checkpoint_body(self.origin, size, root)
        return LoggedEntry(
            body=body,
            kind=kind,
            version=version,
            log_id=self.log_id,
            log_index=index,
            tree_index=index,
            tree_size=size,
            root_hash=root,
            hashes=tuple(proof),
            checkpoint_text=text,
            checkpoint=self.sign_checkpoint(text),
        )
