"""A test RFC 3161 timestamp authority with fixed keys and certificates.

:class:`TestTSA` issues a root (and optionally an intermediate) and a leaf
certificate with a critical ``timeStamping`` EKU, all from fixed private keys
and fixed validity dates, and answers :meth:`TestTSA.timestamp` with the DER
of a ``TimeStampResp`` over a given signature. Keyword knobs produce each
defect a verifier must reject (wrong imprint, bad signature, wrong signed
attributes, unusual signer identifiers ...), one at a time.

ECDSA signatures are deterministic (RFC 6979) and RSA keys are derived from
fixed seeds, so the same call returns the same bytes on every run.

It does not verify anything, and it is test support code only.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from srcverify.sigstore.trustroot import CertificateAuthority, ValidityWindow
from tests.support import der_encode as d
from tests.support.keys import ecdsa, sign_certificate

__all__ = ["OID", "TestTSA"]

KeyKind = Literal["p256", "p384", "rsa"]
EkuMode = Literal["critical", "non-critical", "missing", "wrong-purpose"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

#: Object identifiers the fixtures write (dotted text).
OID = {
    "signed-data": "1.2.840.113549.1.7.2",
    "data": "1.2.840.113549.1.7.1",
    "tst-info": "1.2.840.113549.1.9.16.1.4",
    "content-type": "1.2.840.113549.1.9.3",
    "message-digest": "1.2.840.113549.1.9.4",
    "signing-time": "1.2.840.113549.1.9.5",
    "signing-certificate-v2": "1.2.840.113549.1.9.16.2.47",
    "sha1": "1.3.14.3.2.26",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "ecdsa-with-sha256": "1.2.840.10045.4.3.2",
    "ecdsa-with-sha384": "1.2.840.10045.4.3.3",
    "sha256-with-rsa": "1.2.840.113549.1.1.11",
    "test-policy": "1.3.6.1.4.1.57264.99.1",
}

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha1": hashes.SHA1(),
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}

DEFAULT_NOT_BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT_NOT_AFTER = datetime(2034, 1, 1, tzinfo=UTC)


class TestTSA:
    """A timestamp authority with fixed keys: root [+ intermediate] + leaf.

    Args:
        name: common name of the leaf (the root is ``<name> root``).
        seed: selects the fixed keys; two TSAs with different seeds are
            unrelated (use one as the "untrusted" TSA).
        key: leaf key type; the CA keys are always P-384.
        not_before: start of every certificate's validity.
        not_after: end of every certificate's validity.
        eku: the leaf's extended key usage: ``critical`` timeStamping (the
            correct form), ``non-critical``, ``missing`` or ``wrong-purpose``
            (critical, but codeSigning).
        intermediate: put an intermediate CA between root and leaf.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        name: str = "srcverify test TSA",
        *,
        seed: int = 1,
        key: KeyKind = "p256",
        not_before: datetime = DEFAULT_NOT_BEFORE,
        not_after: datetime = DEFAULT_NOT_AFTER,
        eku: EkuMode = "critical",
        intermediate: bool = False,
    ) -> None:
        self.name = name
        self.key_kind = key
        root_key = ec.derive_private_key(0x5EED_0000_0001 + seed * 7919, ec.SECP384R1())
        self.leaf_key: PrivateKey = (
            _rsa_key(seed)
            if key == "rsa"
            else ec.derive_private_key(
                0x5EED_0000_0002 + seed * 7919,
                ec.SECP256R1() if key == "p256" else ec.SECP384R1(),
            )
        )
        root_name = _name(f"{name} root")
        self.root = _certificate(
            root_name, root_name, root_key, root_key, 1000 + seed, not_before, not_after, ca=True
        )
        issuer_key, issuer = root_key, self.root
        self.intermediate: x509.Certificate | None = None
        if intermediate:
            mid_key = ec.derive_private_key(0x5EED_0000_0003 + seed * 7919, ec.SECP384R1())
            self.intermediate = _certificate(
                _name(f"{name} intermediate"),
                root_name,
                mid_key,
                root_key,
                2000 + seed,
                not_before,
                not_after,
                ca=True,
            )
            issuer_key, issuer = mid_key, self.intermediate
        self.leaf = _certificate(
            _name(name),
            issuer.subject,
            self.leaf_key,
            issuer_key,
            3000 + seed,
            not_before,
            not_after,
            ca=False,
            eku=eku,
        )

    # --- trust root material ------------------------------------------------

    @property
    def chain(self) -> list[x509.Certificate]:
        """The certificate chain, leaf first, root last."""
        middle = [self.intermediate] if self.intermediate is not None else []
        return [self.leaf, *middle, self.root]

    @property
    def chain_der(self) -> list[bytes]:
        """The DER certificate chain, leaf first, root last."""
        return [cert.public_bytes(Encoding.DER) for cert in self.chain]

    def authority_json(
        self, valid_from: datetime, valid_to: datetime | None = None
    ) -> dict[str, Any]:
        """This TSA as a ``trusted_root.json`` ``timestampAuthorities`` entry."""
        valid_for = {"start": _rfc3339(valid_from)}
        if valid_to is not None:
            valid_for["end"] = _rfc3339(valid_to)
        return {
            "subject": {"organization": "srcverify tests", "commonName": self.name},
            "uri": f"https://tsa.test/{self.name.replace(' ', '-')}",
            "certChain": {
                "certificates": [
                    {"rawBytes": base64.b64encode(der).decode("ascii")} for der in self.chain_der
                ]
            },
            "validFor": valid_for,
        }

    def authority(
        self, valid_from: datetime, valid_to: datetime | None = None
    ) -> CertificateAuthority:
        """This TSA as the parsed :class:`CertificateAuthority` model."""
        return CertificateAuthority(
            uri=f"https://tsa.test/{self.name.replace(' ', '-')}",
            subject=f"organization=srcverify tests, commonName={self.name}",
            certificates=tuple(self.chain),
            validity=ValidityWindow(valid_from.astimezone(UTC), valid_to),
        )

    # --- timestamps ----------------------------------------------------------

    def timestamp(
        self,
        signature: bytes,
        at: datetime,
        *,
        embed_cert: bool = True,
        embed_chain: bool = False,
        hash_name: str = "sha256",
        serial: int = 0x1234_5678_9ABC,
        nonce: int | None = 0x0102_0304,
        policy: str = OID["test-policy"],
        status: int = 0,
        signer_id: Literal["issuer-serial", "ski"] = "issuer-serial",
        wrong_imprint: bool = False,
        bad_signature: bool = False,
        content_type_attr: str | None = None,
        message_digest_attr: bytes | None = None,
        econtent_type: str = OID["tst-info"],
        tst_version: int = 1,
        omit_attrs: Collection[str] = (),
        signed_by: TestTSA | None = None,
        ess_cert_hash: bytes | None = None,
    ) -> bytes:
        """A DER ``TimeStampResp`` whose imprint is ``hash_name(signature)``.

        Args:
            signature: the bytes the timestamp vouches for.
            at: the genTime (tz-aware; microseconds become a fraction).
            embed_cert: put the signing certificate in ``certificates``.
            embed_chain: put the whole chain there (implies ``embed_cert``).
            hash_name: imprint hash (``sha1`` is allowed here, to be rejected).
            serial: TSTInfo serial number.
            nonce: TSTInfo nonce, or None to leave it out.
            policy: TSTInfo policy OID.
            status: PKIStatus; anything but 0/1 returns a response without a token.
            signer_id: identify the signer by issuer+serial or by key identifier.
            wrong_imprint: imprint the hash of different bytes.
            bad_signature: corrupt the SignerInfo signature.
            content_type_attr: write this OID in the content-type attribute.
            message_digest_attr: write these bytes in the message-digest attribute.
            econtent_type: the encapsulated content type.
            tst_version: the TSTInfo version.
            omit_attrs: signed attribute names to leave out (``content-type``,
                ``message-digest``, ``signing-certificate-v2``).
            signed_by: sign with that TSA's leaf key while naming this leaf.
            ess_cert_hash: write this certHash in the signing-certificate-v2
                attribute instead of the leaf's SHA-256.
        """
        if status not in (0, 1):
            return d.sequence(d.sequence(d.integer(status), d.sequence(d.utf8_string("no"))))
        imprinted = signature + b"tampered" if wrong_imprint else signature
        imprint = hashlib.new(hash_name, imprinted).digest()
        tst_info = d.sequence(
            d.integer(tst_version),
            d.oid(policy),
            d.sequence(d.sequence(d.oid(OID[hash_name]), d.null()), d.octet_string(imprint)),
            d.integer(serial),
            d.generalized_time(at),
            d.sequence(d.integer(1)),  # accuracy: 1 second
            *([d.integer(nonce)] if nonce is not None else []),
        )
        signer_hash = "sha384" if self.key_kind == "p384" else "sha256"
        attributes = {
            "content-type": d.oid(content_type_attr or econtent_type),
            "message-digest": d.octet_string(
                message_digest_attr
                if message_digest_attr is not None
                else hashlib.new(signer_hash, tst_info).digest()
            ),
            "signing-time": _utc_time(at),
            "signing-certificate-v2": d.sequence(
                d.sequence(d.sequence(d.octet_string(ess_cert_hash or _sha256(self.leaf)))),
            ),
        }
        signed_attrs = d.set_of(
            *(
                d.sequence(d.oid(OID[label]), d.set_of(value))
                for label, value in attributes.items()
                if label not in omit_attrs
            )
        )
        key = (signed_by or self).leaf_key
        sig = _sign(key, signed_attrs, signer_hash)
        if bad_signature:
            sig = sig[:-1] + bytes([sig[-1] ^ 0x01])
        sig_alg = (
            OID["sha256-with-rsa"]
            if isinstance(key, rsa.RSAPrivateKey)
            else OID[f"ecdsa-with-{signer_hash}"]
        )
        signer_info = d.sequence(
            d.integer(1 if signer_id == "issuer-serial" else 3),
            self._signer_identifier(signer_id),
            d.sequence(d.oid(OID[signer_hash])),
            b"\xa0" + signed_attrs[1:],  # [0] IMPLICIT SET OF Attribute
            d.sequence(d.oid(sig_alg)),
            d.octet_string(sig),
        )
        certs = self.chain_der if embed_chain else [self.chain_der[0]] if embed_cert else []
        signed_data = d.sequence(
            d.integer(3),
            d.set_of(d.sequence(d.oid(OID[signer_hash]))),
            d.sequence(d.oid(econtent_type), d.context(0, d.octet_string(tst_info))),
            *([d.context(0, b"".join(sorted(certs)))] if certs else []),  # DER SET order
            d.set_of(signer_info),
        )
        token = d.sequence(d.oid(OID["signed-data"]), d.context(0, signed_data))
        return d.sequence(d.sequence(d.integer(status)), token)

    def _signer_identifier(self, kind: str) -> bytes:
        if kind == "ski":
            ski = self.leaf.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            return d.tlv(0x80, ski.value.digest)
        return d.sequence(self.leaf.issuer.public_bytes(), d.integer(self.leaf.serial_number))


# --- certificates and keys ---------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "srcverify tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    key: PrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    *,
    ca: bool,
    eku: EkuMode = "critical",
) -> x509.Certificate:
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if not ca and eku != "missing":
        purpose = (
            ExtendedKeyUsageOID.CODE_SIGNING
            if eku == "wrong-purpose"
            else ExtendedKeyUsageOID.TIME_STAMPING
        )
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([purpose]), critical=eku != "non-critical"
        )
    return sign_certificate(builder, issuer_key, hashes.SHA384())


def _sign(key: PrivateKey, data: bytes, hash_name: str) -> bytes:
    algorithm = _HASHES[hash_name]
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), algorithm)
    return key.sign(data, ecdsa(algorithm))


def _sha256(cert: x509.Certificate) -> bytes:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()


def _utc_time(when: datetime) -> bytes:
    return d.tlv(0x17, when.astimezone(UTC).strftime("%y%m%d%H%M%SZ").encode("ascii"))


def _rfc3339(when: datetime) -> str:
    when = when.astimezone(UTC)
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}"
    return text + "Z"


@lru_cache(maxsize=8)
def _rsa_key(seed: int) -> rsa.RSAPrivateKey:
    """A fixed 2048-bit RSA key: primes found by searching up from hashed seeds."""
    e = 65537
    p = _next_prime(_seeded_odd(f"rsa-p-{seed}"), e)
    q = _next_prime(_seeded_odd(f"rsa-q-{seed}"), e)
    d_ = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p,
        q=q,
        d=d_,
        dmp1=rsa.rsa_crt_dmp1(d_, p),
        dmq1=rsa.rsa_crt_dmq1(d_, q),
        iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()


def _seeded_odd(label: str) -> int:
    digest = b"".join(hashlib.sha512(f"{label}-{i}".encode()).digest() for i in range(2))
    value = int.from_bytes(digest, "big")  # 1024 bits
    return value | (3 << 1022) | 1  # top two bits set: p*q has exactly 2048 bits


def _next_prime(candidate: int, e: int) -> int:
    while not (_probably_prime(candidate) and (candidate - 1) % e != 0):
        candidate += 2
    return candidate


def _probably_prime(n: int) -> bool:
    small = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73)
    if any(n % p == 0 for p in small):
        return False
    r, m = 0, n - 1
    while m % 2 == 0:
        r, m = r + 1, m // 2
    for base in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41):
        x = pow(base, m, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True
