"""A small, fully deterministic Sigstore built in code, for srcverify's tests.

``TestInstance`` holds fixed keys for a Fulcio CA (root + intermediate), a
CT log, a Rekor v1 log (ECDSA P-256) and a Rekor v2 log (Ed25519), plus the
RFC 3161 TSA from :mod:`tests.support.tsa` when that module is present. It
produces a ``trusted_root.json`` dict and signs artifacts into bundle dicts
of every supported shape (v0.1 / v0.2 / v0.3, message signature or DSSE,
Fulcio certificate or managed key, Rekor v1 or v2, with or without a TSA
timestamp). Keys, serials and times are fixed and ECDSA is RFC 6979
deterministic, so the same calls give the same bytes.

Deliberately broken variants live in :mod:`tests.support.tamper`; the knobs
they need are the tampering fields of :class:`~tests.support.signed.SignOptions`.

It does not verify anything (the self-tests use sigstore-python as oracle).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

from .keys import b64, ecdsa, ed25519_key, p256_key, rfc3339, rsa_key, signing_key, spki_der
from .pki import CertificateAuthority, CTLog, issue_leaf, make_ca
from .rekor import (
    LoggedEntry,
    RekorV1Log,
    RekorV2Log,
    dsse_v001_body,
    dsse_v002_body,
    hashedrekord_v001_body,
    hashedrekord_v002_body,
    intoto_v002_body,
)
from .signed import (
    DEFAULT_IDENTITY,
    DEFAULT_ISSUER,
    GITHUB_ISSUER,
    INTOTO_PAYLOAD_TYPE,
    MEDIA_TYPES,
    NOW,
    SIGNED_AT,
    TRUST_START,
    SignedBundle,
    SigningKey,
    SignOptions,
    Validity,
    pae,
)

__all__ = [
    "DEFAULT_IDENTITY",
    "DEFAULT_ISSUER",
    "GITHUB_ISSUER",
    "INTOTO_PAYLOAD_TYPE",
    "MEDIA_TYPES",
    "NOW",
    "SIGNED_AT",
    "TRUST_START",
    "SignOptions",
    "SignedBundle",
    "TestInstance",
    "pae",
]


def _load_tsa() -> tuple[Any | None, str]:
    """(the other helper's ``TestTSA()``, "") or (None, why it is unavailable)."""
    try:
        from . import tsa
    except ImportError as exc:  # tsa.py missing, or its imports (srcverify) not on the path
        return None, f"tests.support.tsa unavailable: {exc}"
    return tsa.TestTSA(), ""


def _window(validity: Validity) -> dict[str, str]:
    start, end = validity
    out = {"start": rfc3339(start)}
    if end is not None:
        out["end"] = rfc3339(end)
    return out


def _subject(cert: x509.Certificate) -> dict[str, str]:
    out = {}
    for key, oid in (
        ("organization", NameOID.ORGANIZATION_NAME),
        ("commonName", NameOID.COMMON_NAME),
    ):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            out[key] = str(attrs[0].value)
    return out


def _cert_chain(certs: Sequence[x509.Certificate]) -> dict[str, Any]:
    return {
        "certificates": [
            {"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))} for c in certs
        ]
    }


#: The public half of a :data:`SigningKey`.
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey


def _curve_hash(key: SigningKey) -> hashes.HashAlgorithm:
    """The digest a key's message signatures record: by curve for ECDSA, else SHA-256."""
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP384R1):
        return hashes.SHA384()
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP521R1):
        return hashes.SHA512()
    return hashes.SHA256()


def _sign(key: SigningKey, data: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
    """Sign ``data`` as each key type does in Sigstore: ECDSA and RSA (PKCS#1 v1.5) hash it
    with ``algorithm``; Ed25519 (PureEdDSA) signs the bytes themselves."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), algorithm)
    return key.sign(data, ecdsa(algorithm))


class TestInstance:
    """The fake Sigstore. All keys are fixed; ``name`` picks a different, unrelated key set."""

    __test__ = False  # not a pytest test class

    now: datetime = NOW

    def __init__(self, name: str = "srcverify", *, tsa: bool = True) -> None:
        self.name = name
        self.fulcio: CertificateAuthority = make_ca(f"{name}/fulcio")
        self.rogue_ca: CertificateAuthority = make_ca(f"{name}/rogue-fulcio")
        self.ct_log = CTLog(p256_key(f"{name}/ctlog"))
        self.rogue_ct_log = CTLog(p256_key(f"{name}/rogue-ctlog"))
        self.rekor_v1 = RekorV1Log(p256_key(f"{name}/rekor-v1"))
        self.rekor_v2 = RekorV2Log(ed25519_key(f"{name}/rekor-v2"))
        self.rogue_rekor_v1_key = p256_key(f"{name}/rogue-rekor-v1")
        self.rogue_rekor_v2_key = ed25519_key(f"{name}/rogue-rekor-v2")
        self.witness_key = ed25519_key(f"{name}/witness")
        self.managed_key = p256_key(f"{name}/managed")
        self.other_managed_key = p256_key(f"{name}/managed-other")
        # Managed keys by SignOptions.managed_key_type; the RSA key is one fixed key for every
        # instance, so its "other" key is the P-256 one (any other key fails just as well).
        self.managed_keys: dict[str, SigningKey] = {
            "P-256": self.managed_key,
            "Ed25519": ed25519_key(f"{name}/managed-ed25519"),
            "RSA": rsa_key(),
        }
        self.other_managed_keys: dict[str, SigningKey] = {
            "P-256": self.other_managed_key,
            "Ed25519": ed25519_key(f"{name}/managed-ed25519-other"),
            "RSA": self.other_managed_key,
        }
        self.tsa: Any | None = None
        self.tsa_unavailable = "TestInstance(tsa=False)"
        if tsa:
            self.tsa, self.tsa_unavailable = _load_tsa()

    # --- trust root -----------------------------------------------------------

    def trusted_root(
        self,
        *,
        ca_validity: Validity = (TRUST_START, None),
        tlog_validity: Validity = (TRUST_START, None),
        tlog_v2_validity: Validity = (TRUST_START, None),
        ctlog_validity: Validity = (TRUST_START, None),
        tsa_validity: Validity = (TRUST_START, None),
        include_v1: bool = True,
        include_v2: bool = True,
        include_tsa: bool = True,
        include_ctlog: bool = True,
        extra_cas: Sequence[CertificateAuthority] = (),
    ) -> dict[str, Any]:
        """``trusted_root.json`` (media type v0.1) for this instance, windows configurable."""
        tlogs = []
        if include_v1:
            tlogs.append(
                {
                    "baseUrl": f"https://{self.rekor_v1.host}",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {
                        "rawBytes": b64(spki_der(self.rekor_v1.key.public_key())),
                        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                        "validFor": _window(tlog_validity),
                    },
                    "logId": {"keyId": b64(self.rekor_v1.log_id)},
                }
            )
        if include_v2:
            tlogs.append(
                {
                    "baseUrl": f"https://{self.rekor_v2.origin}",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {
                        "rawBytes": b64(spki_der(self.rekor_v2.key.public_key())),
                        "keyDetails": "PKIX_ED25519",
                        "validFor": _window(tlog_v2_validity),
                    },
                    "logId": {"keyId": b64(self.rekor_v2.log_id)},
                }
            )
        cas = [
            {
                "subject": _subject(ca.root),
                "uri": f"https://fulcio.{ca.name.replace('/', '-')}.test",
                "certChain": _cert_chain(ca.chain),
                "validFor": _window(ca_validity),
            }
            for ca in (self.fulcio, *extra_cas)
        ]
        ctlogs = (
            []
            if not include_ctlog
            else [
                {
                    "baseUrl": "https://ctfe.srcverify.test/2024",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": {
                        "rawBytes": b64(spki_der(self.ct_log.key.public_key())),
                        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                        "validFor": _window(ctlog_validity),
                    },
                    "logId": {"keyId": b64(self.ct_log.log_id)},
                }
            ]
        )
        tsas = []
        if include_tsa and self.tsa is not None:
            tsas.append(self.tsa.authority_json(*tsa_validity))
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": tlogs,
            "certificateAuthorities": cas,
            "ctlogs": ctlogs,
            "timestampAuthorities": tsas,
        }

    # --- signing --------------------------------------------------------------

    def sign_artifact(self, artifact: bytes, **options: Any) -> SignedBundle:
        """Sign ``artifact`` and log it; keyword arguments are :class:`SignOptions` fields."""
        return self.build(artifact, SignOptions(**options))

    def sign_dsse(self, artifact: bytes, **options: Any) -> SignedBundle:
        """Shorthand for ``sign_artifact(artifact, dsse=True, ...)``."""
        return self.sign_artifact(artifact, dsse=True, **options)

    def statement(
        self,
        artifact: bytes,
        name: str,
        digest: bytes | None = None,
        *,
        algorithms: Sequence[str] = ("sha256",),
        extra_subjects: Sequence[tuple[str, bytes]] = (),
    ) -> bytes:
        """Compact in-toto v1 statement: ``name`` with its ``algorithms`` digests, then
        ``extra_subjects``. ``digest`` replaces the artifact's sha256 (tampering)."""

        def digests(content: bytes) -> dict[str, str]:
            return {alg: hashlib.new(alg, content).hexdigest() for alg in algorithms}

        first = digests(artifact)
        if digest is not None:
            first["sha256"] = digest.hex()
        subjects = [{"name": name, "digest": first}]
        subjects += [{"name": n, "digest": digests(content)} for n, content in extra_subjects]
        return json.dumps(
            {
                "_type": "https://in-toto.io/Statement/v1",
                "subject": subjects,
                "predicateType": "https://slsa.dev/provenance/v1",
                "predicate": {
                    "buildDefinition": {
                        "buildType": "https://srcverify.test/buildtypes/release/v1",
                        "externalParameters": {"artifact": name},
                    },
                    "runDetails": {"builder": {"id": "https://srcverify.test/builder"}},
                },
            },
            separators=(",", ":"),
        ).encode()

    def _signing_key(self, artifact: bytes, opts: SignOptions) -> SigningKey:
        if opts.managed_key:
            return self.managed_keys[opts.managed_key_type]
        label = opts.signing_key_label or (
            f"{opts.identity}/{opts.when.isoformat()}/{hashlib.sha256(artifact).hexdigest()}"
        )
        return signing_key(opts.curve, f"{self.name}/signer/{label}")[0]

    def _leaf(self, key: SigningKey, opts: SignOptions) -> x509.Certificate:
        if opts.ca not in ("fulcio", "rogue"):
            raise ValueError(f"unknown ca {opts.ca!r}")
        ca = self.fulcio if opts.ca == "fulcio" else self.rogue_ca
        ct = self.rogue_ct_log if opts.sct == "unknown-log" else self.ct_log
        return issue_leaf(
            ca,
            key.public_key(),
            identity=opts.identity,
            issuer=opts.issuer,
            not_before=opts.when,
            ct_log=ct,
            san_type=opts.san_type,
            claims=opts.claims,
            lifetime=opts.cert_lifetime,
            eku=opts.eku,
            sct_mode="valid" if opts.sct == "unknown-log" else opts.sct,
            sct_extensions=opts.sct_extensions,
        )

    def _message_parts(
        self, artifact: bytes, key: SigningKey, signed: bytes | None
    ) -> tuple[bytes, bytes]:
        """(digest, signature) of a message signature over ``artifact``, hashed as the
        key's curve asks (SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521; SHA-256
        for RSA, and for Ed25519, which signs the artifact itself)."""
        algorithm = _curve_hash(key)
        return (
            hashlib.new(algorithm.name, artifact).digest(),
            _sign(key, signed or artifact, algorithm),
        )

    def _dsse_parts(
        self,
        artifact: bytes,
        key: SigningKey,
        opts: SignOptions,
        *,
        signed: bytes | None,
        digest: bytes | None,
    ) -> tuple[bytes, dict[str, Any], bytes]:
        """(payload, envelope, signature) of a DSSE over a statement about ``artifact``."""
        payload = opts.statement or self.statement(
            artifact,
            opts.artifact_name,
            digest,
            algorithms=opts.subject_algorithms,
            extra_subjects=opts.extra_subjects,
        )
        sig = _sign(key, signed or pae(INTOTO_PAYLOAD_TYPE, payload), _curve_hash(key))
        envelope = {
            "payload": b64(payload),
            "payloadType": INTOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": b64(sig)}],
        }
        return payload, envelope, sig

    def _body(
        self,
        opts: SignOptions,
        verifier: x509.Certificate | PublicKey,
        *,
        digest: bytes,
        signature: bytes,
        payload: bytes | None,
        envelope: dict[str, Any] | None,
    ) -> tuple[bytes, str, str]:
        """(canonicalized body, kind, version) for the chosen log and shape."""
        if isinstance(verifier, x509.Certificate):
            pem = verifier.public_bytes(serialization.Encoding.PEM)
            der = verifier.public_bytes(serialization.Encoding.DER)
            is_cert = True
        else:
            pem = verifier.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            der = spki_der(verifier)
            is_cert = False
        kind = opts.dsse_entry
        if opts.log == "v1":
            if payload is None or envelope is None:
                return hashedrekord_v001_body(digest, signature, pem), "hashedrekord", "0.0.1"
            if kind in ("auto", "dsse"):
                return dsse_v001_body(envelope, payload, pem), "dsse", "0.0.1"
            if kind == "intoto":
                return intoto_v002_body(envelope, payload, pem), "intoto", "0.0.2"
            raise ValueError(f"dsse_entry {kind!r} is not a Rekor v1 kind")
        if payload is None:
            body = hashedrekord_v002_body(digest, signature, der, is_certificate=is_cert)
            return body, "hashedrekord", "0.0.2"
        if kind in ("auto", "hashedrekord"):
            algorithm = {"P-384": "sha384", "P-521": "sha512"}.get(opts.curve, "sha256")
            pae_digest = hashlib.new(algorithm, pae(INTOTO_PAYLOAD_TYPE, payload)).digest()
            body = hashedrekord_v002_body(pae_digest, signature, der, is_certificate=is_cert)
            return body, "hashedrekord", "0.0.2"
        if kind == "dsse":
            return (
                dsse_v002_body(payload, [signature], der, is_certificate=is_cert),
                "dsse",
                "0.0.2",
            )
        raise ValueError(f"dsse_entry {kind!r} is not a Rekor v2 kind")

    def build(self, artifact: bytes, opts: SignOptions) -> SignedBundle:
        """Sign, log, timestamp and assemble one bundle as ``opts`` says."""
        key = self._signing_key(artifact, opts)
        cert = None if opts.managed_key else self._leaf(key, opts)
        verifier: x509.Certificate | PublicKey = cert or key.public_key()

        payload: bytes | None = None
        envelope: dict[str, Any] | None = None
        if opts.dsse:
            payload, envelope, signature = self._dsse_parts(
                artifact, key, opts, signed=opts.signed_content, digest=opts.statement_digest
            )
            digest = hashlib.sha256(artifact).digest()
        else:
            digest, signature = self._message_parts(artifact, key, opts.signed_content)

        # What the log saw: normally the same material; CVE-2022-36056 style otherwise.
        if opts.logged_artifact is None:
            logged = (digest, signature, payload, envelope)
        elif opts.dsse:
            lp, le, ls = self._dsse_parts(opts.logged_artifact, key, opts, signed=None, digest=None)
            logged = (hashlib.sha256(opts.logged_artifact).digest(), ls, lp, le)
        else:
            ld, ls = self._message_parts(opts.logged_artifact, key, None)
            logged = (ld, ls, None, None)
        body, kind, version = self._body(
            opts,
            verifier,
            digest=logged[0],
            signature=logged[1],
            payload=logged[2],
            envelope=logged[3],
        )
        if opts.log == "v1":
            itime = opts.integrated_time or opts.when + timedelta(seconds=3)
            entry = self.rekor_v1.append(body, kind, version, itime)
        else:
            entry = self.rekor_v2.append(body, kind, version)

        tsr = None
        if opts.timestamp:
            tsr = self.timestamp(signature, opts)

        bundle = self._assemble(opts, cert, key, entry, signature, digest, envelope, tsr)
        return SignedBundle(
            bundle=bundle,
            artifact=artifact,
            options=opts,
            trusted_root=self.trusted_root(),
            signing_key=key,
            signature=signature,
            entry=entry,
            certificate=cert,
            payload=payload,
            envelope=envelope,
            timestamp_response=tsr,
        )

    def timestamp(self, signature: bytes, opts: SignOptions) -> bytes:
        """RFC 3161 response over ``signature`` at ``opts.timestamp_at`` (default when + 2 s)."""
        tsa = opts.timestamp_authority or self.tsa
        if tsa is None:
            raise RuntimeError(f"timestamp=True needs a TSA: {self.tsa_unavailable}")
        at = opts.timestamp_at or opts.when + timedelta(seconds=2)
        return bytes(tsa.timestamp(signature, at, **(opts.timestamp_options or {})))

    def managed_public_key_pem(self, *, other: bool = False, key_type: str = "P-256") -> bytes:
        """PEM of the managed key of ``key_type`` (``other=True``: a different key of that
        type, for wrong-key tests)."""
        key = (self.other_managed_keys if other else self.managed_keys)[key_type]
        return key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def rebuild(self, signed: SignedBundle, **changes: Any) -> SignedBundle:
        """Build again from ``signed``'s artifact and options with some options changed."""
        return self.build(signed.artifact, replace(signed.options, **changes))

    # --- bundle assembly ------------------------------------------------------

    def tlog_entry_json(self, entry: LoggedEntry, opts: SignOptions) -> dict[str, Any]:
        """``TransparencyLogEntry`` JSON for a logged entry, evidence as ``opts`` says."""
        out: dict[str, Any] = {
            "logIndex": str(entry.log_index),
            "logId": {"keyId": b64(entry.log_id)},
            "kindVersion": {"kind": entry.kind, "version": entry.version},
        }
        if entry.integrated_time is not None:
            out["integratedTime"] = str(entry.integrated_time)
        if entry.signed_entry_timestamp is not None and opts.inclusion_promise:
            out["inclusionPromise"] = {"signedEntryTimestamp": b64(entry.signed_entry_timestamp)}
        if opts.inclusion_proof:
            proof: dict[str, Any] = {
                "logIndex": str(entry.tree_index),
                "rootHash": b64(entry.root_hash),
                "treeSize": str(entry.tree_size),
                "hashes": [b64(h) for h in entry.hashes],
            }
            if opts.checkpoint:
                proof["checkpoint"] = {"envelope": entry.checkpoint}
            out["inclusionProof"] = proof
        out["canonicalizedBody"] = b64(entry.body)
        return out

    def _assemble(
        self,
        opts: SignOptions,
        cert: x509.Certificate | None,
        key: SigningKey,
        entry: LoggedEntry,
        signature: bytes,
        digest: bytes,
        envelope: dict[str, Any] | None,
        tsr: bytes | None,
    ) -> dict[str, Any]:
        vm: dict[str, Any] = {}
        if cert is None:
            vm["publicKey"] = {"hint": b64(hashlib.sha256(spki_der(key.public_key())).digest())}
        elif opts.bundle_version == "0.3":
            vm["certificate"] = {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))}
        else:
            ca = self.fulcio if opts.ca == "fulcio" else self.rogue_ca
            certs = {
                "leaf": [cert],
                "leaf+intermediate": [cert, ca.intermediate],
                "full": [cert, ca.intermediate, ca.root],
                "full+rogue-root": [cert, ca.intermediate, self.rogue_ca.root],
                "root-before-intermediate": [cert, ca.root, ca.intermediate],
            }[opts.chain]
            vm["x509CertificateChain"] = _cert_chain(certs)
        vm["tlogEntries"] = [self.tlog_entry_json(entry, opts)] if opts.tlog_entry else []
        if tsr is not None:
            vm["timestampVerificationData"] = {"rfc3161Timestamps": [{"signedTimestamp": b64(tsr)}]}
        bundle: dict[str, Any] = {"mediaType": opts.media_type_string, "verificationMaterial": vm}
        if envelope is not None:
            bundle["dsseEnvelope"] = copy.deepcopy(envelope)
        else:
            bundle["messageSignature"] = {
                "messageDigest": {"algorithm": f"SHA2_{len(digest) * 8}", "digest": b64(digest)},
                "signature": b64(signature),
            }
        return bundle
