"""What an authenticated pin is: its verified roles and its target files.

:class:`AuthenticatedPin` is the outcome of :func:`srcverify.pin.chain.authenticate`:
the root chain, each role's version, expiry and signatures, and the pinned
target files (``trusted_root.json``, signing configs) with how far each was
authenticated. :func:`is_pinned_target` says which target names a pin keeps.
It authenticates nothing itself and reads no files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fnmatch import fnmatch

from srcverify._frozen import field, frozen
from srcverify.pin.record import PinRecord

__all__ = [
    "TOP_LEVEL_ROLES",
    "TRUSTED_ROOT",
    "AuthenticatedPin",
    "PinnedTarget",
    "RoleState",
    "is_pinned_target",
]

TRUSTED_ROOT = "trusted_root.json"
TOP_LEVEL_ROLES = ("timestamp", "snapshot", "targets")


def is_pinned_target(name: str) -> bool:
    """Whether a TUF target name is one a pin keeps (trusted root, signing configs).

    Names with a path separator or a leading dot never are, so a target name
    cannot steer a file outside the pin's ``targets/`` directory.
    """
    if "/" in name or "\\" in name or name.startswith("."):
        return False
    return name == TRUSTED_ROOT or fnmatch(name, "signing_config*.json")


@frozen
class RoleState:
    """One authenticated role: its version, expiry and signature count."""

    role: str
    version: int
    expires: datetime
    valid_signatures: int
    threshold: int
    keyids: tuple[str, ...]


@frozen
class PinnedTarget:
    """A target file of the pin and how far it was authenticated."""

    name: str
    sha256: str
    length: int
    tuf_authenticated: bool
    data: bytes = field(repr=False)


@frozen
class AuthenticatedPin:
    """The outcome of authenticating a pin at its reference time.

    Attributes:
        reference_time: T, the time every expiry was evaluated at.
        root_chain: root versions verified, anchor first.
        roles: final root, then timestamp, snapshot and targets if pinned.
        targets: the pinned target files.
        checks_performed: what was verified, one sentence each.
        checks_not_possible: what the pin's contents did not allow to verify.
        record: the pin record, when the pin was read with one.
    """

    reference_time: datetime
    root_chain: tuple[int, ...]
    roles: tuple[RoleState, ...]
    targets: tuple[PinnedTarget, ...]
    checks_performed: tuple[str, ...]
    checks_not_possible: tuple[str, ...]
    record: PinRecord | None = None

    def __post_init__(self) -> None:
        if not self.root_chain or not self.roles or self.roles[0].role != "root":
            raise ValueError("an authenticated pin has a root chain and the root role first")
        if self.target(TRUSTED_ROOT) is None:
            raise ValueError("an authenticated pin has a trusted_root.json target")

    @property
    def fully_authenticated(self) -> bool:
        """Whether timestamp, snapshot and targets metadata were pinned and verified."""
        return all(self.role(name) is not None for name in TOP_LEVEL_ROLES)

    @property
    def trusted_root_json(self) -> bytes:
        """The bytes of the pinned ``trusted_root.json``."""
        target = self.target(TRUSTED_ROOT)
        assert target is not None  # guaranteed by __post_init__
        return target.data

    def role(self, name: str) -> RoleState | None:
        """The state of a role, or None when the pin has no metadata for it."""
        return next((r for r in self.roles if r.role == name), None)

    def target(self, name: str) -> PinnedTarget | None:
        """A pinned target file by name, or None."""
        return next((t for t in self.targets if t.name == name), None)

    def versions(self) -> dict[str, int]:
        """Role name -> version, for rollback checks against a newer pin."""
        return {r.role: r.version for r in self.roles}

    def age(self, now: datetime) -> timedelta:
        """How long before ``now`` the reference time lies (negative if after)."""
        return now - self.reference_time
