"""Verify one Sigstore bundle against an artifact digest, offline.

This is the orchestrator. It reads like the Sigstore client specification's
verification section, as numbered steps, and fails closed at each:

1. The artifact is the one the bundle speaks about.
2. The signature verifies with the key that claims it: the certificate's
   key, or the managed key the caller named. A message signature is checked
   over the artifact's digest, except with an Ed25519 key: PureEdDSA
   (RFC 8032 section 5.1) signs the message itself, so that signature is
   checked over the artifact's bytes, which the caller must then pass
   (:func:`needs_artifact_bytes` says when).
3. Every transparency log entry records exactly this signature, key and
   digest, and verifies (inclusion proof and checkpoint, signed entry
   timestamp). A bundle without one is refused unless the caller opted in
   to timestamp-only evidence (``allow_timestamp_only``).
4. At least one verified time exists (SET integrated times, RFC 3161
   timestamps from trusted authorities).
5. The certificate is a Fulcio certificate valid at every verified time,
   with the Fulcio profile and an embedded SCT from a trusted CT log.
6. The signer is one the policy allows.

Everything is passed in: bundle, the artifact's digests (and its bytes when an
Ed25519 signature covers them), trusted root, policy and the time ``now``.
Nothing here reads files, the environment, the clock or the network.
A :class:`Receipt` comes back, or a :class:`~srcverify.errors.SrcverifyError`
is raised.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from srcverify._frozen import replace
from srcverify.errors import (
    ArtifactMismatchError,
    BundleFormatError,
    InputError,
    PolicyError,
    SignatureError,
    StaleTrustRootError,
    TimestampError,
)
from srcverify.sigstore import certs, fulcio, hashing, message, sct, signature, subject, tlog
from srcverify.sigstore.bundle import Bundle, TlogEntry
from srcverify.sigstore.dsse import statement_subjects
from srcverify.sigstore.hashing import Digests
from srcverify.sigstore.identity import Policy
from srcverify.sigstore.receipt import LogReceipt, ManagedKey, Receipt, VerifiedTime
from srcverify.sigstore.trustroot import TrustedRoot

__all__ = [
    "LogReceipt",
    "ManagedKey",
    "Receipt",
    "VerifiedTime",
    "artifact_algorithms",
    "needs_artifact_bytes",
    "verify_bundle",
]


def artifact_algorithms(bundle: Bundle, artifact_name: str | None = None) -> tuple[str, ...]:
    """The digest algorithms :func:`verify_bundle` needs the artifact hashed with.

    Raises:
        BundleFormatError: the bundle names an unsupported algorithm, or its
            statement is malformed.
    """
    signed = bundle.message_signature
    if signed is not None:
        return (hashing.from_proto(signed.digest_algorithm, where="message digest"),)
    assert bundle.dsse_envelope is not None  # the bundle parser guarantees one of the two
    return subject.algorithms_needed(statement_subjects(bundle.dsse_envelope), artifact_name)


def needs_artifact_bytes(bundle: Bundle, policy: Policy | ManagedKey) -> bool:
    """Whether :func:`verify_bundle` needs the artifact's bytes, not only its digests.

    True for a message signature whose key (the managed key, or the
    certificate's) is Ed25519, which signs the artifact itself
    (:mod:`srcverify.sigstore.message`). DSSE signatures cover the envelope,
    never the artifact, so they never need it.
    """
    if bundle.message_signature is None:
        return False
    if isinstance(policy, ManagedKey):
        return message.needs_bytes(policy.public_key)
    leaf = bundle.material.leaf
    return leaf is not None and message.needs_bytes(leaf.public_key())


def verify_bundle(
    bundle: Bundle,
    artifact_digests: Digests | bytes,
    *,
    trusted_root: TrustedRoot,
    policy: Policy | ManagedKey,
    now: datetime,
    trust_root_time: datetime | None = None,
    artifact_name: str | None = None,
    allow_timestamp_only: bool = False,
    artifact: bytes | None = None,
) -> Receipt:
    """Verify ``bundle`` for the artifact with digests ``artifact_digests``.

    Args:
        bundle: the parsed bundle.
        artifact_digests: the artifact's digests by algorithm
            (:func:`artifact_algorithms` says which are needed); bare bytes
            are its SHA-256.
        trusted_root: keys and authorities to trust.
        policy: who must have signed (an identity policy), or the managed key.
        now: the time of verification (log entries may not come from later).
        trust_root_time: the pinned trust root's reference time, if any; used
            only to explain a signature newer than the pin.
        artifact_name: the artifact's file name, if known: picks the subject
            of a multi-subject statement.
        allow_timestamp_only: WEAKER: accept a bundle with no transparency log
            entry when RFC 3161 timestamps from trusted authorities give its
            time (GitHub's private Sigstore instance); then, if the trusted
            root names no CT log, no SCT is required either. The receipt's
            notes say so.
        artifact: the artifact's bytes, needed only when
            :func:`needs_artifact_bytes` says so (an Ed25519 message
            signature); otherwise unused. Given, the digest the bundle signed
            is computed from these bytes, and a digest in ``artifact_digests``
            of the same algorithm must agree with it.

    Returns:
        The receipt of what was verified.

    Raises:
        VerificationError: the evidence does not verify (a subclass names the step).
        StaleTrustRootError: the signature is newer than the pinned trust root
            and uses a key or authority the pin does not know.
        InputError: an Ed25519 message signature and no ``artifact`` bytes
            (it cannot be evaluated from a digest), or bytes that disagree
            with the given digests.
    """
    digests = (
        {"sha256": artifact_digests}
        if isinstance(artifact_digests, bytes)
        else dict(artifact_digests)
    )
    material = bundle.material
    leaf = material.leaf
    signature_bytes = _signature_bytes(bundle)

    # Step 1: the artifact is the one the bundle speaks about.
    if artifact is not None and bundle.message_signature is not None:
        digests = message.digests_with_bytes(bundle.message_signature, digests, artifact)
    message_digest, chosen, name_bound = _check_artifact(bundle, digests, artifact_name)

    # Step 2: the signature verifies with the key that claims it.
    if isinstance(policy, ManagedKey):
        if leaf is not None:
            raise PolicyError(
                "a managed key was given, but the bundle is signed with a certificate",
                step="key",
            )
        signing_key = policy.public_key
    else:
        if leaf is None:
            raise PolicyError(
                "the bundle is signed with a managed key (no certificate); verify it with --key",
                step="key",
            )
        signing_key = leaf.public_key()

    _check_signature(bundle, signing_key, message_digest, artifact)

    _explain_stale_trust_root(bundle, trusted_root, trust_root_time, now)

    # Step 3: every transparency log entry records this signature, and verifies.
    notes: list[str] = []
    if not material.tlog_entries:
        if not allow_timestamp_only:
            raise BundleFormatError(
                "verificationMaterial.tlogEntries: a bundle needs at least one log entry "
                "(timestamp-only evidence is accepted only when the release map or "
                "--allow-timestamp-only allows it)"
            )
        notes.append(
            "no transparency log backed the signature: timestamp-only evidence, accepted by opt-in"
        )
    verdicts = []
    for entry in material.tlog_entries:
        tlog.check_body(
            entry,
            signature=signature_bytes,
            digest=message_digest,
            certificate=leaf,
            public_key=signing_key if leaf is None else None,
            envelope=bundle.dsse_envelope,
        )
        verdicts.append(
            tlog.verify_entry(entry, trusted_root, bundle_version=bundle.version, now=now)
        )

    # Step 4: at least one verified time.
    times = [
        VerifiedTime("transparency-log", v.integrated_time, v.log.base_url)
        for v in verdicts
        if v.integrated_time is not None
    ]
    if material.rfc3161_timestamps:  # RFC 3161 code is loaded only for bundles that use it
        from srcverify.sigstore import timestamps
    for token in material.rfc3161_timestamps:
        stamp = timestamps.verify_timestamp(
            token, signature_bytes, trusted_root.timestamp_authorities
        )
        if stamp.time > now:  # as for log times: a signature cannot come from the future
            raise TimestampError(
                f"RFC 3161 timestamp by {stamp.authority.uri} says {_rfc3339(stamp.time)}, "
                f"after now ({_rfc3339(now)})"
            )
        times.append(VerifiedTime("rfc3161-timestamp", stamp.time, stamp.authority.uri))
    if not times:
        raise TimestampError(
            "no verified time: the bundle has no signed entry timestamp and no trusted "
            "RFC 3161 timestamp"
        )
    instants = [t.time for t in times]
    _explain_unknown_ca(leaf, trusted_root, trust_root_time, instants)
    verdicts = [
        v
        if v.integrated_time is not None
        else replace(v, log=tlog.check_log_validity(v.candidates, instants))
        for v in verdicts
    ]

    # Step 5: the certificate is a Fulcio certificate valid at every verified time.
    authority_uri = None
    if leaf is not None:
        certs.check_fulcio_profile(leaf)
        # A trusted root CA at the end of the bundle's chain is verified as if absent.
        chain, root_copy = certs.without_trusted_root(
            material.certificates[1:], trusted_root.certificate_authorities
        )
        if root_copy is not None:
            notes.append(
                "the bundle's chain ends in a copy of a trusted root CA "
                f"({certs.describe_certificate(root_copy)}); verified as if absent"
            )
        authority = certs.verify_chain(leaf, chain, trusted_root.certificate_authorities, instants)
        authority_uri = authority.uri
        if verdicts or trusted_root.ctlogs:
            sct.verify_embedded_sct(leaf, certs.issuer_of(leaf, authority), trusted_root.ctlogs)
        else:
            notes.append(
                "no SCT checked: timestamp-only evidence, the trusted root names no CT log"
            )

    # Step 6: the signer is one the policy allows.
    if isinstance(policy, ManagedKey):
        signer, issuer = policy.describe(), None
    else:
        assert leaf is not None  # established in step 2
        policy.check(leaf)
        signer, issuer = _signer_of(leaf)

    return Receipt(
        artifact_sha256=digests["sha256"].hex() if "sha256" in digests else None,
        artifact_digests={alg: value.hex() for alg, value in digests.items()},
        subject=chosen,
        name_bound_by="in-toto subject name" if name_bound else "nothing",
        bundle_version=bundle.version,
        content="dsse" if bundle.dsse_envelope else "message-signature",
        signer=signer,
        issuer=issuer,
        policy=policy.describe(),
        certificate_authority=authority_uri,
        verified_times=tuple(times),
        log_entries=tuple(
            LogReceipt(
                log=v.log.base_url,
                log_index=_authenticated_index(entry, v),
                kind=f"{entry.kind} {entry.version}",
                proof_verified=v.proof_verified,
                promise_verified=v.promise_verified,
                promise_only=v.promise_only,
            )
            for v, entry in zip(verdicts, material.tlog_entries, strict=True)
        ),
        promise_only=bool(verdicts) and all(v.promise_only for v in verdicts),
        notes=tuple(notes),
    )


def _signature_bytes(bundle: Bundle) -> bytes:
    if bundle.message_signature is not None:
        return bundle.message_signature.signature
    assert bundle.dsse_envelope is not None  # the bundle parser guarantees one of the two
    if len(bundle.dsse_envelope.signatures) != 1:
        raise SignatureError(
            f"DSSE envelope: expected exactly one signature, found "
            f"{len(bundle.dsse_envelope.signatures)}"
        )
    return bundle.dsse_envelope.signatures[0].sig


def _check_artifact(
    bundle: Bundle, digests: dict[str, bytes], artifact_name: str | None
) -> tuple[tuple[str, bytes] | None, str | None, bool]:
    """(algorithm, digest) a message signature covers, the chosen subject's name, and
    whether that name binds the artifact's name."""
    signed = bundle.message_signature
    if signed is None:
        assert bundle.dsse_envelope is not None
        subjects = statement_subjects(bundle.dsse_envelope)
        chosen = subject.match_subject(subjects, digests, artifact_name)
        bound = artifact_name is not None and subject.subject_binds_name(chosen, artifact_name)
        return None, chosen.name, bound
    algorithm = hashing.from_proto(signed.digest_algorithm, where="message digest")
    ours = digests.get(algorithm)
    if ours is None:
        raise InputError(
            f"the bundle signs the artifact's {algorithm} digest, and only its "
            f"{' and '.join(digests) or 'name'} was given; give the file or a "
            f"{algorithm}:<hex> digest",
            step="digest",
        )
    if signed.digest is not None and signed.digest != ours:
        raise ArtifactMismatchError(
            f"artifact {algorithm} {ours.hex()} does not match the digest the bundle "
            f"signed, {signed.digest.hex()}"
        )
    return (algorithm, ours), None, False


def _check_signature(
    bundle: Bundle,
    key: PublicKeyTypes,
    message_digest: tuple[str, bytes] | None,
    artifact: bytes | None,
) -> None:
    if bundle.message_signature is not None:
        assert message_digest is not None  # step 1 computed it
        message.verify_message(bundle.message_signature, key, message_digest, artifact)
        return
    envelope = bundle.dsse_envelope
    assert envelope is not None
    signature.verify_over_data(
        key, envelope.signatures[0].sig, envelope.pae(), what="DSSE envelope"
    )


def _authenticated_index(entry: TlogEntry, verdict: tlog.LogVerdict) -> int:
    """The log index the evidence vouches for: the SET signs the entry's own index;
    without a SET only the inclusion proof's leaf index is authenticated."""
    if verdict.promise_verified or entry.inclusion_proof is None:
        return entry.log_index
    return entry.inclusion_proof.log_index


def _signer_of(leaf: x509.Certificate) -> tuple[str, str | None]:
    return fulcio.certificate_identity(leaf), fulcio.oidc_issuer(leaf)


def _explain_stale_trust_root(
    bundle: Bundle, trusted_root: TrustedRoot, trust_root_time: datetime | None, now: datetime
) -> None:
    """Raise StaleTrustRootError when a log the pin lacks claims a signature after the pin.

    Only an *absent* log key counts, and only for a signature made after the
    pin's reference time and not after now: then "update the trust root" is
    the right advice, not "invalid signature". That time is the bundle's own,
    unverifiable claim (the pin lacks the key to check it), which is why it is
    never enough to pass, only to choose exit 3 over exit 1; a claim in the
    future chooses nothing. Entries of known logs are verified, and an
    unknown CA is judged by verified times only (:func:`_explain_unknown_ca`).
    """
    if trust_root_time is None:
        return
    for entry in bundle.material.tlog_entries:
        if entry.integrated_time is None or trusted_root.tlogs_with_id(entry.log_id):
            continue
        try:
            signed_at = datetime.fromtimestamp(entry.integrated_time, UTC)
        except (OverflowError, ValueError, OSError):
            continue  # not a time at all: the log entry check rejects it
        if trust_root_time < signed_at <= now:
            raise StaleTrustRootError.signature_newer_than_pin(trust_root_time, signed_at)


def _explain_unknown_ca(
    leaf: x509.Certificate | None,
    trusted_root: TrustedRoot,
    trust_root_time: datetime | None,
    instants: list[datetime],
) -> None:
    """Raise StaleTrustRootError when a CA the pin lacks issued the leaf, and a
    *verified* time puts the signature after the pin's reference time."""
    if leaf is None or trust_root_time is None:
        return
    known = {ca.certificates[0].subject for ca in trusted_root.certificate_authorities}
    latest = max(instants)
    if leaf.issuer not in known and latest > trust_root_time:
        raise StaleTrustRootError.signature_newer_than_pin(trust_root_time, latest)


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
