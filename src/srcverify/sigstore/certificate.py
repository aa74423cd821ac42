"""Decoding X.509 certificates so that later steps can rely on them.

:func:`load_der_certificate` decodes DER and reads every field verification
uses, so a malformed certificate fails here, as one :class:`ValueError`,
rather than part-way through a chain check. It is shared by the bundle, the
trusted root and RFC 3161 tokens. It checks nothing about trust, validity or
profile (that is :mod:`srcverify.sigstore.certs`).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

__all__ = ["CERTIFICATE_ERRORS", "load_der_certificate"]


# What cryptography raises, at load time or on first access, for a malformed certificate
# (KeyError: seen from cryptography 43 on some mangled extensions).
CERTIFICATE_ERRORS = (
    ValueError,
    KeyError,
    TypeError,
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)


def load_der_certificate(raw: bytes) -> x509.Certificate:
    """Decode a DER certificate and the fields verification reads.

    Decoding is lazy in cryptography: a certificate can load and then fail
    when its extensions or key are first read. Reading them here means a
    certificate that loads is one the later steps can use.

    Raises:
        ValueError: the bytes are not a usable certificate (whatever
            cryptography raised is chained).
    """
    try:
        certificate = x509.load_der_x509_certificate(raw)
        _ = (certificate.subject, certificate.issuer, certificate.serial_number)
        _ = certificate.extensions
        _ = (certificate.not_valid_before_utc, certificate.not_valid_after_utc)
        certificate.public_key()
    except CERTIFICATE_ERRORS as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    return certificate
