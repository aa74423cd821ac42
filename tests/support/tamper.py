"""Deliberately broken variants of a valid test bundle, one defect each.

Every function takes the :class:`~tests.support.instance.TestInstance` that
made a :class:`~tests.support.instance.SignedBundle` (when it must re-sign)
and the bundle, and returns a new ``SignedBundle`` that differs from a valid
one in exactly ONE way: anything the change would otherwise break as a side
effect (SET, checkpoint signature, certificate signature, log entry) is
re-signed with the right key. The returned ``trusted_root`` is the one to
verify against (some defects live in the trust root).

A few functions produce variants that must still VERIFY (witness
cosignatures, extra signatures from unknown keys); their docstrings say so.

It does not verify anything.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from .instance import INTOTO_PAYLOAD_TYPE, TRUST_START, SignedBundle, TestInstance, pae
from .keys import ECDSA_SHA256, b64, spki_sha256
from .rekor import (
    checkpoint_body,
    cosignature_line,
    note_key_id_ed25519,
    set_payload,
    signature_line,
)

__all__ = [
    "OTHER_ARTIFACT",
    "bad_inclusion_proof_hash",
    "bad_sct",
    "bad_set",
    "ca_window_excludes_signing_time",
    "chain_includes_root",
    "chain_root_before_intermediate",
    "checkpoint_extra_signature_from_origin",
    "checkpoint_missing_origin",
    "checkpoint_missing_root_hash",
    "checkpoint_missing_size",
    "checkpoint_other_origin",
    "checkpoint_unknown_key",
    "checkpoint_with_witness",
    "checkpoint_wrong_root_hash",
    "dsse_other_subject",
    "entry_for_other_artifact",
    "integrated_time_in_future",
    "invalid_base64_signature",
    "leaf_from_untrusted_ca",
    "message_digest_mismatch",
    "missing_code_signing_eku",
    "no_checkpoint",
    "no_inclusion_promise",
    "no_inclusion_proof",
    "no_sct",
    "no_timestamp",
    "no_tlog_entries",
    "sct_from_unknown_log",
    "set_time_outside_cert_validity",
    "signature_differs_from_log",
    "signed_before_ca_valid",
    "timestamp_from_untrusted_tsa",
    "timestamp_outside_cert_validity",
    "tlog_window_excludes_log_time",
    "tsa_window_excludes_timestamp",
    "unknown_log_id",
    "unknown_media_type",
    "wrong_artifact",
    "wrong_signature",
]

#: The "other" artifact used by the mismatch variants.
OTHER_ARTIFACT = b"an entirely different release tarball\n"


def _edit(sb: SignedBundle, note: str, fn: Callable[[dict[str, Any]], None]) -> SignedBundle:
    bundle = sb.copy_bundle()
    fn(bundle)
    return sb.with_bundle(bundle, note)


def _entry(bundle: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = bundle["verificationMaterial"]["tlogEntries"][0]
    return entry


# --- signature and material -----------------------------------------------------


def wrong_signature(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The signature (message or DSSE) is over other bytes; the log recorded that same signature."""
    other = pae(INTOTO_PAYLOAD_TYPE, OTHER_ARTIFACT) if sb.options.dsse else OTHER_ARTIFACT
    return inst.rebuild(sb, signed_content=other)


def wrong_artifact(sb: SignedBundle, other: bytes = OTHER_ARTIFACT) -> SignedBundle:
    """The bundle is untouched; the artifact handed to the verifier is a different file."""
    return replace(sb, artifact=other, notes=(*sb.notes, "wrong artifact"))


def message_digest_mismatch(sb: SignedBundle) -> SignedBundle:
    """``messageSignature.messageDigest`` names another file (signature and log are right)."""
    if sb.options.dsse:
        raise ValueError("message_digest_mismatch needs a message-signature bundle")

    def fn(b: dict[str, Any]) -> None:
        b["messageSignature"]["messageDigest"]["digest"] = b64(
            hashlib.sha256(OTHER_ARTIFACT).digest()
        )

    return _edit(sb, "messageDigest of another artifact", fn)


def entry_for_other_artifact(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """CVE-2022-36056: a genuine, properly logged entry, but for another artifact.

    For DSSE bundles this is the logged-envelope-differs case: the log holds
    an envelope about another artifact, signed by the same key.
    """
    return inst.rebuild(sb, logged_artifact=OTHER_ARTIFACT)


def dsse_other_subject(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """DSSE: a validly signed and logged statement whose subject digest is another file's."""
    if not sb.options.dsse:
        raise ValueError("dsse_other_subject needs a DSSE bundle")
    return inst.rebuild(sb, statement_digest=hashlib.sha256(OTHER_ARTIFACT).digest())


def signature_differs_from_log(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """A second valid signature by the same key over the same input, not the logged one.

    Uses randomized ECDSA, so the bytes differ from the (deterministic) logged
    signature. A TSA timestamp, if present, is re-issued over the new signature.
    """
    key = sb.signing_key
    if sb.options.dsse:
        assert sb.payload is not None
        data = pae(INTOTO_PAYLOAD_TYPE, sb.payload)
    else:
        data = sb.artifact
    sig = key.sign(data, ec.ECDSA(hashes.SHA256()))

    def fn(b: dict[str, Any]) -> None:
        if sb.options.dsse:
            b["dsseEnvelope"]["signatures"][0]["sig"] = b64(sig)
        else:
            b["messageSignature"]["signature"] = b64(sig)
        if sb.options.timestamp:
            tsr = inst.timestamp(sig, sb.options)
            b["verificationMaterial"]["timestampVerificationData"] = {
                "rfc3161Timestamps": [{"signedTimestamp": b64(tsr)}]
            }

    return replace(_edit(sb, "signature not the logged one", fn), signature=sig)


def invalid_base64_signature(sb: SignedBundle) -> SignedBundle:
    """The signature field is not base64."""

    def fn(b: dict[str, Any]) -> None:
        if "dsseEnvelope" in b:
            b["dsseEnvelope"]["signatures"][0]["sig"] = "not*base64!"
        else:
            b["messageSignature"]["signature"] = "not*base64!"

    return _edit(sb, "invalid base64 signature", fn)


def unknown_media_type(sb: SignedBundle) -> SignedBundle:
    """``mediaType`` is a bundle version nobody defined."""

    def fn(b: dict[str, Any]) -> None:
        b["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json"

    return _edit(sb, "unknown media type", fn)


# --- transparency log -------------------------------------------------------------


def no_tlog_entries(sb: SignedBundle) -> SignedBundle:
    """``tlogEntries`` is empty."""

    def fn(b: dict[str, Any]) -> None:
        b["verificationMaterial"]["tlogEntries"] = []

    return _edit(sb, "no tlog entries", fn)


def unknown_log_id(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The entry names a log that is not in the trusted root."""
    rogue = (
        spki_sha256(inst.rogue_rekor_v1_key.public_key())
        if sb.options.log == "v1"
        else note_key_id_ed25519(inst.rekor_v2.origin, inst.rogue_rekor_v2_key.public_key())
    )

    def fn(b: dict[str, Any]) -> None:
        _entry(b)["logId"]["keyId"] = b64(rogue)

    return _edit(sb, "unknown log id", fn)


def bad_set(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The SET is a well-formed signature by the log key over a different payload."""
    e = sb.entry
    if e.integrated_time is None:
        raise ValueError("bad_set needs a Rekor v1 entry")
    wrong = set_payload(e.body, e.integrated_time + 1, e.log_id, e.log_index)
    sig = inst.rekor_v1.key.sign(wrong, ECDSA_SHA256)

    def fn(b: dict[str, Any]) -> None:
        _entry(b)["inclusionPromise"] = {"signedEntryTimestamp": b64(sig)}

    return _edit(sb, "bad SET", fn)


def _resign_set(inst: TestInstance, sb: SignedBundle, integrated_time: int) -> SignedBundle:
    e = sb.entry
    sig = inst.rekor_v1.sign_set(e.body, integrated_time, e.log_index)

    def fn(b: dict[str, Any]) -> None:
        entry = _entry(b)
        entry["integratedTime"] = str(integrated_time)
        if "inclusionPromise" in entry:
            entry["inclusionPromise"] = {"signedEntryTimestamp": b64(sig)}

    return _edit(sb, f"integratedTime {integrated_time}", fn)


def set_time_outside_cert_validity(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """integratedTime 20 minutes after issuance (cert lives 10); the SET is valid for it."""
    if sb.options.log != "v1":
        raise ValueError("integrated time exists only in Rekor v1 entries")
    return _resign_set(inst, sb, int((sb.options.when + timedelta(minutes=20)).timestamp()))


def integrated_time_in_future(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """integratedTime one day after ``inst.now``; the SET is valid for it."""
    if sb.options.log != "v1":
        raise ValueError("integrated time exists only in Rekor v1 entries")
    return _resign_set(inst, sb, int((inst.now + timedelta(days=1)).timestamp()))


def no_inclusion_promise(sb: SignedBundle) -> SignedBundle:
    """The entry has no ``inclusionPromise`` (SET)."""

    def fn(b: dict[str, Any]) -> None:
        _entry(b).pop("inclusionPromise", None)

    return _edit(sb, "no inclusion promise", fn)


def no_inclusion_proof(sb: SignedBundle) -> SignedBundle:
    """The entry has no ``inclusionProof``."""

    def fn(b: dict[str, Any]) -> None:
        _entry(b).pop("inclusionProof", None)

    return _edit(sb, "no inclusion proof", fn)


def no_checkpoint(sb: SignedBundle) -> SignedBundle:
    """The inclusion proof has no checkpoint."""

    def fn(b: dict[str, Any]) -> None:
        _entry(b)["inclusionProof"].pop("checkpoint", None)

    return _edit(sb, "no checkpoint", fn)


def bad_inclusion_proof_hash(sb: SignedBundle, index: int = 0) -> SignedBundle:
    """One audit-path hash has a flipped bit; rootHash and checkpoint are untouched."""

    def fn(b: dict[str, Any]) -> None:
        hashes_ = _entry(b)["inclusionProof"]["hashes"]
        raw = bytearray(base64.b64decode(hashes_[index]))
        raw[0] ^= 0x01
        hashes_[index] = b64(bytes(raw))

    return _edit(sb, "corrupted inclusion proof hash", fn)


def _log_signer(inst: TestInstance, sb: SignedBundle) -> tuple[str, Any, bytes]:
    """(signature name, key, key hint) of the log that holds ``sb``'s entry."""
    if sb.options.log == "v1":
        return inst.rekor_v1.host, inst.rekor_v1.key, inst.rekor_v1.log_id
    return inst.rekor_v2.origin, inst.rekor_v2.key, inst.rekor_v2.log_id


def _with_checkpoint(sb: SignedBundle, envelope: str, note: str) -> SignedBundle:
    def fn(b: dict[str, Any]) -> None:
        _entry(b)["inclusionProof"]["checkpoint"] = {"envelope": envelope}

    return _edit(sb, note, fn)


def _origin(inst: TestInstance, sb: SignedBundle) -> str:
    return inst.rekor_v1.origin if sb.options.log == "v1" else inst.rekor_v2.origin


def _resigned(inst: TestInstance, sb: SignedBundle, text: str, note: str) -> SignedBundle:
    name, key, hint = _log_signer(inst, sb)
    return _with_checkpoint(sb, text + "\n" + signature_line(name, text, key, hint), note)


def checkpoint_wrong_root_hash(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The checkpoint (validly signed by the log) commits to another root hash."""
    e = sb.entry
    other = hashlib.sha256(b"another tree").digest()
    text = checkpoint_body(_origin(inst, sb), e.tree_size, other)
    return _resigned(inst, sb, text, "checkpoint root hash differs from proof")


def checkpoint_missing_origin(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Checkpoint without its origin line, re-signed by the log key."""
    e = sb.entry
    return _resigned(inst, sb, checkpoint_body(None, e.tree_size, e.root_hash), "no origin")


def checkpoint_missing_size(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Checkpoint without its tree-size line, re-signed by the log key."""
    e = sb.entry
    text = checkpoint_body(_origin(inst, sb), None, e.root_hash)
    return _resigned(inst, sb, text, "no size")


def checkpoint_missing_root_hash(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Checkpoint without its root-hash line, re-signed by the log key."""
    e = sb.entry
    text = checkpoint_body(_origin(inst, sb), e.tree_size, None)
    return _resigned(inst, sb, text, "no root hash")


def checkpoint_other_origin(
    inst: TestInstance, sb: SignedBundle, origin: str = "log.elsewhere.test"
) -> SignedBundle:
    """Origin line and signer name are another log's; the signature is by the right key."""
    e = sb.entry
    _, key, hint = _log_signer(inst, sb)
    text = checkpoint_body(origin, e.tree_size, e.root_hash)
    envelope = text + "\n" + signature_line(origin, text, key, hint)
    return _with_checkpoint(sb, envelope, "checkpoint origin of another log")


def checkpoint_unknown_key(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Checkpoint signed, under the log's name, by a key the trust root does not know."""
    e = sb.entry
    name, _, _ = _log_signer(inst, sb)
    if sb.options.log == "v1":
        key: Any = inst.rogue_rekor_v1_key
        hint = spki_sha256(inst.rogue_rekor_v1_key.public_key())
    else:
        key = inst.rogue_rekor_v2_key
        hint = note_key_id_ed25519(name, inst.rogue_rekor_v2_key.public_key())
    text = e.checkpoint_text
    envelope = text + "\n" + signature_line(name, text, key, hint)
    return _with_checkpoint(sb, envelope, "checkpoint signed by unknown key")


def checkpoint_with_witness(
    inst: TestInstance, sb: SignedBundle, witness: str = "witness.srcverify.test"
) -> SignedBundle:
    """VALID: the log's checkpoint plus a C2SP witness cosignature line (unknown witness)."""
    e = sb.entry
    ts = int((sb.options.when + timedelta(seconds=10)).timestamp())
    envelope = e.checkpoint + cosignature_line(witness, e.checkpoint_text, inst.witness_key, ts)
    return _with_checkpoint(sb, envelope, "witness cosignature added")


def checkpoint_extra_signature_from_origin(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """VALID: a second signature line under the log's name by an unknown ECDSA key."""
    e = sb.entry
    name, _, _ = _log_signer(inst, sb)
    rogue = inst.rogue_rekor_v1_key
    extra = signature_line(name, e.checkpoint_text, rogue, spki_sha256(rogue.public_key()))
    return _with_checkpoint(sb, e.checkpoint + extra, "extra signature from origin name")


# --- certificates -----------------------------------------------------------------


def leaf_from_untrusted_ca(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The leaf chains to a CA with the same names but keys the trust root does not hold."""
    return inst.rebuild(sb, ca="rogue")


def chain_includes_root(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """``x509CertificateChain`` carries leaf, intermediate and an *untrusted* self-signed
    root (v0.1/v0.2 only). A copy of the trusted root there is tolerated, not this."""
    if sb.options.bundle_version == "0.3" or sb.options.managed_key:
        raise ValueError("only v0.1/v0.2 certificate bundles carry a chain")
    return inst.rebuild(sb, chain="full+rogue-root")


def chain_root_before_intermediate(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The trusted root inside the chain, not at its end (sigstore-conformance's
    ``bundle-with-root-cert_fail`` shape): only a root *ending* the chain is tolerated."""
    if sb.options.bundle_version == "0.3" or sb.options.managed_key:
        raise ValueError("only v0.1/v0.2 certificate bundles carry a chain")
    return inst.rebuild(sb, chain="root-before-intermediate")


def bad_sct(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The embedded SCT's signature (by the trusted CT key) is over other data."""
    return inst.rebuild(sb, sct="bad")


def sct_from_unknown_log(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The embedded SCT is valid but from a CT log the trust root does not know."""
    return inst.rebuild(sb, sct="unknown-log")


def no_sct(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The leaf has no SCT extension."""
    return inst.rebuild(sb, sct="none")


def missing_code_signing_eku(
    inst: TestInstance, sb: SignedBundle, *, drop_extension: bool = False
) -> SignedBundle:
    """The leaf's EKU is emailProtection, not codeSigning (or absent with ``drop_extension``)."""
    eku = None if drop_extension else (ExtendedKeyUsageOID.EMAIL_PROTECTION,)
    return inst.rebuild(sb, eku=eku)


def ca_window_excludes_signing_time(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Trust root: the Fulcio CA's validFor ended a day before the leaf was issued."""
    root = inst.trusted_root(ca_validity=(TRUST_START, sb.options.when - timedelta(days=1)))
    return replace(sb, trusted_root=root, notes=(*sb.notes, "CA validFor ends before signing"))


def signed_before_ca_valid(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Leaf issued (and logged) before the CA certificates' notBefore.

    The trust root's validFor windows are widened to cover that time, so only
    the X.509 validity of the CA certificates is wrong. Not for bundles that
    need a TSA timestamp (the test TSA's certificates start at the same date).
    """
    if sb.options.timestamp or sb.options.log != "v1":
        raise ValueError("signed_before_ca_valid needs a Rekor v1 bundle without TSA")
    when = TRUST_START - timedelta(days=2)
    early = (TRUST_START - timedelta(days=30), None)
    root = inst.trusted_root(ca_validity=early, tlog_validity=early, ctlog_validity=early)
    return replace(inst.rebuild(sb, when=when), trusted_root=root)


def tlog_window_excludes_log_time(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Trust root: the log's key validFor ended a day before the entry was logged."""
    end = sb.options.when - timedelta(days=1)
    if sb.options.log == "v1":
        root = inst.trusted_root(tlog_validity=(TRUST_START, end))
    else:
        root = inst.trusted_root(tlog_v2_validity=(TRUST_START, end))
    return replace(sb, trusted_root=root, notes=(*sb.notes, "tlog validFor ends before entry"))


# --- timestamps -------------------------------------------------------------------


def no_timestamp(sb: SignedBundle) -> SignedBundle:
    """The bundle has no ``timestampVerificationData``."""

    def fn(b: dict[str, Any]) -> None:
        b["verificationMaterial"].pop("timestampVerificationData", None)

    return _edit(sb, "no RFC 3161 timestamp", fn)


def timestamp_outside_cert_validity(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The (trusted, valid) TSA timestamp is 20 minutes after issuance; the cert lives 10."""
    return inst.rebuild(sb, timestamp=True, timestamp_at=sb.options.when + timedelta(minutes=20))


def timestamp_from_untrusted_tsa(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """The timestamp is well-formed and signed, but by a TSA the trust root does not hold."""
    from .tsa import TestTSA

    return inst.rebuild(
        sb, timestamp=True, timestamp_authority=TestTSA("untrusted test TSA", seed=99)
    )


def tsa_window_excludes_timestamp(inst: TestInstance, sb: SignedBundle) -> SignedBundle:
    """Trust root: the TSA's validFor ended a day before the timestamp."""
    root = inst.trusted_root(tsa_validity=(TRUST_START, sb.options.when - timedelta(days=1)))
    return replace(sb, trusted_root=root, notes=(*sb.notes, "TSA validFor ends before stamp"))
