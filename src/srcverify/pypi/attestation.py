"""PEP 740 attestation and provenance objects: strict parsing, and rebuilding as bundles.

An *attestation object* (PyPA "index hosted attestations" specification) is
``{"version": 1, "verification_material": {"certificate", "transparency_entries",
"timestamps"?}, "envelope": {"statement", "signature"}}``; a *provenance
object*, what PyPI's Integrity API serves for a file, is ``{"version": 1,
"attestation_bundles": [{"publisher": {...}, "attestations": [...]}]}``.

Parsing fails closed with :class:`~srcverify.errors.BundleFormatError`
naming the JSON path: a version other than the integer 1, a provenance with
no attestation bundle, a bundle with no attestation, an attestation with no
transparency entry, bad base64, wrong types. The specification lets
attestation objects and their verification material carry extra keys (for
other sources of signed time); those are accepted, ignored and listed in
``ignored_keys`` so receipts can show them. The ``publisher`` object is kept
as served, unjudged: it is unsigned and never policy.

:meth:`Attestation.to_bundle` rebuilds an attestation as the Sigstore
bundle (v0.3) it stands for: the leaf certificate, a DSSE envelope with the
in-toto payload type, every transparency entry, and the RFC 3161 timestamps.
It does no cryptography; :mod:`srcverify.pypi.verify` verifies.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from srcverify._frozen import frozen
from srcverify.errors import BundleFormatError
from srcverify.sigstore.bundle import Bundle
from srcverify.sigstore.dsse import IN_TOTO_PAYLOAD_TYPE

__all__ = [
    "ATTESTATION",
    "BUNDLE",
    "PROVENANCE",
    "Attestation",
    "AttestationBundle",
    "Provenance",
    "detect_evidence_kind",
    "parse_attestation",
    "parse_provenance",
]

BUNDLE = "sigstore-bundle"
ATTESTATION = "pep740-attestation"
PROVENANCE = "pypi-provenance"

_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"


@frozen
class Attestation:
    """One PEP 740 attestation object, as parsed (nothing verified)."""

    certificate: bytes
    transparency_entries: tuple[Mapping[str, Any], ...]
    timestamps: tuple[bytes, ...]
    statement: bytes
    signature: bytes
    path: str
    ignored_keys: tuple[str, ...] = ()

    def to_bundle(self) -> Bundle:
        """The Sigstore bundle this attestation stands for.

        Raises:
            BundleFormatError: a transparency entry or the certificate is
                malformed (the message names the attestation's JSON path).
        """
        material: dict[str, Any] = {
            "certificate": {"rawBytes": _b64(self.certificate)},
            "tlogEntries": list(self.transparency_entries),
        }
        if self.timestamps:
            material["timestampVerificationData"] = {
                "rfc3161Timestamps": [{"signedTimestamp": _b64(t)} for t in self.timestamps]
            }
        document = {
            "mediaType": _V03,
            "verificationMaterial": material,
            "dsseEnvelope": {
                "payload": _b64(self.statement),
                "payloadType": IN_TOTO_PAYLOAD_TYPE,
                "signatures": [{"sig": _b64(self.signature)}],
            },
        }
        try:
            return Bundle.from_json(json.dumps(document).encode())
        except BundleFormatError as exc:
            raise BundleFormatError(_translate(exc.detail, self.path), step="attestation") from exc


@frozen
class AttestationBundle:
    """The attestations one publisher produced, and the publisher object as served."""

    publisher: Mapping[str, Any]
    attestations: tuple[Attestation, ...]


@frozen
class Provenance:
    """A provenance object: one or more attestation bundles."""

    bundles: tuple[AttestationBundle, ...]

    @property
    def attestations(self) -> tuple[Attestation, ...]:
        """Every attestation of every bundle, in order."""
        return tuple(a for bundle in self.bundles for a in bundle.attestations)


def detect_evidence_kind(document: object) -> str | None:
    """Which evidence a parsed JSON document is, by its top-level keys.

    Returns :data:`BUNDLE`, :data:`ATTESTATION`, :data:`PROVENANCE`, or
    None when it looks like none of them.
    """
    if not isinstance(document, dict):
        return None
    if "mediaType" in document:
        return BUNDLE
    if "attestation_bundles" in document:
        return PROVENANCE
    if "envelope" in document or "verification_material" in document:
        return ATTESTATION
    return None


def parse_attestation(document: object, path: str = "attestation") -> Attestation:
    """Parse one attestation object (already decoded from JSON).

    Raises:
        BundleFormatError: the object is malformed; the message names ``path``.
    """
    obj = _object(document, path)
    ignored = sorted(set(obj) - {"version", "verification_material", "envelope"})
    _version(obj, path)
    mpath = f"{path}.verification_material"
    material = _object(_required(obj, "verification_material", path), mpath)
    ignored += [
        f"verification_material.{k}"
        for k in sorted(set(material) - {"certificate", "transparency_entries", "timestamps"})
    ]
    entries = _list(
        _required(material, "transparency_entries", mpath), f"{mpath}.transparency_entries"
    )
    if not entries:
        raise _error(f"{mpath}.transparency_entries: empty; an attestation needs a log entry")
    for index, entry in enumerate(entries):
        _object(entry, f"{mpath}.transparency_entries[{index}]")
    raw_timestamps = material.get("timestamps")
    timestamps: list[bytes] = []
    if raw_timestamps is not None:
        for index, item in enumerate(_list(raw_timestamps, f"{mpath}.timestamps")):
            timestamps.append(_unb64(item, f"{mpath}.timestamps[{index}]"))
    epath = f"{path}.envelope"
    envelope = _object(_required(obj, "envelope", path), epath)
    unknown = sorted(set(envelope) - {"statement", "signature"})
    if unknown:
        raise _error(f"{epath}: unknown field {unknown[0]!r}")
    return Attestation(
        certificate=_unb64(_required(material, "certificate", mpath), f"{mpath}.certificate"),
        transparency_entries=tuple(entries),
        timestamps=tuple(timestamps),
        statement=_unb64(_required(envelope, "statement", epath), f"{epath}.statement"),
        signature=_unb64(_required(envelope, "signature", epath), f"{epath}.signature"),
        path=path,
        ignored_keys=tuple(ignored),
    )


def parse_provenance(document: object) -> Provenance:
    """Parse a provenance object (already decoded from JSON).

    Raises:
        BundleFormatError: malformed, or no attestation bundle, or a bundle
            with no attestation.
    """
    path = "provenance"
    obj = _object(document, path)
    unknown = sorted(set(obj) - {"version", "attestation_bundles"})
    if unknown:
        raise _error(f"{path}: unknown field {unknown[0]!r}", "provenance")
    _version(obj, path)
    items = _list(_required(obj, "attestation_bundles", path), f"{path}.attestation_bundles")
    if not items:
        raise _error(
            f"{path}.attestation_bundles: empty; the provenance attests nothing", "provenance"
        )
    bundles = []
    for index, item in enumerate(items):
        bpath = f"{path}.attestation_bundles[{index}]"
        bundle = _object(item, bpath)
        unknown = sorted(set(bundle) - {"publisher", "attestations"})
        if unknown:
            raise _error(f"{bpath}: unknown field {unknown[0]!r}", "provenance")
        publisher = _object(_required(bundle, "publisher", bpath), f"{bpath}.publisher")
        raw = _list(_required(bundle, "attestations", bpath), f"{bpath}.attestations")
        if not raw:
            raise _error(
                f"{bpath}.attestations: empty; this bundle has no attestation", "provenance"
            )
        attestations = tuple(
            parse_attestation(a, f"{bpath}.attestations[{i}]") for i, a in enumerate(raw)
        )
        bundles.append(AttestationBundle(dict(publisher), attestations))
    return Provenance(tuple(bundles))


# --- field readers ------------------------------------------------------------


def _error(message: str, step: str = "attestation") -> BundleFormatError:
    return BundleFormatError(message, step=step)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _error(f"{path}: expected a JSON object, found {_kind(value)}")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _error(f"{path}: expected a JSON array, found {_kind(value)}")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if obj.get(key) is None:
        raise _error(f"{path}.{key}: missing")
    return obj[key]


def _version(obj: Mapping[str, Any], path: str) -> None:
    version = obj.get("version")
    if isinstance(version, bool) or version != 1 or not isinstance(version, int):
        raise _error(f"{path}.version: expected the integer 1, found {json.dumps(version)}")


def _unb64(value: object, path: str) -> bytes:
    if not isinstance(value, str):
        raise _error(f"{path}: expected a base64 string, found {_kind(value)}")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _error(f"{path}: not valid base64") from exc


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _translate(detail: str, path: str) -> str:
    """Name the attestation's own fields in a message about its rebuilt bundle."""
    material = f"{path}.verification_material"
    for theirs, ours in (
        ("bundle.verificationMaterial.tlogEntries", f"{material}.transparency_entries"),
        ("bundle.verificationMaterial.certificate.rawBytes", f"{material}.certificate"),
        ("bundle.verificationMaterial.timestampVerificationData", f"{material}.timestamps"),
        ("bundle.verificationMaterial", material),
    ):
        detail = detail.replace(theirs, ours)
    return detail
