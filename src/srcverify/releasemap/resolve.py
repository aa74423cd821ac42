"""The release map: artifact file name -> project, version -> who must have signed.

A release map (YAML, documented in ``the README, "The release map"``) says, per
upstream project, how release file names look and how each yields a
version, which identities may sign each release series, and which single
releases were signed by someone else. :func:`resolve` turns a bare file name
such as ``Python-3.14.0.tar.xz`` into a :class:`Resolution` carrying the
:mod:`srcverify.sigstore.identity` policy the signing certificate must satisfy.

Resolution fails closed: a name no pattern matches, a name two patterns
match, a version whose series is not in the map, or a series that lists no
signer raises :class:`~srcverify.errors.ReleaseMapError` saying what to add;
there is never a fallback to "any identity".

:func:`default_map` is the CPython map shipped as package data. Apart from
:meth:`ReleaseMap.load` and :func:`default_map`, which read the map's text,
nothing here touches files, and nothing touches the network or the clock.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from datetime import datetime

from srcverify._frozen import frozen
from srcverify.errors import ReleaseMapError
from srcverify.inputs import TooLargeError, read_bounded
from srcverify.releasemap import compiled
from srcverify.releasemap.model import (
    ArtifactKind,
    InvalidReleaseMapError,
    KnownDigest,
    MapProblem,
    Project,
    ReleaseException,
    SeriesEntry,
    Signer,
    release_components,
)
from srcverify.sigstore.identity import AnyOf, Policy

__all__ = [
    "DEFAULT_MAP_RESOURCE",
    "MAX_MAP_BYTES",
    "ArtifactKind",
    "InvalidReleaseMapError",
    "MapProblem",
    "Project",
    "ReleaseException",
    "ReleaseMap",
    "Resolution",
    "SeriesEntry",
    "Signer",
    "default_map",
    "load_maps",
    "resolve",
]

DEFAULT_MAP_RESOURCE = "maps/cpython.yaml"
# every shipped map, combined into the default one (their patterns must not overlap)
SHIPPED_MAP_RESOURCES = (DEFAULT_MAP_RESOURCE, "maps/pypi.yaml")
# A reviewed map is kilobytes (the shipped ones are under 20 KiB). The bound keeps
# `map check`, which composes with PyYAML's pure-Python loader, within seconds;
# about 7,700 series in the long form fit.
MAX_MAP_BYTES = 1024 * 1024
_NOT_ARTIFACTS = (".asc", ".sig", ".crt", ".sigstore", ".sigstore.json", ".spdx.json", ".sha256")


@frozen
class ReleaseMap:
    """A validated release map.

    Build it with :meth:`load` or :meth:`from_text`; both reject a malformed
    map with :class:`InvalidReleaseMapError` listing every problem.
    """

    filename: str
    schema: int
    projects: tuple[Project, ...]

    @classmethod
    def from_text(
        cls,
        text: str,
        filename: str = "<release map>",
        *,
        strict: bool = False,
        warnings: list[MapProblem] | None = None,
    ) -> ReleaseMap:
        """Parse YAML text; ``filename`` is how problems name it.

        ``strict`` reads with PyYAML's pure-Python loader only, which refuses
        a few spellings libyaml tolerates (see :func:`~srcverify.releasemap.schema.parse_map`).
        ``warnings``, when given, receives the lint warnings (broad signer patterns).

        Raises:
            InvalidReleaseMapError: every problem, as ``file:line:column: message``.
        """
        from srcverify.releasemap.schema import parse_map  # PyYAML: only for maps read as YAML

        schema, projects = parse_map(text, filename, strict=strict, warnings=warnings)
        return cls(filename, schema, projects)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        strict: bool = False,
        warnings: list[MapProblem] | None = None,
    ) -> ReleaseMap:
        """Read and parse a map file (UTF-8, at most 1 MiB); ``strict`` and ``warnings``
        as for :meth:`from_text`.

        Raises:
            InputError: the file cannot be read or is not a regular file.
            InvalidReleaseMapError: the map is malformed.
        """
        name = os.fspath(path)
        try:
            data = read_bounded(name, "release map", limit=MAX_MAP_BYTES)
        except TooLargeError as exc:
            raise ReleaseMapError(
                f"{name}: larger than {MAX_MAP_BYTES} bytes; not a release map"
            ) from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InvalidReleaseMapError(
                [MapProblem(name, line, 1, f"not UTF-8 text (byte {exc.start}: {exc.reason})")]
            ) from exc
        return cls.from_text(text, name, strict=strict, warnings=warnings)

    @classmethod
    def combine(cls, maps: Sequence[ReleaseMap]) -> ReleaseMap:
        """One map holding every project of ``maps`` (named ``a.yaml + b.yaml``).

        Raises:
            ReleaseMapError: two maps define the same project.
        """
        if len(maps) == 1:
            return maps[0]
        seen: dict[str, str] = {}
        for release_map in maps:
            for project in release_map.projects:
                if project.name in seen:
                    raise ReleaseMapError(
                        f"project {project.name!r} is defined in both {seen[project.name]} "
                        f"and {release_map.filename}; combined maps must not share a project"
                    )
                seen[project.name] = release_map.filename
        return cls(
            " + ".join(m.filename for m in maps),
            maps[0].schema,
            tuple(p for m in maps for p in m.projects),
        )

    def project(self, name: str) -> Project:
        """The project called ``name``.

        Raises:
            ReleaseMapError: the map has no such project.
        """
        for project in self.projects:
            if project.name == name:
                return project
        known = ", ".join(p.name for p in self.projects)
        raise ReleaseMapError(f"{self.filename} has no project {name!r} (projects: {known})")


@functools.cache
def default_map() -> ReleaseMap:
    """The release maps shipped with srcverify, combined: CPython and PyPI (read once).

    Read from its compiled form while that matches the reviewed YAML (see
    :mod:`srcverify.releasemap.compiled`), else parsed from the YAML.

    Raises:
        ReleaseMapError: the installed package data is missing or malformed.
    """
    maps = []
    for resource in SHIPPED_MAP_RESOURCES:
        path = compiled.MAPS_DIR.parent / resource
        schema, projects = compiled.load_shipped(path)
        maps.append(ReleaseMap(str(path), schema, projects))
    return ReleaseMap.combine(maps)


def load_maps(paths: Sequence[str] | None) -> ReleaseMap:
    """The maps named by ``--map`` (repeatable), combined; the shipped ones when none.

    Raises:
        InputError: a file cannot be read.
        ReleaseMapError: a map is malformed, or two define the same project.
    """
    if not paths:
        return default_map()
    return ReleaseMap.combine([ReleaseMap.load(path) for path in paths])


@frozen
class Resolution:
    """Who must have signed one artifact, and why the map says so.

    Attributes:
        project: the upstream project's name in the map.
        artifact: the artifact kind whose pattern matched.
        version: the version the name yields (``3.14.0rc3``).
        series: the series entry's name (``3.14``), or None if a release
            exception applies to a version outside every series.
        signers: the allowed signers (any one of them suffices).
        policy: the identity policy the signing certificate must satisfy.
        source: the ``source:`` note of the entry that decided.
        exception: True if a per-release exception overrode the series.
        manifest: the checksum manifest that authenticates the artifact
            (its kind's ``manifest`` template filled in), or None.
        timestamp_only: the kind accepts evidence without a log entry.
        evidence: the evidence file the kind's files share, or None.
        top_directory: the kind's archive top-directory template
            (``Python-{version}``), ``""`` if the kind declares none, or None.
        not_signed_before: the later of the series' and the release's bound (UTC), or
            None; ``not_signed_before_by`` names its entry (``release 3.13.5 of cpython``).
        known_digest: the map's digests of the file of this name, or None;
            ``known_digest_by`` names its entry.
    """

    project: str
    artifact: str
    version: str
    series: str | None
    signers: tuple[Signer, ...]
    policy: Policy
    source: str
    exception: bool = False
    manifest: str | None = None
    timestamp_only: bool = False
    evidence: str | None = None
    top_directory: str | None = None
    not_signed_before: datetime | None = None
    not_signed_before_by: str | None = None
    known_digest: KnownDigest | None = None
    known_digest_by: str | None = None


# SOURCE_VERSION.orig.tar.* and SOURCE_VERSION.orig-COMPONENT.tar.* (dpkg-source's names).
_DEBIAN_ORIG = re.compile(r"[a-z0-9][a-z0-9+.-]*_[^_/]+\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.")


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name:
        raise ReleaseMapError("artifact name is empty")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ReleaseMapError(
            f"artifact name {name!r} has directory components; the map matches bare file "
            "names only (pass the file's basename)"
        )
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise ReleaseMapError(f"artifact name {name!r} contains control characters")


def _series_for(project: Project, version: str) -> SeriesEntry | None:
    components = release_components(version)
    if components is None:
        return None
    for series in project.series:
        if components[: len(series.components)] == series.components:
            return series
    return None


def _exception_for(project: Project, version: str, kind: str) -> ReleaseException | None:
    for release in project.releases:
        if release.version == version and (not release.artifacts or kind in release.artifacts):
            return release
    return None


def resolve(release_map: ReleaseMap, artifact_name: str) -> Resolution:
    """Find who must have signed the artifact called ``artifact_name``.

    Args:
        release_map: the map to consult.
        artifact_name: a bare file name such as ``Python-3.14.0.tar.xz``;
            directory components are rejected, not stripped.

    Returns:
        The project, version, series, allowed signers and policy.

    Raises:
        ReleaseMapError: the name is not a bare file name, matches no
            artifact pattern or more than one, or its version has no
            signer in the map. The message says how to add one.
    """
    _check_name(artifact_name)
    matches = [
        (project, kind, match)
        for project in release_map.projects
        for kind in project.artifacts
        if (match := kind.regex.fullmatch(artifact_name)) is not None
    ]
    where = release_map.filename
    if not matches and _DEBIAN_ORIG.match(artifact_name):
        raise ReleaseMapError(
            f"{artifact_name!r} is a Debian orig tarball name, and release map {where} knows "
            "upstream's file names: name the file (or, with --digest, the ARTIFACT) after "
            "upstream's file, e.g. Python-3.13.5.tar.xz, or pass --name UPSTREAM-NAME "
            "to dh_srcverify"
        )
    if not matches:
        hint = ""
        if artifact_name.endswith(_NOT_ARTIFACTS):
            hint = " (it looks like a signature or metadata file, not a release artifact)"
        raise ReleaseMapError(
            f"{artifact_name!r} matches no artifact pattern in release map {where}{hint}; "
            "srcverify will not guess who signed it. Add an artifact kind for it to a release "
            "map of your own and pass --map FILE, or name the signer with --cert-identity "
            "and --cert-oidc-issuer"
        )
    if len(matches) > 1:
        kinds = ", ".join(f"{p.name}/{k.name}" for p, k, _ in matches)
        raise ReleaseMapError(
            f"{artifact_name!r} matches several artifact kinds in release map {where} "
            f"({kinds}); make the patterns exclusive"
        )
    project, kind, match = matches[0]
    version = match.group("version")
    if version is None:
        raise ReleaseMapError(
            f"{artifact_name!r} matched the pattern of {project.name}/{kind.name} in release "
            f"map {where} without a version; fix the pattern ({kind.pattern}) so that "
            "{version} is not optional"
        )
    series = _series_for(project, version)
    release = _exception_for(project, version, kind.name)
    exception = release if release is not None and release.signers is not None else None
    if exception is not None:
        assert exception.signers is not None
        signers, source = exception.signers, exception.source
        what = f"release {version} of {project.name} (a per-release exception)"
    elif series is not None:
        signers, source = series.signers, series.source
        what = f"series {series.name} of {project.name}"
    else:
        components = release_components(version)
        guess = ".".join(components[:2]) if components else version
        raise ReleaseMapError(
            f"{artifact_name!r} is {project.name} {version}, but release map {where} has no "
            f'signer for its series: add a series entry such as "{guess}" with its signers '
            f"and a source note under projects.{project.name}.series in a map of your own "
            "(--map FILE), or name the signer with --cert-identity and --cert-oidc-issuer"
        )
    if not signers:
        raise ReleaseMapError(
            f"{artifact_name!r}: {what} lists no signers in release map {where} "
            f"(source: {source}); srcverify cannot tell who may sign it"
        )
    bound, bound_by, known, known_by = _facts(project, artifact_name, series, release)
    return Resolution(
        project=project.name,
        artifact=kind.name,
        version=version,
        series=series.name if series is not None else None,
        signers=signers,
        policy=AnyOf([signer.policy_for(version) for signer in signers]),
        source=source,
        exception=exception is not None,
        manifest=kind.manifest_name(version),
        timestamp_only=kind.timestamp_only,
        evidence=kind.evidence_name(version),
        top_directory=kind.top_directory,
        not_signed_before=bound,
        not_signed_before_by=bound_by,
        known_digest=known,
        known_digest_by=known_by,
    )


def _facts(
    project: Project, name: str, series: SeriesEntry | None, release: ReleaseException | None
) -> tuple[datetime | None, str | None, KnownDigest | None, str | None]:
    """The map's facts for the file ``name``: the later signing-time bound of its series'
    and its release's entries, and its known digest, each with the entry it comes from."""
    entries: list[tuple[str, SeriesEntry | ReleaseException]] = []
    if series is not None:
        entries.append((f"series {series.name} of {project.name}", series))
    if release is not None:
        entries.append((f"release {release.version} of {project.name}", release))
    bound, bound_by, known, known_by = None, None, None, None
    for where, entry in entries:
        when = entry.not_signed_before
        if when is not None and (bound is None or when >= bound):
            bound, bound_by = when, where
        for digest in entry.digests:
            if digest.name == name:
                known, known_by = digest, where
    return bound, bound_by, known, known_by
