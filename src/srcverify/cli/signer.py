"""Who must have signed an artifact, as the ``verify`` options say.

The managed key (``--key``), a PyPI publisher (``--publisher``), the identity
flags, or else the release map (``--map FILE``, repeatable and combined, or
the shipped ones) by the artifact's file name; with the map, the
:class:`Resolution` comes along (manifest and timestamp-only settings of the
artifact's kind).
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify.cli import evidence as cli_evidence
from srcverify.cli.usage import UsageError

if TYPE_CHECKING:
    from srcverify.releasemap.resolve import Resolution
    from srcverify.sigstore.identity import Policy
    from srcverify.sigstore.verify import ManagedKey

__all__ = ["policy", "resolution"]


def policy(
    args: argparse.Namespace,
    artifact: str,
    read: Callable[[str, str], bytes],
    *,
    is_file: bool = True,
) -> tuple[Policy | ManagedKey, Resolution | None]:
    """The signer policy: from the flags, or from the release map (with its resolution).

    A file is resolved by its basename; a name given with a digest only
    (``--digest sha256:HEX NAME``) is resolved as given, so ``../x`` is refused.
    """
    from srcverify.sigstore import identity
    from srcverify.sigstore.signature import load_public_key_pem
    from srcverify.sigstore.verify import ManagedKey

    if args.key:
        return ManagedKey(load_public_key_pem(read(args.key, "key"))), None
    publisher = cli_evidence.publisher_policy(args)
    if publisher is not None:
        return publisher, None
    if args.cert_identity is not None or args.cert_identity_regexp is not None:
        try:
            named = identity.Identity(
                identity=args.cert_identity,
                identity_regexp=args.cert_identity_regexp,
                issuer=args.cert_oidc_issuer,
                issuer_regexp=args.cert_oidc_issuer_regexp,
            )
        except identity.PolicySpecError as exc:
            raise UsageError(str(exc)) from exc
        return named, None
    found = resolution(args, Path(artifact).name if is_file else artifact)
    return found.policy, found


def resolution(args: argparse.Namespace, name: str) -> Resolution:
    from srcverify.releasemap.resolve import resolve

    return resolve(_maps(tuple(args.map or ())), name)


@functools.cache
def _maps(paths: tuple[str, ...]) -> Any:
    """The ``--map FILE`` maps combined (the shipped ones if none), read once per process."""
    from srcverify.releasemap.resolve import load_maps

    return load_maps(paths)
