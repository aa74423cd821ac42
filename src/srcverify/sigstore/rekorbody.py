"""Rekor entry bodies: does the logged body describe this bundle?

A valid log entry proves that *something* was logged; :func:`check_body`
checks that it was this bundle's signature: the same artifact digest (or
DSSE payload), the same signature bytes and the same certificate (compared
as DER) or public key (compared as SubjectPublicKeyInfo DER). Pairing a
valid entry with another signature is the CVE-2022-36056 family of attacks.

Supported bodies: Rekor v1 ``hashedrekord 0.0.1``, ``dsse 0.0.1`` and
``intoto 0.0.2``; Rekor v2 ``hashedrekord 0.0.2`` (also used for DSSE
envelopes, over the SHA-256 of their PAE) and ``dsse 0.0.2``. The envelope
hashes of ``dsse 0.0.1`` and ``intoto 0.0.2`` depend on Rekor's JSON
serialisation and are not recomputed; payload hash and signatures bind the
envelope instead. Every field is read defensively: a malformed body is a
:class:`~srcverify.errors.TransparencyLogError`, never a ``KeyError``.

This module verifies no signature and no proof (see :mod:`srcverify.sigstore.tlog`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
    load_pem_public_key,
)

from srcverify._frozen import frozen
from srcverify.errors import TransparencyLogError
from srcverify.sigstore import json_text
from srcverify.sigstore.bundle import TlogEntry
from srcverify.sigstore.certificate import CERTIFICATE_ERRORS
from srcverify.sigstore.dsse import DsseEnvelope
from srcverify.sigstore.hashing import ACCEPTED, digest_of, to_proto

_FROM_PROTO = {to_proto(algorithm): algorithm for algorithm in ACCEPTED}

__all__ = ["SUPPORTED_KINDS", "check_body"]


@frozen
class _Expected:
    """What the bundle says; the logged body must say the same."""

    signature: bytes
    digest: tuple[str, bytes] | None  # (accepted algorithm, value)
    verifier: tuple[str, bytes]  # ("certificate", DER) or ("public key", SPKI DER)
    envelope: DsseEnvelope | None

    def hashedrekord_digest(self, logged_algorithm: str) -> tuple[str, bytes]:
        """(algorithm, digest) the logged hashedrekord must show.

        A DSSE envelope's PAE is hashed with whichever accepted algorithm the
        log names (a P-384 signer logs SHA-384); an artifact digest is the one
        the bundle signed, algorithm and all.
        """
        if self.envelope is not None:
            algorithm = logged_algorithm if logged_algorithm in ACCEPTED else "sha256"
            return algorithm, digest_of(algorithm, self.envelope.pae())
        if self.digest is None:
            raise TransparencyLogError("no artifact digest to compare with the logged digest")
        return self.digest

    def dsse(self, kind: str) -> DsseEnvelope:
        if self.envelope is None:
            raise TransparencyLogError(f"log entry is a {kind} entry but the bundle has no DSSE")
        return self.envelope


def check_body(
    entry: TlogEntry,
    *,
    signature: bytes,
    digest: tuple[str, bytes] | None,
    certificate: x509.Certificate | None,
    public_key: PublicKeyTypes | None,
    envelope: DsseEnvelope | None,
) -> None:
    """Check that the logged body describes this bundle's signature.

    Args:
        entry: the log entry whose ``canonicalized_body`` is checked.
        signature: the signature the bundle verifies (message signature, or
            the DSSE envelope's signature).
        digest: (algorithm, digest) the message signature covers; DSSE
            bundles' logged digests are recomputed from ``envelope``.
        certificate: the signing certificate, or None for a managed key.
        public_key: the managed key when there is no certificate.
        envelope: the DSSE envelope of a DSSE bundle.

    Raises:
        TransparencyLogError: a field differs (the message shows both
            values), the body is malformed, or the kind is unsupported.
    """
    if certificate is not None:
        verifier = ("certificate", certificate.public_bytes(Encoding.DER))
    elif public_key is not None:
        verifier = ("public key", _spki(public_key))
    else:
        raise TransparencyLogError("no certificate or public key to compare with the log entry")
    expected = _Expected(signature, digest, verifier, envelope)
    try:
        body = json_text.loads(entry.canonicalized_body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise TransparencyLogError("log entry body is not JSON") from exc
    kind, version = _text(body, "kind"), _text(body, "apiVersion")
    if (kind, version) != (entry.kind, entry.version):
        raise TransparencyLogError(
            f"log entry body is {kind} {version}, but the bundle says {entry.kind} {entry.version}"
        )
    handler = _BODY_CHECKS.get((kind, version))
    if handler is None:
        raise TransparencyLogError(f"unsupported entry kind {kind} version {version}")
    handler(_field(body, "spec"), expected)


def _hashedrekord_v001(spec: Any, exp: _Expected) -> None:
    logged_algorithm = _text(spec, "data.hash.algorithm")
    algorithm, digest = exp.hashedrekord_digest(logged_algorithm)
    _same("hash algorithm", logged_algorithm, algorithm)
    _same("digest", _hex(spec, "data.hash.value"), digest, _hex_text)
    _same("signature", _b64(spec, "signature.content"), exp.signature, _short)
    _same_verifier(_pem_verifier(_b64(spec, "signature.publicKey.content")), exp.verifier)


def _hashedrekord_v002(spec: Any, exp: _Expected) -> None:
    inner = _field(spec, "hashedRekordV002")
    logged_algorithm = _text(inner, "data.algorithm")
    algorithm, digest = exp.hashedrekord_digest(_FROM_PROTO.get(logged_algorithm, ""))
    _same("hash algorithm", logged_algorithm, to_proto(algorithm))
    _same("digest", _b64(inner, "data.digest"), digest, _hex_text)
    _same("signature", _b64(inner, "signature.content"), exp.signature, _short)
    _same_verifier(_v2_verifier(_field(inner, "signature.verifier")), exp.verifier)


def _dsse_v001(spec: Any, exp: _Expected) -> None:
    envelope = exp.dsse("dsse")
    _same("payload hash algorithm", _text(spec, "payloadHash.algorithm"), "sha256")
    _same("payload digest", _hex(spec, "payloadHash.value"), _sha256(envelope.payload), _hex_text)
    logged = [
        (_b64(item, "signature"), _pem_verifier(_b64(item, "verifier")))
        for item in _items(spec, "signatures")
    ]
    _same_signatures(logged, envelope, exp)


def _dsse_v002(spec: Any, exp: _Expected) -> None:
    inner = _field(spec, "dsseV002")
    envelope = exp.dsse("dsse")
    _same("payload hash algorithm", _text(inner, "payloadHash.algorithm"), "SHA2_256")
    _same("payload digest", _b64(inner, "payloadHash.digest"), _sha256(envelope.payload), _hex_text)
    logged = [
        (_b64(item, "content"), _v2_verifier(_field(item, "verifier")))
        for item in _items(inner, "signatures")
    ]
    _same_signatures(logged, envelope, exp)


def _intoto_v002(spec: Any, exp: _Expected) -> None:
    """intoto 0.0.2 stores the envelope's base64 fields base64-encoded again."""
    envelope = exp.dsse("intoto")
    logged_envelope = _field(spec, "content.envelope")
    _same("payload type", _text(logged_envelope, "payloadType"), envelope.payload_type)
    if isinstance(logged_envelope, dict) and "payload" in logged_envelope:
        payload = _b64_text(_b64(logged_envelope, "payload"), "content.envelope.payload")
        _same("DSSE payload digest", _sha256(payload), _sha256(envelope.payload), _hex_text)
    _same("payload hash algorithm", _text(spec, "content.payloadHash.algorithm"), "sha256")
    _same(
        "payload digest",
        _hex(spec, "content.payloadHash.value"),
        _sha256(envelope.payload),
        _hex_text,
    )
    logged = [
        (_double_b64(_b64(item, "sig")), _pem_verifier(_b64(item, "publicKey")))
        for item in _items(logged_envelope, "signatures")
    ]
    _same_signatures(logged, envelope, exp)


def _double_b64(outer: bytes) -> bytes:
    try:
        return base64.b64decode(outer, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransparencyLogError(
            f"logged DSSE signature {_short(outer)} is not the envelope's signature "
            "(intoto 0.0.2 stores signatures base64-encoded twice)"
        ) from exc


_BODY_CHECKS: dict[tuple[str, str], Callable[[Any, _Expected], None]] = {
    ("hashedrekord", "0.0.1"): _hashedrekord_v001,
    ("hashedrekord", "0.0.2"): _hashedrekord_v002,
    ("dsse", "0.0.1"): _dsse_v001,
    ("dsse", "0.0.2"): _dsse_v002,
    ("intoto", "0.0.2"): _intoto_v002,
}

SUPPORTED_KINDS = frozenset(_BODY_CHECKS)
"""The (kind, version) pairs :func:`check_body` understands."""


# --- comparisons ----------------------------------------------------------------


def _same(what: str, logged: Any, expected: Any, show: Callable[[Any], str] = repr) -> None:
    if logged != expected:
        raise TransparencyLogError(
            f"log entry {what} differs: bundle has {show(expected)}, log has {show(logged)}"
        )


def _same_verifier(logged: tuple[str, bytes], expected: tuple[str, bytes]) -> None:
    if logged != expected:
        raise TransparencyLogError(
            f"log entry verifier differs: bundle has {expected[0]} "
            f"sha256:{_sha256(expected[1]).hex()[:16]}, log has {logged[0]} "
            f"sha256:{_sha256(logged[1]).hex()[:16]}"
        )


def _same_signatures(
    logged: list[tuple[bytes, tuple[str, bytes]]], envelope: DsseEnvelope, exp: _Expected
) -> None:
    logged_sigs = sorted(sig for sig, _ in logged)
    envelope_sigs = sorted(sig.sig for sig in envelope.signatures)
    _same("DSSE signatures", logged_sigs, envelope_sigs, lambda s: f"[{', '.join(map(_short, s))}]")
    if exp.signature not in logged_sigs:
        raise TransparencyLogError(f"signature {_short(exp.signature)} is not in the envelope")
    for sig, verifier in logged:
        if sig == exp.signature:
            _same_verifier(verifier, exp.verifier)


def _sha256(value: bytes) -> bytes:
    return hashlib.sha256(value).digest()


def _hex_text(value: bytes) -> str:
    return value.hex()


def _short(value: bytes) -> str:
    text = base64.b64encode(value).decode()
    return text if len(text) <= 24 else f"{text[:24]}..."


def _spki(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _pem_verifier(pem: bytes) -> tuple[str, bytes]:
    """A v1 body's base64 PEM: a certificate (DER) or a public key (SPKI DER)."""
    try:
        if b"-----BEGIN CERTIFICATE-----" in pem:
            certificate = x509.load_pem_x509_certificate(pem)
            return ("certificate", certificate.public_bytes(Encoding.DER))
        return ("public key", _spki(load_pem_public_key(pem)))
    except CERTIFICATE_ERRORS as exc:  # also a mangled key: ValueError, UnsupportedAlgorithm
        raise TransparencyLogError(
            "logged verifier is neither a PEM certificate nor a PEM public key"
        ) from exc


def _v2_verifier(verifier: Any) -> tuple[str, bytes]:
    """A v2 body's verifier: ``x509Certificate`` or ``publicKey`` raw DER bytes."""
    try:
        if isinstance(verifier, dict) and "x509Certificate" in verifier:
            der = _b64(verifier, "x509Certificate.rawBytes")
            return ("certificate", x509.load_der_x509_certificate(der).public_bytes(Encoding.DER))
        return ("public key", _spki(load_der_public_key(_b64(verifier, "publicKey.rawBytes"))))
    except CERTIFICATE_ERRORS as exc:  # also a mangled key: ValueError, UnsupportedAlgorithm
        raise TransparencyLogError(
            "logged verifier is neither a DER certificate nor a DER public key"
        ) from exc


# --- defensive body readers -------------------------------------------------------


def _field(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise TransparencyLogError(f"log entry body has no {path}")
        value = value[part]
    return value


def _text(obj: Any, path: str) -> str:
    value = _field(obj, path)
    if not isinstance(value, str):
        raise TransparencyLogError(f"log entry body: {path} is not a string")
    return value


def _items(obj: Any, path: str) -> list[Any]:
    value = _field(obj, path)
    if not isinstance(value, list) or not value:
        raise TransparencyLogError(f"log entry body: {path} is not a non-empty list")
    return value


def _b64(obj: Any, path: str) -> bytes:
    return _b64_text(_text(obj, path).encode(), path)


def _b64_text(value: bytes, path: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TransparencyLogError(f"log entry body: {path} is not base64") from exc


def _hex(obj: Any, path: str) -> bytes:
    text = _text(obj, path)
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise TransparencyLogError(f"log entry body: {path} {text!r} is not hex") from exc
