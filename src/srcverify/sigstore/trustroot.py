"""The Sigstore trusted root (``trusted_root.json``) as a small frozen model.

Parses the protobuf-specs ``TrustedRoot`` JSON into transparency-log keys,
CT-log keys, Fulcio certificate authorities and timestamp authorities, each
with its closed validity window, and answers "which of these was valid at
time t". Everything is validated on construction: a :class:`TrustedRoot`
that exists has decodable keys and certificates.

This module does not authenticate the file (that is :mod:`srcverify.pin.load`)
and performs no verification of signatures made with these keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)

from srcverify._frozen import frozen
from srcverify.errors import TrustRootError
from srcverify.sigstore import json_text
from srcverify.sigstore.certificate import load_der_certificate

__all__ = [
    "TRUSTED_ROOT_MEDIA_TYPE",
    "CertificateAuthority",
    "LogKey",
    "TrustedRoot",
    "ValidityWindow",
    "describe_windows",
    "parse_rfc3339",
    "valid_at",
]

TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"


def parse_rfc3339(text: object, *, what: str) -> datetime:
    """Parse an RFC 3339 timestamp as protobuf JSON writes it, in UTC.

    Raises:
        TrustRootError: the value is not a string or not a timestamp.
    """
    if not isinstance(text, str):
        raise TrustRootError(f"{what}: expected an RFC 3339 timestamp, found {text!r}")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise TrustRootError(f"{what}: {text!r} is not an RFC 3339 timestamp") from exc
    if parsed.tzinfo is None:
        raise TrustRootError(f"{what}: {text!r} has no time zone")
    return parsed.astimezone(UTC)


@frozen
class ValidityWindow:
    """A closed interval ``[start, end]``; ``end`` None means still valid."""

    start: datetime
    end: datetime | None

    def contains(self, when: datetime) -> bool:
        """Whether ``when`` lies in the window, both ends inclusive."""
        if when < self.start:
            return False
        return self.end is None or when <= self.end

    def describe(self) -> str:
        """The window as ``start .. end`` for messages."""
        end = self.end.isoformat() if self.end else "open"
        return f"{self.start.isoformat()} .. {end}"

    @classmethod
    def from_json(cls, value: object, *, what: str) -> ValidityWindow:
        """Parse a protobuf ``TimeRange``; a missing start is an error."""
        obj = _mapping(value, what)
        start = parse_rfc3339(obj.get("start"), what=f"{what}.start")
        raw_end = obj.get("end")
        end = None if raw_end is None else parse_rfc3339(raw_end, what=f"{what}.end")
        if end is not None and end < start:
            raise TrustRootError(
                f"{what}: end {end.isoformat()} is before start {start.isoformat()}"
            )
        return cls(start, end)


@frozen
class LogKey:
    """A transparency log or CT log: its id, public key and validity window."""

    base_url: str
    log_id: bytes
    public_key: PublicKeyTypes
    key_details: str
    validity: ValidityWindow

    @property
    def spki_sha256(self) -> bytes:
        """SHA-256 of the DER SubjectPublicKeyInfo (the RFC 6962 log id)."""
        der = self.public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return hashlib.sha256(der).digest()


@frozen
class CertificateAuthority:
    """A Fulcio CA or a timestamp authority: a chain and its validity window.

    ``certificates`` is ordered as in ``trusted_root.json``: the issuing
    (leaf-most) certificate first, the self-signed root last.
    """

    uri: str
    subject: str
    certificates: tuple[x509.Certificate, ...]
    validity: ValidityWindow


@frozen
class TrustedRoot:
    """Every key and authority a Sigstore verification may rely on."""

    tlogs: tuple[LogKey, ...]
    ctlogs: tuple[LogKey, ...]
    certificate_authorities: tuple[CertificateAuthority, ...]
    timestamp_authorities: tuple[CertificateAuthority, ...]

    @classmethod
    def from_json(cls, data: bytes) -> TrustedRoot:
        """Parse ``trusted_root.json`` bytes.

        Raises:
            TrustRootError: not JSON, wrong media type, or an undecodable
                key, certificate or time.
        """
        try:
            doc = json_text.camel_case_fields(json_text.loads(data))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise TrustRootError(f"trusted_root.json is not valid JSON: {exc}") from exc
        root = _mapping(doc, "trusted_root.json")
        media_type = root.get("mediaType")
        if media_type != TRUSTED_ROOT_MEDIA_TYPE:
            raise TrustRootError(
                f"unsupported trusted root media type: expected {TRUSTED_ROOT_MEDIA_TYPE}, "
                f"found {media_type!r}"
            )
        return cls(
            tlogs=tuple(_log_key(v, f"tlogs[{i}]") for i, v in enumerate(_list(root, "tlogs"))),
            ctlogs=tuple(_log_key(v, f"ctlogs[{i}]") for i, v in enumerate(_list(root, "ctlogs"))),
            certificate_authorities=tuple(
                _authority(v, f"certificateAuthorities[{i}]")
                for i, v in enumerate(_list(root, "certificateAuthorities"))
            ),
            timestamp_authorities=tuple(
                _authority(v, f"timestampAuthorities[{i}]")
                for i, v in enumerate(_list(root, "timestampAuthorities"))
            ),
        )

    def tlogs_with_id(self, log_id: bytes) -> tuple[LogKey, ...]:
        """Every transparency log entry with this log id, in the root's order.

        A root may list one log more than once (the same key with two
        validity windows, or under two base URLs): callers judge a time by
        the entry whose window covers it (:func:`valid_at`).
        """
        return tuple(log for log in self.tlogs if log.log_id == log_id)

    def ctlogs_with_id(self, log_id: bytes) -> tuple[LogKey, ...]:
        """Every CT log entry with this log id, in the root's order."""
        return tuple(log for log in self.ctlogs if log.log_id == log_id)


def valid_at(logs: tuple[LogKey, ...], times: list[datetime]) -> LogKey | None:
    """The first of ``logs`` whose validity window covers every one of ``times``."""
    return next((log for log in logs if all(log.validity.contains(t) for t in times)), None)


def describe_windows(logs: tuple[LogKey, ...]) -> str:
    """The validity windows of ``logs`` for messages: ``a .. b; c .. open``."""
    return "; ".join(log.validity.describe() for log in logs)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TrustRootError(f"{what}: expected a JSON object, found {type(value).__name__}")
    return value


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if not isinstance(value, list):
        raise TrustRootError(f"{key}: expected a JSON array, found {type(value).__name__}")
    return value


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise TrustRootError(f"{what}: expected base64 text, found {value!r}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TrustRootError(f"{what}: not valid base64") from exc


def _log_key(value: object, what: str) -> LogKey:
    obj = _mapping(value, what)
    key = _mapping(obj.get("publicKey"), f"{what}.publicKey")
    try:
        public_key = load_der_public_key(_b64(key.get("rawBytes"), f"{what}.publicKey.rawBytes"))
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise TrustRootError(f"{what}.publicKey: not a DER public key ({exc})") from exc
    log_id = _b64(_mapping(obj.get("logId"), f"{what}.logId").get("keyId"), f"{what}.logId.keyId")
    return LogKey(
        base_url=str(obj.get("baseUrl", "")),
        log_id=log_id,
        public_key=public_key,
        key_details=str(key.get("keyDetails", "")),
        validity=ValidityWindow.from_json(key.get("validFor"), what=f"{what}.publicKey.validFor"),
    )


def _authority(value: object, what: str) -> CertificateAuthority:
    obj = _mapping(value, what)
    chain = _mapping(obj.get("certChain"), f"{what}.certChain")
    certificates = []
    for i, entry in enumerate(_list(chain, "certificates")):
        raw = _b64(_mapping(entry, what).get("rawBytes"), f"{what}.certChain.certificates[{i}]")
        try:
            certificates.append(load_der_certificate(raw))
        except ValueError as exc:
            raise TrustRootError(
                f"{what}.certChain.certificates[{i}]: not a DER certificate"
            ) from exc
    if not certificates:
        raise TrustRootError(f"{what}.certChain: no certificates")
    subject = obj.get("subject", {})
    subject_text = (
        ", ".join(f"{k}={v}" for k, v in subject.items()) if isinstance(subject, dict) else ""
    )
    return CertificateAuthority(
        uri=str(obj.get("uri", "")),
        subject=subject_text,
        certificates=tuple(certificates),
        validity=ValidityWindow.from_json(obj.get("validFor"), what=f"{what}.validFor"),
    )
