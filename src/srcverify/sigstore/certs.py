"""Fulcio certificate chain and profile checks at the verified signing times.

:func:`verify_chain` walks from a signing (leaf) certificate up to the root of
one trusted Fulcio certificate authority, using only certificates the trusted
root lists, and requires every certificate on that path -- and the
authority's own validity window -- to cover every verified time. Issuers must
be CAs allowed to sign certificates, and path length constraints hold.
Certificates a v0.1/v0.2 bundle carries after its leaf are only accepted if
they are byte-identical to certificates of that trusted chain; a bundle that
ships a self-signed (root) certificate is rejected outright.
:func:`check_fulcio_profile` checks the leaf is a code-signing certificate.

This module does not establish the verified times (transparency log and
timestamp checks do), does not check embedded SCTs (:mod:`srcverify.sigstore.sct`),
does not look at the signer's identity (:mod:`srcverify.sigstore.identity`), and does
no revocation checking: Sigstore certificates are short-lived by design.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from srcverify.errors import CertificateError
from srcverify.sigstore.trustroot import CertificateAuthority

__all__ = [
    "check_fulcio_profile",
    "describe_certificate",
    "issuer_of",
    "verify_chain",
    "without_trusted_root",
]

_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


def without_trusted_root(
    chain: Sequence[x509.Certificate], authorities: Sequence[CertificateAuthority]
) -> tuple[list[x509.Certificate], x509.Certificate | None]:
    """``chain`` without a last certificate that *is* a trusted root CA, and that root.

    The bundle format says signers must not include the root but verifiers
    should tolerate it: a copy of a certificate the trusted root already
    holds adds nothing, so the chain is verified as if it were absent. Only
    a byte-identical copy of the last certificate of a trusted CA's chain, at
    the end of the bundle's chain, is dropped; any other self-signed
    certificate is still refused by :func:`verify_chain`.
    """
    if not chain:
        return list(chain), None
    roots = [authority.certificates[-1] for authority in authorities if authority.certificates]
    last = chain[-1]
    if any(last == root for root in roots):
        return list(chain[:-1]), last
    return list(chain), None


def verify_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    authorities: Sequence[CertificateAuthority],
    times: Sequence[datetime],
) -> CertificateAuthority:
    """Chain ``leaf`` to a trusted Fulcio CA valid at every verified time.

    Args:
        leaf: the signing certificate.
        intermediates: certificates the bundle carries after the leaf
            (v0.1/v0.2 ``x509CertificateChain``); each must be identical to
            a certificate of the trusted chain, and none may be self-signed.
        authorities: the trusted root's Fulcio certificate authorities; each
            chain is ordered leaf-most first, root last.
        times: the verified signing times (tz-aware). Every certificate on
            the path and the authority's validity window must cover all of
            them, both ends inclusive.

    Returns:
        The certificate authority the leaf chains to.

    Raises:
        CertificateError: no verified time, a root certificate in the bundle,
            an untrusted issuer, a bad signature, a certificate or authority
            not valid at one of the times, or an issuer not allowed to issue.
    """
    checked_times = _checked_times(times)
    for cert in intermediates:
        if _is_self_issued(cert):
            raise CertificateError(
                f"bundle chain includes a root CA: self-signed {describe_certificate(cert)}; "
                "the root must come from the trusted root, not the bundle (only a copy of "
                "a trusted root as the chain's last certificate is tolerated)"
            )
    if not authorities:
        raise CertificateError("trusted root has no Fulcio certificate authority")

    failures: list[str] = []
    for authority in authorities:
        if not any(cert.subject == leaf.issuer for cert in authority.certificates):
            continue
        try:
            _verify_with_authority(leaf, intermediates, authority, checked_times)
        except CertificateError as exc:
            failures.append(exc.detail)
            continue
        return authority
    if failures:
        raise CertificateError("; ".join(failures))
    trusted = ", ".join(_authority_name(a) for a in authorities)
    raise CertificateError(
        f"leaf issuer {_name(leaf.issuer)} is not a certificate of any trusted Fulcio CA "
        f"(trusted: {trusted})"
    )


def issuer_of(leaf: x509.Certificate, authority: CertificateAuthority) -> x509.Certificate:
    """The certificate of ``authority`` that directly issued ``leaf``.

    The SCT check needs it (its key hash is part of the signed data). Call it
    after :func:`verify_chain` accepted ``leaf`` for ``authority``: a single
    certificate with the leaf's issuer name is taken as is.

    Raises:
        CertificateError: no certificate of the chain issued ``leaf``.
    """
    candidates = [cert for cert in authority.certificates if cert.subject == leaf.issuer]
    if len(candidates) == 1:
        # verify_chain already checked this signature; a wrong pick could only make
        # the SCT check (which hashes the issuer's key) fail, never pass.
        return candidates[0]
    for cert in candidates:
        if _signed_by(leaf, cert) is None:
            return cert
    raise CertificateError(
        f"no certificate of CA {_authority_name(authority)} issued "
        f"{describe_certificate(leaf, 'leaf')}"
    )


def check_fulcio_profile(leaf: x509.Certificate) -> None:
    """Check ``leaf`` is a Fulcio code-signing certificate.

    Requires KeyUsage with digitalSignature, ExtendedKeyUsage with
    codeSigning, no CA capability, and a SubjectAlternativeName.

    Raises:
        CertificateError: the first profile rule the certificate breaks.
    """
    what = describe_certificate(leaf, "leaf")
    key_usage = _extension(leaf, x509.KeyUsage)
    if key_usage is None:
        raise CertificateError(f"{what}: no KeyUsage extension (expected digitalSignature)")
    if not key_usage.digital_signature:
        raise CertificateError(f"{what}: KeyUsage lacks digitalSignature")
    eku = _extension(leaf, x509.ExtendedKeyUsage)
    if eku is None:
        raise CertificateError(f"{what}: no ExtendedKeyUsage extension (expected codeSigning)")
    if ExtendedKeyUsageOID.CODE_SIGNING not in eku:
        found = ", ".join(oid.dotted_string for oid in eku) or "none"
        raise CertificateError(
            f"{what}: ExtendedKeyUsage lacks codeSigning "
            f"({ExtendedKeyUsageOID.CODE_SIGNING.dotted_string}); found {found}"
        )
    constraints = _extension(leaf, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise CertificateError(f"{what}: is a CA certificate (BasicConstraints CA=true)")
    if key_usage.key_cert_sign:
        raise CertificateError(f"{what}: KeyUsage allows keyCertSign; a leaf must not")
    if _extension(leaf, x509.SubjectAlternativeName) is None:
        raise CertificateError(f"{what}: no SubjectAlternativeName extension")


def describe_certificate(cert: x509.Certificate, role: str = "") -> str:
    """A short description for messages: role, subject (if any) and serial.

    ``describe_certificate(leaf, "leaf")`` gives ``leaf certificate (serial 0x1f)``.
    """
    label = f"{role} certificate" if role else "certificate"
    subject = cert.subject.rfc4514_string()
    named = f"{label} {subject}" if subject else label
    return f"{named} (serial {cert.serial_number:#x})"


# --- one authority ------------------------------------------------------------


def _verify_with_authority(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    authority: CertificateAuthority,
    times: Sequence[datetime],
) -> None:
    name = _authority_name(authority)
    trusted_der = {_der(cert) for cert in authority.certificates}
    for cert in intermediates:
        if _der(cert) not in trusted_der:
            raise CertificateError(
                f"bundle chain {describe_certificate(cert)} is not identical to any "
                f"certificate of trusted CA {name}"
            )
    path = _build_path(leaf, authority)
    for index, cert in enumerate(path):
        role = _role(index, len(path))
        for when in times:
            if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
                raise CertificateError(
                    f"{describe_certificate(cert, role)} not valid at {_iso(when)}: "
                    f"valid {_iso(cert.not_valid_before_utc)} .. {_iso(cert.not_valid_after_utc)}"
                )
        if index > 0:
            _check_issuer(cert, role, intermediates_below=index - 1)
    for when in times:
        if not authority.validity.contains(when):
            raise CertificateError(
                f"trusted CA {name} not valid at {_iso(when)}: "
                f"valid {authority.validity.describe()}"
            )


def _build_path(leaf: x509.Certificate, authority: CertificateAuthority) -> list[x509.Certificate]:
    """Leaf, then its issuers from the trusted chain, ending at the chain's root."""
    anchor = authority.certificates[-1]
    path = [leaf]
    current = leaf
    while current is not anchor:
        if len(path) > len(authority.certificates):
            raise CertificateError(f"trusted CA {_authority_name(authority)}: issuer loop")
        what = describe_certificate(current, "leaf" if current is leaf else "trusted")
        candidates = [c for c in authority.certificates if c.subject == current.issuer]
        if not candidates:
            raise CertificateError(
                f"{what}: issuer {_name(current.issuer)} is not in "
                f"trusted CA {_authority_name(authority)}"
            )
        if current is not leaf:
            # A link inside the trusted chain is given by the (authenticated) trust
            # root itself: its validity and CA constraints are checked, its
            # signature is not re-verified on every run.
            path.append(candidates[0])
            current = candidates[0]
            continue
        reasons = []
        for candidate in candidates:
            reason = _signed_by(current, candidate)
            if reason is None:
                path.append(candidate)
                current = candidate
                break
            reasons.append(reason)
        else:
            raise CertificateError(
                f"{what}: signature does not verify with the key of "
                f"{describe_certificate(candidates[0], 'trusted')} ({'; '.join(reasons)})"
            )
        if current is not anchor and _is_self_issued(current):
            raise CertificateError(
                f"trusted CA {_authority_name(authority)}: self-signed "
                f"{describe_certificate(current)} is not the last certificate of its chain"
            )
    return path


def _check_issuer(cert: x509.Certificate, role: str, *, intermediates_below: int) -> None:
    what = describe_certificate(cert, role)
    constraints = _extension(cert, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise CertificateError(f"{what} issued a certificate but is not a CA (BasicConstraints)")
    if constraints.path_length is not None and intermediates_below > constraints.path_length:
        raise CertificateError(
            f"{what}: path length constraint {constraints.path_length} exceeded by "
            f"{intermediates_below} intermediate CA certificate(s) below it"
        )
    key_usage = _extension(cert, x509.KeyUsage)
    if key_usage is None or not key_usage.key_cert_sign:
        raise CertificateError(f"{what} issued a certificate but KeyUsage lacks keyCertSign")


# --- helpers ------------------------------------------------------------------


def _checked_times(times: Sequence[datetime]) -> list[datetime]:
    if not times:
        raise CertificateError("no verified time to check the certificate chain at")
    checked = []
    for when in times:
        if when.tzinfo is None:
            raise CertificateError(f"verified time {when.isoformat()} has no time zone")
        checked.append(when.astimezone(UTC))
    return checked


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """None if ``issuer`` signed ``cert``, else why not."""
    try:
        cert.verify_directly_issued_by(issuer)
    except InvalidSignature:
        return "invalid signature"
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return f"cannot verify: {exc}"
    return None


def _is_self_issued(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer


def _extension(cert: x509.Certificate, kind: type[_Ext]) -> _Ext | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:
        raise CertificateError(
            f"{describe_certificate(cert)}: malformed extensions ({exc})"
        ) from exc


def _role(index: int, length: int) -> str:
    if index == 0:
        return "leaf"
    return "root" if index == length - 1 else "intermediate"


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def _name(name: x509.Name) -> str:
    return name.rfc4514_string() or "(empty name)"


def _authority_name(authority: CertificateAuthority) -> str:
    return authority.subject or authority.uri or _name(authority.certificates[-1].subject)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
