"""A fake Fulcio: root and intermediate CA, CT log, and short-lived leaf certificates.

Builds the X.509 side of the test Sigstore instance with fixed keys, serials
and validity: a P-384 root and intermediate (like the public-good Fulcio),
an ECDSA P-256 CT log that issues embedded precertificate SCTs (RFC 6962
section 3.2 over the TBS without the SCT extension), and 10-minute leaf
certificates carrying the Fulcio OIDC-issuer and GitHub-workflow
extensions.

Knobs let a caller issue deliberately wrong leaves (bad SCT, SCT from an
unknown log, no SCT, other EKU). It does not know about logs or bundles.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .der_encode import octet_string, utf8_string
from .keys import (
    ECDSA_SHA256,
    p384_key,
    sign_certificate,
    spki_der,
    spki_sha256,
)

__all__ = [
    "CLAIM_OIDS",
    "LEGACY_CLAIM_OIDS",
    "CTLog",
    "CertificateAuthority",
    "github_claims",
    "issue_leaf",
    "make_ca",
]

FULCIO = "1.3.6.1.4.1.57264.1"
OID_ISSUER_V1 = x509.ObjectIdentifier(f"{FULCIO}.1")
OID_ISSUER_V2 = x509.ObjectIdentifier(f"{FULCIO}.8")
OID_OTHERNAME_SAN = x509.ObjectIdentifier(f"{FULCIO}.7")
OID_SCT_LIST = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")

#: Deprecated GitHub extensions: the raw claim bytes are the extension value.
LEGACY_CLAIM_OIDS: dict[str, str] = {
    "github_workflow_trigger": f"{FULCIO}.2",
    "github_workflow_sha": f"{FULCIO}.3",
    "github_workflow_name": f"{FULCIO}.4",
    "github_workflow_repository": f"{FULCIO}.5",
    "github_workflow_ref": f"{FULCIO}.6",
}

#: Current Fulcio extensions: the value is a DER UTF8String.
CLAIM_OIDS: dict[str, str] = {
    "build_signer_uri": f"{FULCIO}.9",
    "build_signer_digest": f"{FULCIO}.10",
    "runner_environment": f"{FULCIO}.11",
    "source_repository_uri": f"{FULCIO}.12",
    "source_repository_digest": f"{FULCIO}.13",
    "source_repository_ref": f"{FULCIO}.14",
    "source_repository_identifier": f"{FULCIO}.15",
    "source_repository_owner_uri": f"{FULCIO}.16",
    "source_repository_owner_identifier": f"{FULCIO}.17",
    "build_config_uri": f"{FULCIO}.18",
    "build_config_digest": f"{FULCIO}.19",
    "build_trigger": f"{FULCIO}.20",
    "run_invocation_uri": f"{FULCIO}.21",
    "source_repository_visibility_at_signing": f"{FULCIO}.22",
    "deployment_environment": f"{FULCIO}.23",
}

CA_NOT_BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2034, 1, 1, tzinfo=UTC)
LEAF_LIFETIME = timedelta(minutes=10)


def github_claims(
    repository: str = "python/cpython",
    workflow: str = ".github/workflows/release.yml",
    ref: str = "refs/tags/v3.14.0",
    sha: str = "0123456789abcdef0123456789abcdef01234567",
    trigger: str = "push",
    *,
    repository_id: str = "81598961",
    owner_id: str = "1525981",
    run_id: str = "1000",
    visibility: str = "public",
    runner: str = "github-hosted",
) -> tuple[str, dict[str, str]]:
    """The SAN URI and the claim extensions of a GitHub Actions workflow identity.

    Returns ``(identity, claims)``: pass both to ``TestInstance.sign_artifact``
    (``identity=...``, ``claims=...``) with issuer
    ``https://token.actions.githubusercontent.com``.
    """
    owner = repository.split("/")[0]
    workflow_uri = f"https://github.com/{repository}/{workflow}@{ref}"
    claims = {
        "github_workflow_trigger": trigger,
        "github_workflow_sha": sha,
        "github_workflow_name": workflow.rsplit("/", 1)[-1],
        "github_workflow_repository": repository,
        "github_workflow_ref": ref,
        "build_signer_uri": workflow_uri,
        "build_signer_digest": sha,
        "runner_environment": runner,
        "source_repository_uri": f"https://github.com/{repository}",
        "source_repository_digest": sha,
        "source_repository_ref": ref,
        "source_repository_identifier": repository_id,
        "source_repository_owner_uri": f"https://github.com/{owner}",
        "source_repository_owner_identifier": owner_id,
        "build_config_uri": workflow_uri,
        "build_config_digest": sha,
        "build_trigger": trigger,
        "run_invocation_uri": f"https://github.com/{repository}/actions/runs/{run_id}/attempts/1",
        "source_repository_visibility_at_signing": visibility,
    }
    return workflow_uri, claims


def _serial(label: str) -> int:
    """A fixed positive serial of at most 20 octets."""
    return int.from_bytes(hashlib.sha256(label.encode()).digest()[:19], "big") | 1


def _ski(key: ec.EllipticCurvePublicKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(key)


def _aki(key: ec.EllipticCurvePublicKey) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(_ski(key))


_CA_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)
_LEAF_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class CertificateAuthority:
    """A Fulcio-like two-level CA: self-signed root and one intermediate."""

    name: str
    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediate then root: the order of trusted_root.json ``certChain``."""
        return [self.intermediate, self.root]


def make_ca(
    label: str,
    *,
    organization: str = "srcverify-test",
    not_before: datetime = CA_NOT_BEFORE,
    not_after: datetime = CA_NOT_AFTER,
    intermediate_not_before: datetime | None = None,
    intermediate_not_after: datetime | None = None,
) -> CertificateAuthority:
    """Build a fixed root + intermediate CA; ``label`` selects the keys."""
    root_key = p384_key(f"{label}/root")
    inter_key = p384_key(f"{label}/intermediate")
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, "sigstore"),
        ]
    )
    inter_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, "sigstore-intermediate"),
        ]
    )
    root_builder = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(_serial(f"{label}/root"))
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ski(root_key.public_key()), critical=False)
        .add_extension(_aki(root_key.public_key()), critical=False)
    )
    root = sign_certificate(root_builder, root_key, hashes.SHA384())
    inter_builder = (
        x509.CertificateBuilder()
        .subject_name(inter_name)
        .issuer_name(root_name)
        .public_key(inter_key.public_key())
        .serial_number(_serial(f"{label}/intermediate"))
        .not_valid_before(intermediate_not_before or not_before)
        .not_valid_after(intermediate_not_after or not_after)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ski(inter_key.public_key()), critical=False)
        .add_extension(_aki(root_key.public_key()), critical=False)
    )
    intermediate = sign_certificate(inter_builder, root_key, hashes.SHA384())
    return CertificateAuthority(label, root_key, root, inter_key, intermediate)


@dataclass(frozen=True)
class CTLog:
    """A certificate transparency log that only signs SCTs (no tree)."""

    key: ec.EllipticCurvePrivateKey

    @property
    def log_id(self) -> bytes:
        """RFC 6962 LogID: SHA-256 of the DER SubjectPublicKeyInfo."""
        return spki_sha256(self.key.public_key())

    def signed_data(
        self, tbs: bytes, issuer_key_hash: bytes, timestamp_ms: int, extensions: bytes = b""
    ) -> bytes:
        """The RFC 6962 ``digitally-signed`` input for a precert_entry SCT."""
        return (
            struct.pack(">BBQH", 0, 0, timestamp_ms, 1)
            + issuer_key_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + struct.pack(">H", len(extensions))
            + extensions
        )

    def sct(
        self,
        tbs: bytes,
        issuer_key_hash: bytes,
        timestamp_ms: int,
        *,
        extensions: bytes = b"",
        signed_over: bytes | None = None,
    ) -> bytes:
        """One serialized v1 SCT; ``signed_over`` replaces the signed input (to break it)."""
        data = signed_over or self.signed_data(tbs, issuer_key_hash, timestamp_ms, extensions)
        sig = self.key.sign(data, ECDSA_SHA256)
        return (
            b"\x00"
            + self.log_id
            + struct.pack(">QH", timestamp_ms, len(extensions))
            + extensions
            + bytes([4, 3])  # sha256, ecdsa
            + struct.pack(">H", len(sig))
            + sig
        )


def _san(identity: str, san_type: str) -> x509.GeneralName:
    if san_type == "email":
        return x509.RFC822Name(identity)
    if san_type == "uri":
        return x509.UniformResourceIdentifier(identity)
    if san_type == "othername":
        return x509.OtherName(OID_OTHERNAME_SAN, utf8_string(identity))
    raise ValueError(f"unknown SAN type {san_type!r}")


def issue_leaf(
    ca: CertificateAuthority,
    public_key: ec.EllipticCurvePublicKey,
    *,
    identity: str,
    issuer: str,
    not_before: datetime,
    ct_log: CTLog | None,
    san_type: str = "auto",
    claims: Mapping[str, str] | None = None,
    lifetime: timedelta = LEAF_LIFETIME,
    eku: Sequence[x509.ObjectIdentifier] | None = (ExtendedKeyUsageOID.CODE_SIGNING,),
    sct_mode: str = "valid",
    sct_extensions: bytes = b"",
    sct_time: datetime | None = None,
    issuer_v1_extension: bool = True,
    issuer_v2_extension: bool = True,
) -> x509.Certificate:
    """Issue a Fulcio-style leaf with an embedded precertificate SCT.

    Args:
        ca: The issuing CA (the intermediate signs).
        public_key: The ephemeral signing key's public half.
        identity: SAN value (email address, URI or OtherName username).
        issuer: OIDC issuer written to 1.3.6.1.4.1.57264.1.1 (raw) and .1.8 (UTF8String).
        not_before: Issuance time; the leaf is valid for ``lifetime`` (10 minutes).
        ct_log: Log that signs the SCT (``None`` only with ``sct_mode="none"``).
        san_type: ``"email"``, ``"uri"``, ``"othername"`` or ``"auto"`` (URI if it has ``://``).
        claims: Extra claim extensions by name (see ``CLAIM_OIDS``/``LEGACY_CLAIM_OIDS``).
        lifetime: Validity length.
        eku: Extended key usages; ``None`` leaves the extension out.
        sct_mode: ``"valid"``, ``"bad"`` (signature over other data) or ``"none"``.
        sct_extensions: Raw CtExtensions bytes inside the SCT.
        sct_time: SCT timestamp (defaults to ``not_before``).
        issuer_v1_extension: Include the deprecated raw issuer extension.
        issuer_v2_extension: Include the DER UTF8String issuer extension.
    """
    if san_type == "auto":
        san_type = "uri" if "://" in identity else "email"
    label = f"{ca.name}/{identity}/{not_before.isoformat()}/{spki_der(public_key).hex()}"
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca.intermediate.subject)
        .public_key(public_key)
        .serial_number(_serial(label))
        .not_valid_before(not_before)
        .not_valid_after(not_before + lifetime)
        .add_extension(_LEAF_USAGE, critical=True)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    builder = (
        builder.add_extension(_ski(public_key), critical=False)
        .add_extension(_aki(ca.intermediate_key.public_key()), critical=False)
        .add_extension(x509.SubjectAlternativeName([_san(identity, san_type)]), critical=True)
    )
    if issuer_v1_extension:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(OID_ISSUER_V1, issuer.encode()), critical=False
        )
    for name, value in (claims or {}).items():
        if name in LEGACY_CLAIM_OIDS:
            oid, raw = LEGACY_CLAIM_OIDS[name], value.encode()
        elif name in CLAIM_OIDS:
            oid, raw = CLAIM_OIDS[name], utf8_string(value)
        else:
            raise ValueError(f"unknown Fulcio claim {name!r}")
        ext = x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), raw)
        if oid == f"{FULCIO}.9" and issuer_v2_extension:
            builder = builder.add_extension(
                x509.UnrecognizedExtension(OID_ISSUER_V2, utf8_string(issuer)),
                critical=False,
            )
            issuer_v2_extension = False
        builder = builder.add_extension(ext, critical=False)
    if issuer_v2_extension:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(OID_ISSUER_V2, utf8_string(issuer)), critical=False
        )
    precert = sign_certificate(builder, ca.intermediate_key, hashes.SHA384())
    if sct_mode == "none":
        return precert
    if ct_log is None:
        raise ValueError("an SCT needs a CT log")
    tbs = precert.tbs_certificate_bytes
    issuer_hash = spki_sha256(ca.intermediate_key.public_key())
    ts = int((sct_time or not_before).timestamp() * 1000)
    if sct_mode == "valid":
        sct = ct_log.sct(tbs, issuer_hash, ts, extensions=sct_extensions)
    elif sct_mode == "bad":
        wrong = ct_log.signed_data(tbs, issuer_hash, ts + 1, sct_extensions)
        sct = ct_log.sct(tbs, issuer_hash, ts, extensions=sct_extensions, signed_over=wrong)
    else:
        raise ValueError(f"unknown sct_mode {sct_mode!r}")
    sct_list = len(sct).to_bytes(2, "big") + sct
    sct_ext = octet_string(len(sct_list).to_bytes(2, "big") + sct_list)
    cert = sign_certificate(
        builder.add_extension(x509.UnrecognizedExtension(OID_SCT_LIST, sct_ext), critical=False),
        ca.intermediate_key,
        hashes.SHA384(),
    )
    if cert.tbs_precertificate_bytes != tbs:
        raise AssertionError("precertificate TBS differs from the TBS the SCT signed")
    return cert
