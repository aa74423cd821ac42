"""What a trust root's authentication covered, as the JSON receipts and ``status`` share.

:func:`pin_summary` describes an authenticated pin and :func:`unauthenticated_summary`
a ``trusted_root.json`` given with ``--trusted-root``, with the same keys, so a
``verify --json`` receipt's ``trust_root`` says exactly what ``trust-root status
--json`` says about the same pin: whether the trusted root rests on TUF targets
metadata or only on ``pin.json``, whether the pin is fully authenticated, the
root chain, the role versions checked at T, and what could not be checked.

It formats only: it checks nothing and reads no file.
"""

from __future__ import annotations

import hashlib
from typing import Any

from srcverify.pin.authenticated import TOP_LEVEL_ROLES, TRUSTED_ROOT, AuthenticatedPin
from srcverify.pin.record import format_time

__all__ = ["pin_summary", "unauthenticated_summary"]


def pin_summary(pin: AuthenticatedPin, pin_dir: str) -> dict[str, Any]:
    """The shared description of an authenticated pin."""
    target = pin.target(TRUSTED_ROOT)
    assert target is not None  # an AuthenticatedPin always has it
    return {
        "pin": pin_dir,
        "trusted_root_file": None,
        "trusted_root_sha256": target.sha256,
        "tuf_authenticated": target.tuf_authenticated,
        "fully_authenticated": pin.fully_authenticated,
        "reference_time": format_time(pin.reference_time),
        "root_chain": list(pin.root_chain),
        "role_versions": {
            role: None if (state := pin.role(role)) is None else state.version
            for role in ("root", *TOP_LEVEL_ROLES)
        },
        "checks_not_possible": list(pin.checks_not_possible),
    }


def unauthenticated_summary(path: str, data: bytes) -> dict[str, Any]:
    """The same description for a ``trusted_root.json`` used as is (``--trusted-root``)."""
    return {
        "pin": None,
        "trusted_root_file": path,
        "trusted_root_sha256": hashlib.sha256(data).hexdigest(),
        "tuf_authenticated": False,
        "fully_authenticated": False,
        "reference_time": None,
        "root_chain": [],
        "role_versions": {role: None for role in ("root", *TOP_LEVEL_ROLES)},
        "checks_not_possible": [
            "the trusted root was given with --trusted-root and used as is: "
            "no TUF metadata was checked"
        ],
    }
