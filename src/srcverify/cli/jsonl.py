"""Evidence files holding one Sigstore bundle per line (JSON lines).

GitHub's attestation download (``gh attestation download``) writes every
attestation of an artifact, or of a whole release, as a JSON-lines file: one
bundle per line. The bundles are read one by one, and those whose in-toto
statement has a subject named like the artifact are the candidates; each is
verified in turn and the first that verifies is the evidence. With no name
(a bare digest) every bundle is a candidate. The artifact is hashed once, with
every algorithm the candidates need.

A file is taken as JSON lines only when its first non-empty line is, by
itself, a complete JSON object and another line follows; an ordinary bundle
(one JSON document, however it is laid out) never is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from srcverify.sigstore.bundle import Bundle

__all__ = ["bundle_lines", "verify_named"]

_SHOWN = 5


def bundle_lines(data: bytes) -> list[tuple[int, bytes]] | None:
    """``(line number, line)`` of each non-empty line if ``data`` is JSON lines, else None."""
    lines = [(n, line) for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    if len(lines) < 2:
        return None
    try:
        first = json.loads(lines[0][1])
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return lines if isinstance(first, dict) else None


def verify_named(
    lines: list[tuple[int, bytes]],
    name: str | None,
    source: str,
    digests_of: Callable[[tuple[str, ...]], dict[str, bytes]],
    verify: Callable[[Bundle, dict[str, bytes]], Any],
) -> Any:
    """Verify the bundle of ``lines`` whose subject is named ``name``.

    Raises:
        BundleFormatError: a line is not a bundle (the line is named).
        ArtifactMismatchError: no bundle has a subject of that name.
        SrcverifyError: every candidate failed; the first failure, with its line.
    """
    from srcverify.errors import ArtifactMismatchError, BundleFormatError, SrcverifyError
    from srcverify.sigstore.bundle import Bundle
    from srcverify.sigstore.dsse import statement_subjects
    from srcverify.sigstore.verify import artifact_algorithms

    candidates = []
    for number, line in lines:
        try:
            bundle = Bundle.from_json(line)
            subjects = statement_subjects(bundle.dsse_envelope) if bundle.dsse_envelope else ()
        except BundleFormatError as exc:
            raise BundleFormatError(f"{source} line {number}: {exc.detail}") from exc
        if name is None or any(subject.name == name for subject in subjects):
            candidates.append((number, bundle))
    if not candidates:
        raise ArtifactMismatchError(
            f"none of the {len(lines)} bundles in {source} has an in-toto subject named {name!r}",
            step="dsse",
        )
    needed = {alg for _, bundle in candidates for alg in artifact_algorithms(bundle, name)}
    digests = digests_of(tuple(sorted(needed)))
    failures: list[tuple[int, SrcverifyError]] = []
    for number, bundle in candidates:
        try:
            return verify(bundle, digests)
        except SrcverifyError as exc:
            failures.append((number, exc))
    number, first = failures[0]
    others = f" ({len(failures) - 1} other candidates failed too)" if len(failures) > 1 else ""
    first.detail = f"{source} line {number}: {first.detail}{others}"
    first.args = (f"{first.step}: {first.detail}",)
    raise first
