"""The release map's data model: projects, artifact kinds, series, signers, known facts.

Frozen objects that :mod:`srcverify.releasemap.schema` builds from YAML,
plus :class:`MapProblem` and :class:`InvalidReleaseMapError`, which carry
every problem found with its ``file:line:column``. A :class:`Signer` builds
its :mod:`srcverify.sigstore.identity` policy when it is constructed.

The facts a series or release entry may record about its releases (the
earliest time they were signed, :class:`KnownDigest`) are data here; the
command line enforces them after the evidence verifies.

This module does not read YAML and does not resolve artifact names (that is
:mod:`srcverify.releasemap.resolve`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from srcverify._frozen import field, frozen
from srcverify.errors import ReleaseMapError
from srcverify.sigstore.identity import (
    AllOf,
    GitHubWorkflow,
    Identity,
    Issuer,
    Policy,
    PolicySpecError,
)

if TYPE_CHECKING:
    from srcverify.pypi.publisher import TrustedPublisher

__all__ = [
    "SCHEMA_VERSION",
    "ArtifactKind",
    "InvalidReleaseMapError",
    "KnownDigest",
    "MapProblem",
    "Project",
    "ReleaseException",
    "SeriesEntry",
    "Signer",
    "release_components",
]

SCHEMA_VERSION = 1
_RELEASE_PREFIX = re.compile(r"\d+(?:\.\d+)*")


def release_components(version: str) -> tuple[str, ...] | None:
    """The leading dotted numbers of a version: ``3.14.0rc3`` -> ("3", "14", "0").

    Leading zeros are dropped (``03`` is ``3``); None if the version does not
    start with a digit.
    """
    match = _RELEASE_PREFIX.match(version)
    if match is None:
        return None
    return tuple(part.lstrip("0") or "0" for part in match.group().split("."))


@frozen
class MapProblem:
    """One problem in a release map, at a 1-based line and column."""

    filename: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}: {self.message}"


class InvalidReleaseMapError(ReleaseMapError):
    """The release map is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[MapProblem]) -> None:
        self.problems = tuple(problems)
        lines = [str(problem) for problem in self.problems]
        if len(lines) == 1:
            message = lines[0]
        else:
            message = f"{len(lines)} problems in release map:\n" + "\n".join(lines)
        super().__init__(message)


@frozen
class Signer:
    """One allowed signer: an identity and/or GitHub workflow claims, plus issuer;
    or a PyPI Trusted Publisher (which implies its issuer).

    Raises:
        PolicySpecError: the fields do not make a valid policy.
    """

    issuer: str | None = None
    issuer_regexp: str | None = None
    identity: str | None = None
    identity_regexp: str | None = None
    github_workflow: GitHubWorkflow | None = None
    origin: str | None = None  # the shorter form it was written in (github_attestation ...)
    trusted_publisher: TrustedPublisher | None = None
    policy: Policy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts: list[Policy] = []
        if self.trusted_publisher is not None:
            if self.identity or self.identity_regexp or self.issuer or self.issuer_regexp:
                raise PolicySpecError("a trusted_publisher signer implies its issuer and claims")
            if self.github_workflow is not None:
                raise PolicySpecError("a trusted_publisher signer takes no github_workflow")
            object.__setattr__(self, "policy", self.trusted_publisher)
            return
        if self.identity is not None or self.identity_regexp is not None:
            parts.append(
                Identity(self.identity, self.identity_regexp, self.issuer, self.issuer_regexp)
            )
        elif self.github_workflow is None:
            raise PolicySpecError("a signer needs identity, identity_regexp or github_workflow")
        else:
            parts.append(Issuer(self.issuer, self.issuer_regexp))
        if self.github_workflow is not None:
            parts.append(self.github_workflow)
        object.__setattr__(self, "policy", parts[0] if len(parts) == 1 else AllOf(parts))

    def policy_for(self, version: str) -> Policy:
        """The policy for one release: a Trusted Publisher's ``{version}`` bound to it."""
        if self.trusted_publisher is not None:
            return self.trusted_publisher.for_version(version)
        return self.policy

    def describe(self) -> str:
        """What this signer must show, in one line (and the form it was written in)."""
        if self.origin is not None:
            return f"{self.origin}, that is: {self.policy.describe()}"
        return self.policy.describe()


@frozen
class ArtifactKind:
    """A kind of release file: a name pattern whose ``version`` group is the version."""

    name: str
    pattern: str
    regex: re.Pattern[str] = field(repr=False, compare=False)
    description: str = ""
    examples: tuple[str, ...] = ()
    manifest: str | None = None  # "NAME_{version}_checksums.txt": authenticated through it
    timestamp_only: bool = False  # WEAKER: accept evidence with no transparency log entry
    evidence: str | None = None  # "NAME-{version}.intoto.jsonl": one attestation for many files
    # "Python-{version}": the archive's top directory names the release (binds the name);
    # "" declares that this kind has none (top_directory: false); None: not declared.
    top_directory: str | None = None

    def manifest_name(self, version: str) -> str | None:
        """The name of the checksum manifest that lists this kind's file of ``version``."""
        return None if self.manifest is None else self.manifest.replace("{version}", version)

    def evidence_name(self, version: str) -> str | None:
        """The name of the evidence file shared by this kind's files of ``version``."""
        return None if self.evidence is None else self.evidence.replace("{version}", version)


@frozen
class KnownDigest:
    """The digests the map knows for the release file called ``name`` (lowercase hex).

    An artifact of that name with another digest is another file; one with
    this digest is that file, whatever else the evidence says.
    """

    name: str
    sha256: str
    sha384: str | None = None
    sha512: str | None = None

    def digests(self) -> dict[str, str]:
        """``{algorithm: hex}`` for each digest given, sha256 first."""
        given = {"sha256": self.sha256, "sha384": self.sha384, "sha512": self.sha512}
        return {name: value for name, value in given.items() if value is not None}


@frozen
class SeriesEntry:
    """The signers for every version whose dotted numbers start with ``name``.

    ``not_signed_before`` (UTC) is the earliest time any file of the series was
    signed; ``digests`` are known digests of some of its files.
    """

    name: str
    signers: tuple[Signer, ...]
    source: str
    not_signed_before: datetime | None = None
    digests: tuple[KnownDigest, ...] = ()

    @property
    def components(self) -> tuple[str, ...]:
        """``"3.14"`` -> ("3", "14")."""
        return release_components(self.name) or ()


@frozen
class ReleaseException:
    """One exact version: signers replacing its series' (for some artifacts), or facts.

    ``signers`` None: the entry only records facts (``not_signed_before``,
    ``digests``) and its series' signers apply.
    """

    version: str
    signers: tuple[Signer, ...] | None
    source: str
    artifacts: tuple[str, ...] = ()  # kind names; empty means every kind
    not_signed_before: datetime | None = None
    digests: tuple[KnownDigest, ...] = ()


@frozen
class Project:
    """One upstream project: its artifacts, series and per-release exceptions."""

    name: str
    source: str
    version_pattern: str
    artifacts: tuple[ArtifactKind, ...]
    series: tuple[SeriesEntry, ...]
    releases: tuple[ReleaseException, ...] = ()
    description: str = ""
