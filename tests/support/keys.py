"""Fixed, reproducible keys and small encoders for the test Sigstore instance.

Every key of the fake instance is derived from a fixed label, so two runs
produce the same keys (and, with deterministic ECDSA, the same bytes). The
module also holds the tiny DER and base64 helpers the other support modules
share.

It does not build certificates, logs or bundles.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

__all__ = [
    "DETERMINISTIC_ECDSA",
    "ECDSA_SHA256",
    "ECDSA_SHA384",
    "b64",
    "ecdsa",
    "ed25519_key",
    "ed25519_raw",
    "p256_key",
    "p384_key",
    "p521_key",
    "rfc3339",
    "rsa_key",
    "sign_certificate",
    "signing_key",
    "spki_der",
    "spki_sha256",
]

#: Whether this cryptography (44 and later) offers deterministic (RFC 6979) ECDSA. With the
#: oldest supported version (43) signatures are randomized; nothing may depend on their bytes.
DETERMINISTIC_ECDSA = (
    "ecdsa_deterministic" in inspect.signature(x509.CertificateBuilder.sign).parameters
)


def ecdsa(algorithm: hashes.HashAlgorithm) -> ec.ECDSA:
    """ECDSA with ``algorithm``, deterministic where cryptography supports it."""
    if DETERMINISTIC_ECDSA:
        return ec.ECDSA(algorithm, deterministic_signing=True)
    return ec.ECDSA(algorithm)


def sign_certificate(
    builder: x509.CertificateBuilder,
    key: ec.EllipticCurvePrivateKey,
    algorithm: hashes.HashAlgorithm,
) -> x509.Certificate:
    """Sign a certificate, deterministically where cryptography supports it."""
    if DETERMINISTIC_ECDSA:
        return builder.sign(key, algorithm, ecdsa_deterministic=True)
    return builder.sign(key, algorithm)


ECDSA_SHA256 = ecdsa(hashes.SHA256())
ECDSA_SHA384 = ecdsa(hashes.SHA384())

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
    "581A0DB248B0A77AECEC196ACCC52973",
    16,
)


def _scalar(label: str, order: int) -> int:
    digest = hashlib.sha512(b"srcverify-test-key:" + label.encode()).digest()
    return int.from_bytes(digest, "big") % (order - 1) + 1


def p256_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A fixed ECDSA P-256 private key named by ``label``."""
    return ec.derive_private_key(_scalar(label, _P256_ORDER), ec.SECP256R1())


def p384_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A fixed ECDSA P-384 private key named by ``label``."""
    return ec.derive_private_key(_scalar(label, _P384_ORDER), ec.SECP384R1())


_P521_ORDER = int(
    "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
    16,
)


def p521_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A fixed ECDSA P-521 private key named by ``label``."""
    return ec.derive_private_key(_scalar(label, _P521_ORDER), ec.SECP521R1())


def ed25519_key(label: str) -> ed25519.Ed25519PrivateKey:
    """A fixed Ed25519 private key whose 32-byte seed is derived from ``label``."""
    seed = hashlib.sha256(b"srcverify-test-ed25519:" + label.encode()).digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


#: Signing curves the instance offers, and the hash Sigstore clients pair with each.
CURVES = {
    "P-256": (p256_key, "sha256"),
    "P-384": (p384_key, "sha384"),
    "P-521": (p521_key, "sha512"),
    "Ed25519": (ed25519_key, "sha256"),  # signs the message itself; messageDigest is SHA-256
}


def signing_key(
    curve: str, label: str
) -> tuple[ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey, str]:
    """(a fixed key on ``curve``, the hash algorithm its signatures use)."""
    make, algorithm = CURVES[curve]
    return make(label), algorithm


# Two fixed 1024-bit primes (made once with cryptography's generator): RSA key generation
# is randomized, so the instance's one RSA key is written down instead of derived from a label.
_RSA_P = int(
    "fc8f657ca93a363c670c858deff86c2a71dae98ec59377af7fcad956580642ccea5c2dbf08e9ff63"
    "c3c85a0fd210c7b3821953b4967b2cfc12c353b398ef21a05baed17eb107379463e0cdf1a4cf002d"
    "a67b2227982939d9fb6a918c3dc6abfef45a1d39c8c3d94a6cc8b984b74d529ceca792459dc38aae"
    "7b0fdc153b2a71a9",
    16,
)
_RSA_Q = int(
    "f2772963ed293e43c868ce9420f135b671bed05d6d245866078fb1b6fc0e7e374fb6979cea418aa4"
    "d26cabea40d3454eda9cdd13b09e57d3c08c53211e51d64ae09089e56a55b4a01a2ef570da042a58"
    "f4bd22cf8220bae605a8ceed218f36555f842d87e8ea15dcc7575d4255f1e56e48075d7e3d261320"
    "5c2316ef84c1cd13",
    16,
)


def rsa_key() -> rsa.RSAPrivateKey:
    """The instance's fixed RSA-2048 private key (e = 65537)."""
    e = 65537
    d = pow(e, -1, (_RSA_P - 1) * (_RSA_Q - 1))
    public = rsa.RSAPublicNumbers(e, _RSA_P * _RSA_Q)
    return rsa.RSAPrivateNumbers(
        _RSA_P,
        _RSA_Q,
        d,
        rsa.rsa_crt_dmp1(d, _RSA_P),
        rsa.rsa_crt_dmq1(d, _RSA_Q),
        rsa.rsa_crt_iqmp(_RSA_P, _RSA_Q),
        public,
    ).private_key()


def ed25519_raw(key: ed25519.Ed25519PublicKey) -> bytes:
    """The 32 raw public key bytes of an Ed25519 key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def spki_der(
    key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey,
) -> bytes:
    """DER SubjectPublicKeyInfo of a public key."""
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def spki_sha256(
    key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey,
) -> bytes:
    """SHA-256 of the DER SubjectPublicKeyInfo (Rekor v1 / CT log ID, key hint)."""
    return hashlib.sha256(spki_der(key)).digest()


def b64(data: bytes) -> str:
    """Standard base64 with padding, as protobuf JSON writes ``bytes``."""
    return base64.b64encode(data).decode("ascii")


def rfc3339(when: datetime) -> str:
    """``2025-01-01T00:00:00Z`` form used in trusted_root.json."""
    when = when.astimezone(UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond // 1000:03d}"
    return text + "Z"
