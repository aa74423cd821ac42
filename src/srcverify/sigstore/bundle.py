"""Parse and structurally validate Sigstore bundle JSON (v0.1 to v0.3).

Turns bundle bytes into a frozen :class:`Bundle`: media type and version,
verification material (certificate chain, single certificate or public-key
hint), transparency log entries, RFC 3161 timestamps, and either a message
signature or a DSSE envelope. Every field of the protobuf-specs bundle is
accounted for; unknown fields, bad base64, wrong types and shapes a version
does not allow are :class:`~srcverify.errors.BundleFormatError`.

This module does no cryptography and trusts nothing: certificates are only
decoded, signatures only carried.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography import x509

from srcverify._frozen import frozen
from srcverify.errors import BundleFormatError
from srcverify.sigstore import json_text
from srcverify.sigstore.certificate import load_der_certificate
from srcverify.sigstore.dsse import DsseEnvelope, DsseSignature

__all__ = [
    "MEDIA_TYPES",
    "Bundle",
    "InclusionProof",
    "MessageSignature",
    "TlogEntry",
    "VerificationMaterial",
]

MEDIA_TYPES = {
    "application/vnd.dev.sigstore.bundle+json;version=0.1": "0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2": "0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3": "0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json": "0.3",
}


@frozen
class InclusionProof:
    """An RFC 6962 inclusion proof and the checkpoint (signed note) it ends in."""

    log_index: int
    root_hash: bytes
    tree_size: int
    hashes: tuple[bytes, ...]
    checkpoint: str | None


@frozen
class TlogEntry:
    """One transparency log entry as the bundle carries it."""

    log_index: int
    log_id: bytes
    kind: str
    version: str
    integrated_time: int | None
    signed_entry_timestamp: bytes | None
    inclusion_proof: InclusionProof | None
    canonicalized_body: bytes


@frozen
class VerificationMaterial:
    """What identifies the signer, and the log entries and timestamps.

    Exactly one of ``certificates`` (leaf first) and ``public_key_hint`` is
    set; ``public_key_hint`` is None and ``certificates`` non-empty for
    certificate bundles.
    """

    certificates: tuple[x509.Certificate, ...]
    public_key_hint: str | None
    tlog_entries: tuple[TlogEntry, ...]
    rfc3161_timestamps: tuple[bytes, ...]

    @property
    def leaf(self) -> x509.Certificate | None:
        """The signing certificate, or None for a managed-key bundle."""
        return self.certificates[0] if self.certificates else None


@frozen
class MessageSignature:
    """A signature over the artifact's digest, and the digest if given."""

    digest_algorithm: str | None
    digest: bytes | None
    signature: bytes


@frozen
class Bundle:
    """A structurally valid Sigstore bundle."""

    media_type: str
    version: str
    material: VerificationMaterial
    message_signature: MessageSignature | None
    dsse_envelope: DsseEnvelope | None

    @classmethod
    def from_json(cls, data: bytes) -> Bundle:
        """Parse bundle bytes.

        Raises:
            BundleFormatError: anything malformed or unsupported, with the
                JSON path of the offending field.
        """
        try:
            doc = json_text.camel_case_fields(json_text.loads(data))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise BundleFormatError(f"bundle is not valid JSON: {exc}") from exc
        return _bundle(doc)


# --- field readers ------------------------------------------------------------


def _object(value: object, path: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BundleFormatError(f"{path}: expected a JSON object, found {_kind(value)}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise BundleFormatError(f"{path}: unknown field {unknown[0]!r}")
    return value


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if obj.get(key) is None:
        raise BundleFormatError(f"{path}.{key}: missing")
    return obj[key]


def _string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise BundleFormatError(f"{path}: expected a string, found {_kind(value)}")
    return value


def _b64(value: object, path: str) -> bytes:
    text = _string(value, path)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BundleFormatError(f"{path}: not valid base64") from exc


def _int64(value: object, path: str) -> int:
    """protobuf JSON writes int64 as a decimal string; numbers are accepted too."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BundleFormatError(f"{path}: expected an integer, found {_kind(value)}")
    try:
        number = int(value)
    except ValueError as exc:
        raise BundleFormatError(f"{path}: {value!r} is not an integer") from exc
    if number < 0:
        raise BundleFormatError(f"{path}: {number} is negative")
    return number


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise BundleFormatError(f"{path}: expected a JSON array, found {_kind(value)}")
    return value


def _certificate(value: object, path: str) -> x509.Certificate:
    raw = _b64(_required(_object(value, path, {"rawBytes"}), "rawBytes", path), f"{path}.rawBytes")
    try:
        return load_der_certificate(raw)
    except ValueError as exc:
        raise BundleFormatError(
            f"{path}.rawBytes: not a usable DER X.509 certificate: {exc}"
        ) from exc


# --- the bundle -------------------------------------------------------------


def _bundle(doc: object) -> Bundle:
    top = _object(
        doc, "bundle", {"mediaType", "verificationMaterial", "messageSignature", "dsseEnvelope"}
    )
    media_type = _string(_required(top, "mediaType", "bundle"), "bundle.mediaType")
    version = MEDIA_TYPES.get(media_type)
    if version is None:
        raise BundleFormatError(f"unsupported bundle media type {media_type!r}")
    material = _material(_required(top, "verificationMaterial", "bundle"), version)
    has_message = top.get("messageSignature") is not None
    has_dsse = top.get("dsseEnvelope") is not None
    if has_message == has_dsse:
        raise BundleFormatError("bundle: expected exactly one of messageSignature and dsseEnvelope")
    return Bundle(
        media_type=media_type,
        version=version,
        material=material,
        message_signature=_message_signature(top["messageSignature"]) if has_message else None,
        dsse_envelope=_dsse(top["dsseEnvelope"]) if has_dsse else None,
    )


def _material(value: object, version: str) -> VerificationMaterial:
    path = "bundle.verificationMaterial"
    obj = _object(
        value,
        path,
        {
            "publicKey",
            "x509CertificateChain",
            "certificate",
            "tlogEntries",
            "timestampVerificationData",
        },
    )
    present = [
        k for k in ("publicKey", "x509CertificateChain", "certificate") if obj.get(k) is not None
    ]
    if len(present) != 1:
        raise BundleFormatError(
            f"{path}: expected exactly one of publicKey, x509CertificateChain, certificate; "
            f"found {', '.join(present) or 'none'}"
        )
    certificates: tuple[x509.Certificate, ...] = ()
    hint: str | None = None
    if present[0] == "publicKey":
        key = _object(obj["publicKey"], f"{path}.publicKey", {"hint"})
        hint = _string(key.get("hint", ""), f"{path}.publicKey.hint")
    elif present[0] == "certificate":
        if version in ("0.1", "0.2"):
            raise BundleFormatError(f"{path}.certificate: not allowed in a v{version} bundle")
        certificates = (_certificate(obj["certificate"], f"{path}.certificate"),)
    else:
        if version == "0.3":
            raise BundleFormatError(
                f"{path}.x509CertificateChain: a v0.3 bundle must carry a single certificate"
            )
        chain_path = f"{path}.x509CertificateChain"
        chain = _object(obj["x509CertificateChain"], chain_path, {"certificates"})
        items = _list(chain.get("certificates", []), f"{chain_path}.certificates")
        if not items:
            raise BundleFormatError(f"{chain_path}.certificates: empty")
        certificates = tuple(
            _certificate(item, f"{chain_path}.certificates[{i}]") for i, item in enumerate(items)
        )
    # No entry at all is the orchestrator's decision (timestamp-only evidence is an opt-in).
    entries = _list(obj.get("tlogEntries", []), f"{path}.tlogEntries")
    return VerificationMaterial(
        certificates=certificates,
        public_key_hint=hint,
        tlog_entries=tuple(
            _tlog_entry(item, f"{path}.tlogEntries[{i}]", version) for i, item in enumerate(entries)
        ),
        rfc3161_timestamps=_timestamps(obj.get("timestampVerificationData"), path),
    )


def _timestamps(value: object, path: str) -> tuple[bytes, ...]:
    if value is None:
        return ()
    path = f"{path}.timestampVerificationData"
    obj = _object(value, path, {"rfc3161Timestamps"})
    items = _list(obj.get("rfc3161Timestamps", []), f"{path}.rfc3161Timestamps")
    result = []
    for i, item in enumerate(items):
        item_path = f"{path}.rfc3161Timestamps[{i}]"
        entry = _object(item, item_path, {"signedTimestamp"})
        result.append(
            _b64(_required(entry, "signedTimestamp", item_path), f"{item_path}.signedTimestamp")
        )
    return tuple(result)


def _tlog_entry(value: object, path: str, version: str) -> TlogEntry:
    obj = _object(
        value,
        path,
        {
            "logIndex",
            "logId",
            "kindVersion",
            "integratedTime",
            "inclusionPromise",
            "inclusionProof",
            "canonicalizedBody",
        },
    )
    log_id = _object(_required(obj, "logId", path), f"{path}.logId", {"keyId"})
    kind_version = _object(
        _required(obj, "kindVersion", path), f"{path}.kindVersion", {"kind", "version"}
    )
    promise = obj.get("inclusionPromise")
    set_bytes = None
    if promise is not None:
        promise_obj = _object(promise, f"{path}.inclusionPromise", {"signedEntryTimestamp"})
        set_bytes = _b64(
            _required(promise_obj, "signedEntryTimestamp", f"{path}.inclusionPromise"),
            f"{path}.inclusionPromise.signedEntryTimestamp",
        )
    proof = obj.get("inclusionProof")
    inclusion_proof = (
        _inclusion_proof(proof, f"{path}.inclusionProof") if proof is not None else None
    )
    if version == "0.1" and set_bytes is None:
        raise BundleFormatError(f"{path}: a v0.1 bundle requires an inclusion promise")
    if version != "0.1" and (inclusion_proof is None or inclusion_proof.checkpoint is None):
        raise BundleFormatError(
            f"{path}: a v{version} bundle requires an inclusion proof with a checkpoint"
        )
    integrated = _int64(obj.get("integratedTime", 0), f"{path}.integratedTime")
    return TlogEntry(
        log_index=_int64(_required(obj, "logIndex", path), f"{path}.logIndex"),
        log_id=_b64(_required(log_id, "keyId", f"{path}.logId"), f"{path}.logId.keyId"),
        kind=_string(
            _required(kind_version, "kind", f"{path}.kindVersion"), f"{path}.kindVersion.kind"
        ),
        version=_string(
            _required(kind_version, "version", f"{path}.kindVersion"), f"{path}.kindVersion.version"
        ),
        integrated_time=integrated or None,
        signed_entry_timestamp=set_bytes,
        inclusion_proof=inclusion_proof,
        canonicalized_body=_b64(
            _required(obj, "canonicalizedBody", path), f"{path}.canonicalizedBody"
        ),
    )


def _inclusion_proof(value: object, path: str) -> InclusionProof:
    obj = _object(value, path, {"logIndex", "rootHash", "treeSize", "hashes", "checkpoint"})
    checkpoint = obj.get("checkpoint")
    envelope = None
    if checkpoint is not None:
        checkpoint_obj = _object(checkpoint, f"{path}.checkpoint", {"envelope"})
        envelope = _string(
            _required(checkpoint_obj, "envelope", f"{path}.checkpoint"),
            f"{path}.checkpoint.envelope",
        )
    hashes = _list(obj.get("hashes", []), f"{path}.hashes")
    return InclusionProof(
        log_index=_int64(obj.get("logIndex", 0), f"{path}.logIndex"),
        root_hash=_b64(_required(obj, "rootHash", path), f"{path}.rootHash"),
        tree_size=_int64(_required(obj, "treeSize", path), f"{path}.treeSize"),
        hashes=tuple(_b64(h, f"{path}.hashes[{i}]") for i, h in enumerate(hashes)),
        checkpoint=envelope,
    )


def _message_signature(value: object) -> MessageSignature:
    path = "bundle.messageSignature"
    obj = _object(value, path, {"messageDigest", "signature"})
    digest = obj.get("messageDigest")
    algorithm = None
    digest_bytes = None
    if digest is not None:
        digest_obj = _object(digest, f"{path}.messageDigest", {"algorithm", "digest"})
        algorithm = _string(digest_obj.get("algorithm", ""), f"{path}.messageDigest.algorithm")
        digest_bytes = _b64(
            _required(digest_obj, "digest", f"{path}.messageDigest"), f"{path}.messageDigest.digest"
        )
    return MessageSignature(
        digest_algorithm=algorithm,
        digest=digest_bytes,
        signature=_b64(_required(obj, "signature", path), f"{path}.signature"),
    )


def _dsse(value: object) -> DsseEnvelope:
    path = "bundle.dsseEnvelope"
    obj = _object(value, path, {"payload", "payloadType", "signatures"})
    signatures = _list(_required(obj, "signatures", path), f"{path}.signatures")
    if not signatures:
        raise BundleFormatError(f"{path}.signatures: empty")
    parsed = []
    for i, item in enumerate(signatures):
        sig_path = f"{path}.signatures[{i}]"
        sig = _object(item, sig_path, {"sig", "keyid"})
        parsed.append(
            DsseSignature(
                sig=_b64(_required(sig, "sig", sig_path), f"{sig_path}.sig"),
                keyid=_string(sig.get("keyid", ""), f"{sig_path}.keyid"),
            )
        )
    return DsseEnvelope(
        payload=_b64(_required(obj, "payload", path), f"{path}.payload"),
        payload_type=_string(_required(obj, "payloadType", path), f"{path}.payloadType"),
        signatures=tuple(parsed),
    )
