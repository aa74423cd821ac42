"""The plain data of the test Sigstore: signing options and signed bundles.

:class:`SignOptions` says what one bundle should look like (shape, and the
tampering knobs that give exactly one defect); :class:`SignedBundle` is the
bundle dict plus the raw pieces behind it. Also the fixed times and media
types the instance uses, and the DSSE pre-authentication encoding.

It signs nothing and verifies nothing: :mod:`tests.support.instance` builds
these.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .rekor import LoggedEntry

__all__ = [
    "DEFAULT_IDENTITY",
    "DEFAULT_ISSUER",
    "GITHUB_ISSUER",
    "INTOTO_PAYLOAD_TYPE",
    "MANAGED_KEY_TYPES",
    "MEDIA_TYPES",
    "NOW",
    "SIGNED_AT",
    "TRUST_START",
    "SignOptions",
    "SignedBundle",
    "SigningKey",
    "Validity",
    "pae",
]

#: When leaves are issued by default (cert notBefore).
SIGNED_AT = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
#: The fixed "current time" for verification in tests (``TestInstance.now``).
NOW = datetime(2025, 6, 2, 0, 0, 0, tzinfo=UTC)
#: Start of every validFor window in the default trusted root.
TRUST_START = datetime(2024, 1, 1, tzinfo=UTC)

DEFAULT_IDENTITY = "release-manager@srcverify.test"
DEFAULT_ISSUER = "https://accounts.srcverify.test"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

MEDIA_TYPES = {
    "v0.1": "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "v0.2": "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "v0.3": "application/vnd.dev.sigstore.bundle.v0.3+json",
    "v0.3-legacy": "application/vnd.dev.sigstore.bundle+json;version=0.3",
}
INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"

Validity = tuple[datetime, datetime | None]

#: A private key the instance signs with: ECDSA for Fulcio leaves, any of these for managed keys.
SigningKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey

#: The managed key types :class:`SignOptions` accepts (``managed_key_type``).
MANAGED_KEY_TYPES = ("P-256", "Ed25519", "RSA")

#: The ``chain`` shapes :class:`SignOptions` accepts.
CHAINS = ("leaf", "leaf+intermediate", "full", "full+rogue-root", "root-before-intermediate")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


@dataclass(frozen=True)
class SignOptions:
    """Everything that decides one bundle. ``TestInstance.sign_artifact`` takes these as kwargs.

    Shape:
        identity / issuer: SAN and OIDC issuer of the Fulcio leaf.
        claims: Fulcio claim extensions by name (``pki.github_claims`` builds a set).
        san_type: ``"auto"`` (URI if it has ``://``, else email), ``"email"``, ``"uri"``,
            ``"othername"``.
        media_type: ``"v0.1"``, ``"v0.2"``, ``"v0.3"``, ``"v0.3-legacy"`` or a full media type.
        log: ``"v1"`` or ``"v2"``.
        dsse: sign an in-toto statement whose subject is the artifact's sha256.
        dsse_entry: tlog kind for DSSE: ``"auto"`` (v1 ``dsse``, v2 ``hashedrekord``),
            ``"dsse"``, ``"intoto"`` (v1) or ``"hashedrekord"`` (v2).
        artifact_name: subject name in the statement.
        curve: the signing key's curve, ``"P-256"``, ``"P-384"`` or ``"P-521"``; message
            signatures then sign the SHA-256, SHA-384 or SHA-512 digest (``SHA2_*``).
            ``"Ed25519"``: an Ed25519 leaf key, whose message signatures sign the artifact
            itself (``messageDigest`` and the log record its SHA-256).
        subject_algorithms: the digests the statement's subject carries (``"sha256"``,
            ``"sha512"`` ..., even ``"sha1"`` for weak-digest tests).
        extra_subjects: ``(name, content)`` of further subjects after the artifact's.
        statement: the exact in-toto statement bytes to sign (DSSE only) instead of the
            default one-subject SLSA statement (PEP 740 attestations need their own).
        timestamp: add an RFC 3161 timestamp from the test TSA.
        managed_key: sign with the instance's managed key (``publicKey`` hint) instead of Fulcio.
        managed_key_type: which managed key, one of :data:`MANAGED_KEY_TYPES`: ``"P-256"``
            (ECDSA over SHA-256), ``"Ed25519"`` (PureEdDSA over the artifact itself; the log
            and ``messageDigest`` still record its SHA-256) or ``"RSA"`` (PKCS#1 v1.5, SHA-256).
        when: leaf issuance time; the signature follows 1 s later.
        chain: ``x509CertificateChain`` contents for v0.1/v0.2, one of :data:`CHAINS`:
            ``"leaf"``, ``"leaf+intermediate"``, ``"full"`` (the trusted root appended),
            ``"full+rogue-root"`` (an untrusted self-signed root appended instead),
            ``"root-before-intermediate"`` (the trusted root, then the intermediate).
        inclusion_proof / checkpoint / inclusion_promise: which log evidence to include.
        tlog_entry: False leaves ``tlogEntries`` empty (timestamp-only evidence, as GitHub's
            private instance signs; pair it with ``timestamp=True``).

    Tampering (each one introduces exactly one defect, see ``tamper.py``):
        signed_content: sign these bytes instead of the artifact (or the PAE).
        logged_artifact: log a body for this other artifact (signed by the same key).
        statement_digest: subject sha256 written into the in-toto statement.
        integrated_time: Rekor v1 integrated time (default ``when`` + 3 s); SET signed over it.
        timestamp_at: TSA time (default ``when`` + 2 s).
        timestamp_options: extra keyword arguments for ``TestTSA.timestamp`` (its defect
            knobs, e.g. ``{"signed_by": other_tsa}`` or ``{"wrong_imprint": True}``).
        timestamp_authority: a ``TestTSA`` to use instead of the instance's (untrusted TSA).
        ca: ``"fulcio"`` (trusted) or ``"rogue"`` (same names, untrusted keys).
        sct: ``"valid"``, ``"bad"``, ``"none"`` or ``"unknown-log"``.
        sct_extensions: raw CtExtensions bytes inside the SCT.
        eku: leaf extended key usages (``None``: no extension).
        cert_lifetime: leaf validity length.
        signing_key_label: pick a different fixed signing key.
    """

    identity: str = DEFAULT_IDENTITY
    issuer: str = DEFAULT_ISSUER
    claims: Mapping[str, str] | None = None
    san_type: str = "auto"
    media_type: str = "v0.3"
    log: str = "v1"
    dsse: bool = False
    dsse_entry: str = "auto"
    artifact_name: str = "artifact.tar.gz"
    curve: str = "P-256"
    subject_algorithms: tuple[str, ...] = ("sha256",)
    extra_subjects: tuple[tuple[str, bytes], ...] = ()
    statement: bytes | None = None
    timestamp: bool = False
    managed_key: bool = False
    managed_key_type: str = "P-256"
    when: datetime = SIGNED_AT
    chain: str = "leaf"
    inclusion_proof: bool = True
    checkpoint: bool = True
    inclusion_promise: bool = True
    tlog_entry: bool = True
    signed_content: bytes | None = None
    logged_artifact: bytes | None = None
    statement_digest: bytes | None = None
    integrated_time: datetime | None = None
    timestamp_at: datetime | None = None
    timestamp_options: Mapping[str, Any] | None = None
    timestamp_authority: Any | None = None
    ca: str = "fulcio"
    sct: str = "valid"
    sct_extensions: bytes = b""
    eku: tuple[x509.ObjectIdentifier, ...] | None = (ExtendedKeyUsageOID.CODE_SIGNING,)
    cert_lifetime: timedelta = timedelta(minutes=10)
    signing_key_label: str | None = None

    def __post_init__(self) -> None:
        if self.log not in ("v1", "v2"):
            raise ValueError(f"log must be 'v1' or 'v2', not {self.log!r}")
        if self.when.tzinfo is None:
            raise ValueError("when must be timezone-aware")
        if self.chain not in CHAINS:
            raise ValueError(f"unknown chain {self.chain!r}")
        if self.managed_key_type not in MANAGED_KEY_TYPES:
            raise ValueError(f"unknown managed_key_type {self.managed_key_type!r}")

    @property
    def media_type_string(self) -> str:
        return MEDIA_TYPES.get(self.media_type, self.media_type)

    @property
    def bundle_version(self) -> str:
        """``"0.1"``, ``"0.2"`` or ``"0.3"``."""
        mt = self.media_type_string
        return "0.3" if "v0.3" in mt else mt.rsplit("=", 1)[-1]


@dataclass(frozen=True)
class SignedBundle:
    """A bundle dict and the raw pieces behind it (for assertions and tampering)."""

    bundle: dict[str, Any]
    artifact: bytes
    options: SignOptions
    trusted_root: dict[str, Any]
    signing_key: SigningKey
    signature: bytes
    entry: LoggedEntry
    certificate: x509.Certificate | None = None
    payload: bytes | None = None
    envelope: dict[str, Any] | None = None
    timestamp_response: bytes | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def digest(self) -> bytes:
        """SHA-256 of ``artifact``."""
        return hashlib.sha256(self.artifact).digest()

    @property
    def digest_ref(self) -> str:
        """``sha256:<hex>`` form of ``digest`` as the CLI takes it."""
        return "sha256:" + self.digest.hex()

    @property
    def identity(self) -> str:
        return self.options.identity

    @property
    def issuer(self) -> str:
        return self.options.issuer

    @property
    def public_key_pem(self) -> bytes:
        """PEM SubjectPublicKeyInfo of the signing key (``key.pub`` for managed keys)."""
        return self.signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def tlog_entry(self) -> dict[str, Any]:
        """The (only) ``tlogEntries`` item of the bundle dict."""
        entry: dict[str, Any] = self.bundle["verificationMaterial"]["tlogEntries"][0]
        return entry

    def to_json(self) -> str:
        return json.dumps(self.bundle, indent=2)

    def trusted_root_json(self) -> str:
        return json.dumps(self.trusted_root, indent=2)

    def with_bundle(self, bundle: dict[str, Any], note: str = "") -> SignedBundle:
        """Same pieces, other bundle dict (used by dict-level tampering)."""
        return replace(self, bundle=bundle, notes=(*self.notes, note) if note else self.notes)

    def copy_bundle(self) -> dict[str, Any]:
        """A deep copy of the bundle dict, safe to edit."""
        return copy.deepcopy(self.bundle)

    def write(self, directory: Path, name: str = "artifact.tar.gz") -> dict[str, Path]:
        """Write artifact, ``<name>.sigstore.json``, ``trusted_root.json`` and ``key.pub``."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "artifact": directory / name,
            "bundle": directory / f"{name}.sigstore.json",
            "trusted_root": directory / "trusted_root.json",
            "key": directory / "key.pub",
        }
        paths["artifact"].write_bytes(self.artifact)
        paths["bundle"].write_text(self.to_json())
        paths["trusted_root"].write_text(self.trusted_root_json())
        paths["key"].write_bytes(self.public_key_pem)
        return paths
