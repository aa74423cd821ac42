"""``srcverify verify`` through a signed checksum manifest.

``--manifest MANIFEST [--bundle MANIFEST_BUNDLE] ARTIFACT...``, or an artifact
kind whose release-map entry names a ``manifest:``: the manifest's own
evidence is verified first, exactly as an artifact's would be (its bundle
beside it or ``--bundle``; its signer from the identity flags or from the
map, by the manifest's file name), then each artifact's digest is compared
with the manifest's line for the artifact's file name (:mod:`srcverify.manifest`).

The manifest is read once into memory (bounded like every small input) and
the bytes that were verified are the bytes that are parsed. The receipt is
the manifest's, with the artifact's digests and a note naming the line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from srcverify._frozen import replace
from srcverify.cli.usage import UsageError

if TYPE_CHECKING:
    from srcverify.cli.artifact_source import ArtifactSource
    from srcverify.releasemap.resolve import Resolution

__all__ = ["add_arguments", "check_usage", "explicit", "manifest_for", "verify_listed"]

VerifyEvidence = Callable[[str, "ArtifactSource"], Any]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest",
        metavar="FILE",
        help="a signed checksum manifest (checksums.txt, SHA256SUMS) listing each ARTIFACT; "
        "--bundle is then the manifest's bundle",
    )


def check_usage(args: argparse.Namespace, is_digest: Callable[[str], bool]) -> None:
    if args.manifest is None:
        return
    for artifact in args.artifacts:
        if is_digest(artifact):
            raise UsageError(
                f"{artifact}: --manifest looks artifacts up by file name; give the file "
                "(or --digest ALG:HEX NAME)"
            )


def explicit(args: argparse.Namespace) -> bool:
    """The options name the signer (not the release map)."""
    return bool(args.key or args.cert_identity or args.cert_identity_regexp or args.publisher)


def manifest_for(
    args: argparse.Namespace,
    artifact: str,
    resolution_of: Callable[[str], Resolution],
) -> str | None:
    """The manifest that authenticates ``artifact``: ``--manifest``, or the map's, or None."""
    from srcverify.errors import ReleaseMapError

    if args.manifest:
        return str(args.manifest)
    if explicit(args):
        return None  # an explicit signer: the artifact carries its own evidence
    try:
        resolution = resolution_of(Path(artifact).name)
    except ReleaseMapError:
        return None  # the ordinary path reports it where it always did
    if resolution.manifest is None:
        return None
    return str(Path(artifact).parent / resolution.manifest)


def verify_listed(
    artifact: str,
    manifest_path: str,
    given: dict[str, bytes] | None,
    verify_evidence: VerifyEvidence,
) -> Any:
    """Verify the manifest's evidence, then ``artifact`` against its line.

    Raises:
        SrcverifyError: the manifest's evidence does not verify (as for any
            artifact), the manifest is malformed (:class:`ManifestError`,
            naming the line), or the artifact is not listed or differs.
    """
    from srcverify.artifact import digest_stream
    from srcverify.cli.artifact_source import ArtifactSource
    from srcverify.inputs import MAX_SMALL_INPUT, open_regular, read_bounded
    from srcverify.manifest import parse_manifest

    data = read_bounded(manifest_path, "manifest", limit=MAX_SMALL_INPUT)
    receipt = verify_evidence(manifest_path, ArtifactSource.of_bytes(manifest_path, data))
    manifest = parse_manifest(data, manifest_path)
    name = Path(artifact).name
    line = manifest.line_for(name)
    if given is None:
        with open_regular(artifact, "artifact") as stream:
            given = digest_stream(stream, (line.algorithm,))
    manifest.check(name, given)
    note = (
        f"authenticated through manifest {manifest_path} line {line.number} ({line.algorithm}), "
        f"whose evidence names the signer"
    )
    return replace(
        receipt,
        artifact_sha256=given["sha256"].hex() if "sha256" in given else None,
        artifact_digests={alg: value.hex() for alg, value in given.items()},
        subject=None,
        notes=(*receipt.notes, note),
        name_bound_by=f"signed manifest line {line.number}",  # the line names this file
    )
