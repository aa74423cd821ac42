"""A small TUF repository built with python-tuf's metadata API and test keys.

``TufRepo`` plays Sigstore's TUF repository: a root (3 keys, threshold 2),
timestamp and snapshot (one online key each), targets (2 keys, threshold 1)
listing ``trusted_root.json`` (a small parseable one, see
:func:`trusted_root_bytes`) and ``signing_config.v0.2.json``. It publishes new versions, rotates the
root (and with it any role's keys), and writes either a pin directory (the
srcverify layout) or a mirror in the published layout that ``tuf.ngclient``
reads (``N.root.json``, ``timestamp.json``, ``V.snapshot.json``,
``V.targets.json``, ``targets/<sha256>.<name>``).

Every historical version is kept, so tests can mix and match or roll back.
Nothing here verifies.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)

from srcverify.pin.record import PinRecord
from srcverify.pin.write import write_pin

__all__ = ["EXPIRES", "T", "TufRepo", "expired", "snapshot_tree", "trusted_root_bytes"]

#: Reference time of generated pins.
T = datetime(2030, 1, 1, tzinfo=UTC)
#: Default expiry of every generated role (well after T).
EXPIRES = datetime(2099, 1, 1, tzinfo=UTC)
ROLES = ("root", "timestamp", "snapshot", "targets")
_KEYS = {"root": 3, "timestamp": 1, "snapshot": 1, "targets": 2}
_THRESHOLD = {"root": 2, "timestamp": 1, "snapshot": 1, "targets": 1}


def _p256(label: str) -> ec.EllipticCurvePrivateKey:
    secret = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    return ec.derive_private_key(secret % (2**255) + 1, ec.SECP256R1())


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _window(start: str, end: str | None) -> dict[str, str]:
    return {"start": start} if end is None else {"start": start, "end": end}


def _log(url: str, label: str, start: str, end: str | None) -> dict[str, Any]:
    der = _spki(_p256(label))
    return {
        "baseUrl": url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": base64.b64encode(der).decode(),
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "validFor": _window(start, end),
        },
        "logId": {"keyId": base64.b64encode(hashlib.sha256(der).digest()).decode()},
    }


@functools.cache
def _ca_cert(label: str) -> bytes:
    key = _p256(label)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, label)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big"))
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _ca(uri: str, label: str, start: str, end: str | None) -> dict[str, Any]:
    der = _ca_cert(label)
    return {
        "subject": {"organization": "tufrepo.test", "commonName": label},
        "uri": uri,
        "certChain": {"certificates": [{"rawBytes": base64.b64encode(der).decode()}]},
        "validFor": _window(start, end),
    }


def trusted_root_bytes(
    *, rekor_end: str | None = None, second_rekor: bool = False, tsa: bool = False
) -> bytes:
    """A small parseable ``trusted_root.json`` (fixed keys; options make variants).

    Args:
        rekor_end: end of the first Rekor log's validity window (open if None).
        second_rekor: also list a second Rekor log.
        tsa: also list a timestamp authority.
    """
    start = "2024-01-01T00:00:00Z"
    tlogs = [_log("https://rekor.tufrepo.test", "rekor-1", start, rekor_end)]
    if second_rekor:
        tlogs.append(_log("https://rekor2.tufrepo.test", "rekor-2", "2029-06-01T00:00:00Z", None))
    doc = {
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": tlogs,
        "certificateAuthorities": [_ca("https://fulcio.tufrepo.test", "fulcio", start, None)],
        "ctlogs": [_log("https://ctfe.tufrepo.test", "ctfe", start, None)],
        "timestampAuthorities": (
            [_ca("https://tsa.tufrepo.test", "tsa", start, None)] if tsa else []
        ),
    }
    return json.dumps(doc, indent=2).encode()


def snapshot_tree(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` (relative path -> bytes), to compare trees."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class TufRepo:
    """A generated TUF repository; see the module docstring."""

    def __init__(self, *, expires: datetime = EXPIRES) -> None:
        self.expires = expires
        self.signers = {role: [_signer() for _ in range(_KEYS[role])] for role in ROLES}
        root = Root(expires=expires, consistent_snapshot=True)
        for role in ROLES:
            for signer in self.signers[role]:
                root.add_key(signer.public_key, role)
            root.roles[role].threshold = _THRESHOLD[role]
        self.root = Metadata(root)
        self.roots: dict[int, bytes] = {1: self.sign(self.root, self.signers["root"])}
        self.target_files: dict[str, bytes] = {
            "trusted_root.json": trusted_root_bytes(),
            "signing_config.v0.2.json": b'{"mediaType": "test signing config"}\n',
        }
        self.timestamp = Metadata(Timestamp(expires=expires, snapshot_meta=MetaFile(1)))
        self.snapshot = Metadata(Snapshot(expires=expires, meta={"targets.json": MetaFile(1)}))
        self.targets = Metadata(Targets(expires=expires))
        self.history: dict[str, dict[int, bytes]] = {r: {} for r in ROLES[1:]}
        self.publish(bump=False)

    # --- building ---------------------------------------------------------------

    @staticmethod
    def sign(md: Metadata[Any], signers: Iterable[CryptoSigner]) -> bytes:
        """Replace ``md``'s signatures by those of ``signers``; return its bytes."""
        md.signatures.clear()
        for signer in signers:
            md.sign(signer, append=True)
        return md.to_bytes()

    def publish(
        self,
        *,
        bump: bool = True,
        hashes_in_meta: bool = True,
        expires: Mapping[str, datetime] | None = None,
    ) -> None:
        """Sign new targets, snapshot and timestamp versions over ``target_files``.

        ``expires`` overrides the expiry of some roles (role -> time).
        """
        for role, md in (
            ("targets", self.targets),
            ("snapshot", self.snapshot),
            ("timestamp", self.timestamp),
        ):
            if bump:
                md.signed.version += 1
            md.signed.expires = (expires or {}).get(role, self.expires)
        self.targets.signed.targets = {
            name: TargetFile.from_data(name, data, ["sha256", "sha512"])
            for name, data in self.target_files.items()
        }
        targets = self.sign(self.targets, self.signers["targets"][:1])
        self.snapshot.signed.meta["targets.json"] = _meta(
            self.targets.signed.version, targets, hashes_in_meta
        )
        snapshot = self.sign(self.snapshot, self.signers["snapshot"])
        self.timestamp.signed.snapshot_meta = _meta(
            self.snapshot.signed.version, snapshot, hashes_in_meta
        )
        timestamp = self.sign(self.timestamp, self.signers["timestamp"])
        self.history["targets"][self.targets.signed.version] = targets
        self.history["snapshot"][self.snapshot.signed.version] = snapshot
        self.history["timestamp"][self.timestamp.signed.version] = timestamp

    def rotate_root(
        self,
        *,
        roles: Iterable[str] = ("root",),
        sign_with_old: bool = True,
        sign_with_new: bool = True,
    ) -> int:
        """Publish root N+1 with fresh keys for ``roles``; return N+1.

        The new root is signed by the old root keys and by its own (each
        switchable, to make broken rotations). Call :meth:`publish` after
        rotating online roles so their metadata is signed with the new keys.
        """
        old_signers = list(self.signers["root"])
        root = self.root.signed
        for role in roles:
            for keyid in list(root.roles[role].keyids):
                root.revoke_key(keyid, role)
            self.signers[role] = [_signer() for _ in range(_KEYS[role])]
            for signer in self.signers[role]:
                root.add_key(signer.public_key, role)
        root.version += 1
        signers = old_signers if sign_with_old else []
        if sign_with_new:
            signers += [s for s in self.signers["root"] if s not in signers]
        self.roots[root.version] = self.sign(self.root, signers)
        return root.version

    # --- output -----------------------------------------------------------------

    def pin_files(
        self, *, roots: Iterable[int] | None = None, with_metadata: bool = True
    ) -> dict[str, bytes]:
        """The files of a pin: path -> bytes."""
        versions = sorted(self.roots) if roots is None else sorted(roots)
        files = {f"metadata/{v}.root.json": self.roots[v] for v in versions}
        if with_metadata:
            for role in ROLES[1:]:
                files[f"metadata/{role}.json"] = self.latest(role)
        files.update({f"targets/{n}": d for n, d in self.target_files.items()})
        return files

    def latest(self, role: str) -> bytes:
        """The newest published bytes of a top-level role."""
        return self.history[role][max(self.history[role])]

    def write_pin(
        self,
        directory: Path,
        *,
        files: Mapping[str, bytes] | None = None,
        reference_time: datetime = T,
        **options: Any,
    ) -> Path:
        """Write a pin directory with a matching ``pin.json``; return it."""
        files = dict(files if files is not None else self.pin_files(**options))
        record = PinRecord.for_files(
            reference_time=reference_time,
            reference_time_note="generated test pin",
            origin="tests.support.tufrepo",
            repository="https://tuf.test",
            files={path: (data, "generated") for path, data in files.items()},
        )
        write_pin(directory, record.to_json(), files)
        return directory

    def write_mirror(self, directory: Path) -> Path:
        """Write the repository in its published (consistent snapshot) layout."""
        (directory / "targets").mkdir(parents=True, exist_ok=True)
        for version, data in self.roots.items():
            (directory / f"{version}.root.json").write_bytes(data)
        (directory / "timestamp.json").write_bytes(self.latest("timestamp"))
        for role in ("snapshot", "targets"):
            for version, data in self.history[role].items():
                (directory / f"{version}.{role}.json").write_bytes(data)
        for name, info in self.targets.signed.targets.items():
            data = self.target_files[name]
            (directory / "targets" / f"{info.hashes['sha256']}.{name}").write_bytes(data)
        return directory

    def write_git_copy(self, directory: Path) -> Path:
        """Write the repository in the root-signing git layout (unversioned names)."""
        (directory / "metadata" / "root_history").mkdir(parents=True, exist_ok=True)
        (directory / "targets").mkdir(exist_ok=True)
        for version, data in self.roots.items():
            (directory / "metadata" / "root_history" / f"{version}.root.json").write_bytes(data)
        (directory / "metadata" / "root.json").write_bytes(self.roots[max(self.roots)])
        for role in ROLES[1:]:
            (directory / "metadata" / f"{role}.json").write_bytes(self.latest(role))
        for name, data in self.target_files.items():
            (directory / "targets" / name).write_bytes(data)
        return directory


def _signer() -> CryptoSigner:
    return CryptoSigner.generate_ecdsa()


def _meta(version: int, data: bytes, with_hashes: bool) -> MetaFile:
    if not with_hashes:
        return MetaFile(version)
    return MetaFile.from_data(version, data, ["sha256"])


def expired(delta: timedelta = timedelta(days=1)) -> datetime:
    """An expiry ``delta`` before the generated pins' reference time."""
    return T - delta
