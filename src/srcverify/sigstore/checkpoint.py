"""Transparency-log checkpoints: C2SP signed notes carrying a tree head.

A checkpoint (c2sp.org/tlog-checkpoint) is a signed note (c2sp.org/signed-note)::

    <origin>
    <tree size, decimal>
    <root hash, base64>
    [extension lines]

    — <key name> <base64(4-byte key ID || signature)>
    [more signature lines: witnesses, other keys]

This module parses that text, finds the log's own signature among possibly
several (signatures from unknown keys, such as witness cosignatures, are
ignored), verifies it with the log key from the trusted root, and compares
the signed tree head with an inclusion proof's root hash and tree size.

How the log signs:

* Rekor v1 (ECDSA): origin ``<host> - <tree id>``, key name ``<host>``,
  key ID the first 4 bytes of SHA-256 of the key's DER SubjectPublicKeyInfo
  (= the trusted root's log id); ECDSA with SHA-256 over the note text.
  The key ID does not commit to the name, so origins of other forms are
  rejected for such logs.
* Rekor v2 (Ed25519): origin and key name are the log's host name, key ID
  the first 4 bytes of SHA-256(name || 0x0A || 0x01 || raw key) (= the
  trusted root's log id); Ed25519 over the note text.

This module does not verify Merkle proofs (:mod:`srcverify.sigstore.merkle`), does not
look logs up in the trusted root (:mod:`srcverify.sigstore.tlog` passes the
:class:`~srcverify.sigstore.trustroot.LogKey`) and does not check key validity times.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from srcverify._frozen import frozen
from srcverify.errors import TransparencyLogError
from srcverify.sigstore.merkle import HASH_SIZE
from srcverify.sigstore.trustroot import LogKey

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # every C0 control but the newline

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "NoteSignature",
    "SignedNote",
    "key_name_for_origin",
    "log_key_ids",
    "verify_checkpoint",
    "verify_log_signature",
]

MAX_SIGNATURES = 64
"""Signature lines accepted in one note (the spec asks for at least 16)."""

_EM_DASH_PREFIX = "\u2014 "
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")
_REKOR_V1_ORIGIN = re.compile(r"(?P<name>\S+) - (?P<tree_id>[0-9]+)")


@frozen
class NoteSignature:
    """One signature line of a signed note."""

    name: str
    key_id: bytes
    signature: bytes


@frozen
class SignedNote:
    """A signed note split into its text and its signature lines.

    ``text`` is the signed message: every line before the separating blank
    line, including the final newline.
    """

    text: str
    signatures: tuple[NoteSignature, ...]

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        """Split a signed note; malformed notes are rejected, not repaired.

        Raises:
            TransparencyLogError: a lone surrogate, control characters, no final newline, no
                blank line before the signatures, no or too many signature
                lines, or a malformed signature line.
        """
        try:
            note.encode("utf-8")  # the signed message is these bytes; see json_text
        except UnicodeEncodeError as exc:
            code = ord(note[exc.start])
            raise TransparencyLogError(
                f"checkpoint is not Unicode text (U+{code:04X}, a lone surrogate)"
            ) from None
        bad = _CONTROL.search(note)
        if bad is not None:
            raise TransparencyLogError(f"checkpoint contains control character {bad.group()!r}")
        if not note.endswith("\n"):
            raise TransparencyLogError("checkpoint does not end with a newline")
        separator = note.rfind("\n\n")
        if separator < 0:
            raise TransparencyLogError(
                "checkpoint has no blank line between its text and its signatures"
            )
        text = note[: separator + 1]
        block = note[separator + 2 :]
        lines = block[:-1].split("\n") if block else []
        if not lines:
            raise TransparencyLogError("checkpoint has no signature lines")
        if len(lines) > MAX_SIGNATURES:
            raise TransparencyLogError(
                f"checkpoint has {len(lines)} signature lines, more than {MAX_SIGNATURES}"
            )
        return cls(text, tuple(_signature_line(line, i + 1) for i, line in enumerate(lines)))


@frozen
class Checkpoint:
    """A parsed checkpoint body and the note it came from (not yet verified)."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...]
    note: SignedNote

    @classmethod
    def parse(cls, envelope: str) -> Checkpoint:
        """Parse a checkpoint without checking any signature.

        Raises:
            TransparencyLogError: the note is malformed, or the origin, tree
                size or root hash line is missing or invalid.
        """
        note = SignedNote.parse(envelope)
        lines = note.text[:-1].split("\n")
        first = lines[0]
        second = lines[1] if len(lines) > 1 else ""
        if not first:
            raise TransparencyLogError("checkpoint has no origin line: its first line is empty")
        if _DECIMAL.fullmatch(first) and _decode_hash(second) is not None:
            raise TransparencyLogError(
                f"checkpoint has no origin line: its first line is a tree size ({first}) "
                "followed by a root hash"
            )
        if not second:
            raise TransparencyLogError(f"checkpoint for {first} has no tree size line")
        if not _DECIMAL.fullmatch(second):
            if _decode_hash(second) is not None:
                raise TransparencyLogError(
                    f"checkpoint for {first} has no tree size line: "
                    "the line after the origin is a root hash"
                )
            raise TransparencyLogError(
                f"checkpoint for {first}: tree size line {second!r} is not a decimal number"
            )
        third = lines[2] if len(lines) > 2 else ""
        if not third:
            raise TransparencyLogError(f"checkpoint for {first} has no root hash line")
        root_hash = _decode_hash(third)
        if root_hash is None:
            raise TransparencyLogError(
                f"checkpoint for {first}: root hash line {third!r} is not the base64 of "
                f"{HASH_SIZE} bytes"
            )
        extensions = tuple(lines[3:])
        if any(not line for line in extensions):
            raise TransparencyLogError(f"checkpoint for {first} has an empty extension line")
        return cls(first, int(second), root_hash, extensions, note)


def key_name_for_origin(origin: str) -> str:
    """The key name a log signs its checkpoints with.

    Rekor v1 origins are ``<host> - <tree id>`` and are signed as ``<host>``;
    every other log signs with its origin as the key name.
    """
    match = _REKOR_V1_ORIGIN.fullmatch(origin)
    return match.group("name") if match else origin


def verify_checkpoint(
    envelope: str, log: LogKey, *, root_hash: bytes, tree_size: int
) -> Checkpoint:
    """Verify a log's checkpoint and match it against an inclusion proof.

    The log's signature is the signature line whose key name is
    :func:`key_name_for_origin` of the checkpoint's origin and whose key ID is
    one of :func:`log_key_ids`. Lines from other keys (witness cosignatures,
    other logs, a name the log's key ID does not commit to) are ignored;
    every line from the log's key must verify.

    Args:
        envelope: the checkpoint text from the bundle.
        log: the transparency log from the trusted root.
        root_hash: the inclusion proof's root hash.
        tree_size: the inclusion proof's tree size.

    Returns:
        The verified checkpoint.

    Raises:
        TransparencyLogError: malformed checkpoint, no signature from the
            log, a signature from the log that does not verify, or a root
            hash or tree size other than the inclusion proof's.
    """
    checkpoint = Checkpoint.parse(envelope)
    if not isinstance(log.public_key, Ed25519PublicKey) and not _REKOR_V1_ORIGIN.fullmatch(
        checkpoint.origin
    ):
        # An ECDSA key ID does not commit to a name: at least insist on the
        # origin form Rekor v1 (the only log signing notes this way) uses.
        raise TransparencyLogError(
            f"checkpoint origin {checkpoint.origin!r} is not of the form '<host> - <tree id>' "
            f"that Rekor v1 logs such as {_name(log)} sign"
        )
    name = key_name_for_origin(checkpoint.origin)
    key_ids = log_key_ids(log, name)
    signatures = checkpoint.note.signatures
    ours = [sig for sig in signatures if sig.name == name and sig.key_id in key_ids]
    if not ours:
        wanted = " or ".join(sorted(key_id.hex() for key_id in key_ids))
        raise TransparencyLogError(
            f"checkpoint: no signature from {checkpoint.origin} among {len(signatures)} "
            f"signature lines (looked for key name {name!r} with key ID {wanted}; "
            f"found {_describe(signatures)})"
        )
    message = checkpoint.note.text.encode()
    for sig in ours:
        if not verify_log_signature(log, sig.signature, message):
            raise TransparencyLogError(
                f"checkpoint signature by {sig.name} (key ID {sig.key_id.hex()}) does not verify "
                f"with the key of log {_name(log)}"
            )
    if checkpoint.root_hash != root_hash:
        sizes = (
            f" (tree size {checkpoint.tree_size} vs {tree_size})"
            if checkpoint.tree_size != tree_size
            else ""
        )
        raise TransparencyLogError(
            f"checkpoint root hash {checkpoint.root_hash.hex()} does not match inclusion "
            f"proof root hash {root_hash.hex()}{sizes}"
        )
    if checkpoint.tree_size != tree_size:
        raise TransparencyLogError(
            f"checkpoint tree size {checkpoint.tree_size} does not match inclusion proof "
            f"tree size {tree_size}"
        )
    return checkpoint


def log_key_ids(log: LogKey, name: str) -> frozenset[bytes]:
    """The 4-byte key IDs under which ``log`` signs notes as ``name``.

    Ed25519 keys: SHA-256(name || 0x0A || 0x01 || raw key)[:4] (C2SP), which
    binds the key name to the key; the trusted root's log id is this hash
    for the right name. Other keys (Rekor v1 ECDSA): the first four bytes of
    the log id (SHA-256 of the SubjectPublicKeyInfo), whatever the name.
    """
    key = log.public_key
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return frozenset({hashlib.sha256(name.encode() + b"\n\x01" + raw).digest()[:4]})
    return frozenset({log.log_id[:4], log.spki_sha256[:4]})


def verify_log_signature(log: LogKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` over ``message`` verifies with the log's key.

    Ed25519 signs the message itself; ECDSA and RSA (PKCS#1 v1.5) hash it
    with the digest named in the key details (SHA-256 when unnamed).

    Raises:
        TransparencyLogError: the log key is of a type logs do not use.
    """
    key = log.public_key
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, message)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(_hash_for(log.key_details, key)))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), _hash_for(log.key_details, key))
        else:
            raise TransparencyLogError(
                f"log {log.base_url}: unsupported key type {type(key).__name__}"
            )
    except InvalidSignature:
        return False
    return True


def _hash_for(
    key_details: str, key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey
) -> hashes.HashAlgorithm:
    if key_details.endswith("SHA_384"):
        return hashes.SHA384()
    if key_details.endswith("SHA_512"):
        return hashes.SHA512()
    if key_details.endswith("SHA_256") or isinstance(key, rsa.RSAPublicKey):
        return hashes.SHA256()
    size = key.curve.key_size
    return hashes.SHA256() if size <= 256 else hashes.SHA384() if size <= 384 else hashes.SHA512()


def _signature_line(line: str, number: int) -> NoteSignature:
    if not line.startswith(_EM_DASH_PREFIX):
        raise TransparencyLogError(
            f"checkpoint signature line {number} does not start with an em dash: {line[:40]!r}"
        )
    name, _, encoded = line[len(_EM_DASH_PREFIX) :].partition(" ")
    if (
        not name
        or "+" in name
        or any(c.isspace() for c in name)
        or not encoded
        or any(c.isspace() for c in encoded)
    ):
        raise TransparencyLogError(f"checkpoint signature line {number} is malformed: {line!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransparencyLogError(
            f"checkpoint signature line {number} ({name}): signature is not base64"
        ) from exc
    if len(raw) <= 4:
        raise TransparencyLogError(
            f"checkpoint signature line {number} ({name}): {len(raw)} bytes is too short "
            "for a key ID and a signature"
        )
    return NoteSignature(name=name, key_id=raw[:4], signature=raw[4:])


def _decode_hash(line: str) -> bytes | None:
    try:
        value = base64.b64decode(line, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value if len(value) == HASH_SIZE else None


def _name(log: LogKey) -> str:
    return log.base_url or log.log_id.hex()


def _describe(signatures: tuple[NoteSignature, ...]) -> str:
    return ", ".join(f"{sig.name} {sig.key_id.hex()}" for sig in signatures)
