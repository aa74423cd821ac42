"""Which in-toto subject is the artifact, and whether its digests agree.

A statement may name one subject or many (one attestation over all of a
release's tarballs). With several, the subject compared is the one whose
name is the artifact's file name; names must then be unique, as the in-toto
specification requires, or the choice would be ambiguous. With one subject,
or when the caller knows no name (a bare digest), any subject whose digests
agree is the artifact.

A subject agrees with the artifact when it shares at least one accepted
algorithm with the artifact's digests (:mod:`srcverify.sigstore.hashing`)
and *every* shared algorithm gives the same digest: a statement that
contradicts itself is not evidence.

Binding the *single* subject's name to the artifact's name is a separate
check, :func:`subject_binds_name`, reported in the receipt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from srcverify.errors import ArtifactMismatchError, BundleFormatError, InputError
from srcverify.sigstore.dsse import Subject
from srcverify.sigstore.hashing import ACCEPTED, Digests

__all__ = ["algorithms_needed", "match_subject", "subject_binds_name"]


def algorithms_needed(subjects: Sequence[Subject], artifact_name: str | None) -> tuple[str, ...]:
    """The accepted algorithms the artifact must be hashed with for these subjects."""
    chosen = [s for s in subjects if artifact_name is not None and s.name == artifact_name]
    named = {alg for subject in (chosen or subjects) for alg in subject.digests}
    return tuple(alg for alg in ACCEPTED if alg in named)


def match_subject(
    subjects: Sequence[Subject], digests: Digests, artifact_name: str | None
) -> Subject:
    """The subject that is the artifact.

    Args:
        subjects: the statement's subjects (accepted digests only).
        digests: the artifact's digests.
        artifact_name: the artifact's file name, or None when unknown.

    Raises:
        BundleFormatError: several subjects share a name.
        ArtifactMismatchError: no subject is the artifact (the message names
            the subjects and the algorithm that disagreed).
        InputError: the subject can only be compared with a digest the
            caller did not compute (a ``sha256:`` argument for a sha512
            subject): nothing was learnt.
    """
    if not subjects:
        raise ArtifactMismatchError("in-toto statement has no subject", step="dsse")
    candidates = list(subjects)
    if len(subjects) > 1:
        repeated = [name for name, n in Counter(s.name for s in subjects).items() if n > 1]
        if repeated:
            raise BundleFormatError(
                f"in-toto statement names subject {repeated[0]!r} more than once; "
                "subject names must be unique",
                step="dsse",
            )
        if artifact_name is not None:
            candidates = [s for s in subjects if s.name == artifact_name]
            if not candidates:
                raise ArtifactMismatchError(
                    f"none of the statement's {len(subjects)} subjects is named "
                    f"{artifact_name!r} (subjects: {_names(subjects)})",
                    step="dsse",
                )
    problems = []
    for subject in candidates:
        problem = _disagreement(subject, digests)
        if problem is None:
            return subject
        problems.append(problem)
    if len(candidates) == 1:
        if isinstance(problems[0], InputError):
            raise problems[0]
        raise ArtifactMismatchError(str(problems[0]), step="dsse")
    shown = ", ".join(f"{alg}:{value.hex()}" for alg, value in digests.items())
    raise ArtifactMismatchError(
        f"artifact {shown} is not a subject of the in-toto statement "
        f"(subjects: {_names(subjects)})",
        step="dsse",
    )


def subject_binds_name(chosen: Subject, artifact_name: str) -> bool:
    """Whether the statement's chosen subject is named like the artifact.

    With several subjects the chosen one was picked by its name, so it is. A
    single subject may name another file: a genuine statement about
    ``Python-3.13.0.tar.xz`` then says nothing about a file presented as
    ``Python-3.13.5.tar.xz``, although its digest matches. Whether that is a
    rejection depends on whether the name chose the signer (the release map
    does; explicit identity flags do not), so the caller decides
    (:mod:`srcverify.cli.namebind`).
    """
    return chosen.name == artifact_name


def _disagreement(subject: Subject, digests: Digests) -> str | InputError | None:
    """None when ``subject`` is the artifact, else why not."""
    if not subject.digests:
        return f"in-toto subject {subject.describe()} names no {'/'.join(ACCEPTED)} digest"
    shared = [alg for alg in ACCEPTED if alg in subject.digests and alg in digests]
    if not shared:
        return InputError(
            f"in-toto subject {subject.describe()} can only be compared with a "
            f"{' or '.join(subject.digests)} digest, and the artifact's "
            f"{' and '.join(digests) or 'digest'} was given; give the file or a "
            f"{next(iter(subject.digests))}:<hex> digest",
            step="dsse",
        )
    for alg in shared:
        if subject.digests[alg] != digests[alg]:
            return (
                f"artifact {alg} {digests[alg].hex()} is not a subject of the in-toto "
                f"statement: subject {subject.describe()} differs"
            )
    return None


def _names(subjects: Sequence[Subject]) -> str:
    shown = [repr(s.name) for s in subjects[:5]]
    if len(subjects) > 5:
        shown.append(f"... {len(subjects) - 5} more")
    return ", ".join(shown)
