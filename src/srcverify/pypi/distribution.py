"""Python distribution file names: sdists and wheels, parsed and compared.

A PEP 740 statement names the distribution it speaks about by its file
name, and the specification requires the verifier to compare names by
*parsing* them under the source-distribution and wheel file-name rules,
because the statement may carry an equivalent but normalised spelling. This
module does that parsing:

* project names are normalised as the packaging "name normalization" rule
  says (runs of ``-``, ``_`` and ``.`` become one ``-``, lower case);
* versions are parsed with the PEP 440 grammar and compared by their
  normalised value (``1.0`` equals ``1.0.0``; ``1.0RC1`` equals ``1.0rc1``);
* wheels also compare their build tag and their (expanded) tag set.

:func:`parse_distribution_name` raises
:class:`~srcverify.errors.ArtifactMismatchError` for a name that is neither a
valid sdist nor a valid wheel file name. Nothing here reads files; the
``name_pattern`` helper gives the release map a regular expression for a
project's file names.
"""

from __future__ import annotations

import re

from srcverify._frozen import field, frozen
from srcverify.errors import ArtifactMismatchError

__all__ = [
    "PEP440_VERSION_PATTERN",
    "DistributionName",
    "Version",
    "name_pattern",
    "normalize_project_name",
    "parse_distribution_name",
    "parse_version",
]

# The PEP 440 version grammar ("Appendix B" of the specification), written out
# without named groups so it can be spliced into release-map patterns.
PEP440_VERSION_PATTERN = (
    r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*"
    r"(?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?"
    r"(?:[-_.]?dev[-_.]?[0-9]*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)

_VERSION = re.compile(
    r"v?(?:(?P<epoch>[0-9]+)!)?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?"
    r"(?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?"
    r"(?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?",
    re.IGNORECASE,
)
_PRE_LETTERS = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc"}
_PRE_LETTERS.update({"preview": "rc", "rc": "rc"})
_WHEEL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?")
_SDIST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_BUILD_TAG = re.compile(r"(?P<number>[0-9]+)(?P<rest>[A-Za-z0-9_.]*)")
_TAG = re.compile(r"[A-Za-z0-9_.]+")
_SDIST_SUFFIXES = (".tar.gz", ".zip")


@frozen
class Version:
    """A PEP 440 version; versions equal under PEP 440 (``1.0``, ``1.0.0``) compare equal.

    ``release`` is held without trailing zeros (``1.0.0`` -> ``(1,)``), so
    equality is PEP 440's; ``text`` keeps the normalised spelling for messages.
    """

    epoch: int
    release: tuple[int, ...]
    pre: tuple[str, int] | None
    post: int | None
    dev: int | None
    local: tuple[int | str, ...]
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version | None:
    """The normalised PEP 440 version ``text`` spells, or None if it is not one."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    written = tuple(int(part) for part in match["release"].split("."))
    release = written
    while release and release[-1] == 0:
        release = release[:-1]  # 1.0 == 1.0.0: trailing zeros carry no meaning
    pre = None
    if match["pre_l"]:
        pre = (_PRE_LETTERS[match["pre_l"].lower()], int(match["pre_n"] or 0))
    post = None
    if match["post_n1"] is not None:
        post = int(match["post_n1"])
    elif match["post_l"]:
        post = int(match["post_n2"] or 0)
    dev = int(match["dev_n"] or 0) if match["dev_l"] else None
    local: tuple[int | str, ...] = ()
    if match["local"]:
        local = tuple(
            int(part) if part.isdigit() else part.lower()
            for part in re.split(r"[-_.]", match["local"])
        )
    epoch = int(match["epoch"] or 0)
    text = (f"{epoch}!" if epoch else "") + ".".join(str(part) for part in written)
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    if local:
        text += "+" + ".".join(str(part) for part in local)
    return Version(epoch, release, pre, post, dev, local, text)


def normalize_project_name(name: str) -> str:
    """``Foo.Bar_baz`` -> ``foo-bar-baz`` (the packaging name normalisation)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@frozen
class DistributionName:
    """A parsed sdist or wheel file name, compared by meaning, not spelling."""

    filename: str
    format: str  # "sdist" or "wheel"
    project: str  # normalised
    version: Version
    build: tuple[int, str] | None = None
    tags: frozenset[tuple[str, str, str]] = frozenset()

    def same_distribution(self, other: DistributionName) -> bool:
        """Whether both names denote the same distribution file."""
        return (self.format, self.project, self.version, self.build, self.tags) == (
            other.format,
            other.project,
            other.version,
            other.build,
            other.tags,
        )

    def difference(self, other: DistributionName) -> str:
        """What differs, for a rejection message (empty when nothing does)."""
        if self.format != other.format:
            return f"{self.format} vs {other.format}"
        parts = []
        if self.project != other.project:
            parts.append(f"project {self.project} vs {other.project}")
        if self.version != other.version:
            parts.append(f"version {self.version} vs {other.version}")
        if self.build != other.build:
            parts.append("build tag differs")
        if self.tags != other.tags:
            parts.append("wheel tags differ")
        return ", ".join(parts)


def _bad(filename: str, why: str) -> ArtifactMismatchError:
    return ArtifactMismatchError(
        f"{filename!r} is not a valid distribution file name: {why}", step="distribution"
    )


def parse_distribution_name(filename: str) -> DistributionName:
    """Parse a wheel (``.whl``) or sdist (``.tar.gz``, legacy ``.zip``) file name.

    Raises:
        ArtifactMismatchError: the name follows neither naming rule.
    """
    if filename.endswith(".whl"):
        return _parse_wheel(filename)
    for suffix in _SDIST_SUFFIXES:
        if filename.endswith(suffix):
            return _parse_sdist(filename, filename[: -len(suffix)])
    raise _bad(filename, "expected a wheel (.whl) or an sdist (.tar.gz)")


def _parse_sdist(filename: str, stem: str) -> DistributionName:
    name, sep, version_text = stem.rpartition("-")
    if not sep or not _SDIST_NAME.fullmatch(name):
        raise _bad(filename, "an sdist is named NAME-VERSION.tar.gz")
    version = parse_version(version_text)
    if version is None:
        raise _bad(filename, f"{version_text!r} is not a PEP 440 version")
    return DistributionName(filename, "sdist", normalize_project_name(name), version)


def _parse_wheel(filename: str) -> DistributionName:
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        raise _bad(filename, "a wheel is named NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl")
    name, version_text, *rest = parts
    if not _WHEEL_NAME.fullmatch(name) or "__" in name:
        raise _bad(filename, f"{name!r} is not a valid wheel project name")
    version = parse_version(version_text)
    if version is None:
        raise _bad(filename, f"{version_text!r} is not a PEP 440 version")
    build = None
    if len(rest) == 4:
        match = _BUILD_TAG.fullmatch(rest.pop(0))
        if match is None:
            raise _bad(filename, "the build tag must start with a digit")
        build = (int(match["number"]), match["rest"])
    if not all(_TAG.fullmatch(part) for part in rest):
        raise _bad(filename, "malformed compatibility tags")
    pythons, abis, platforms = (part.lower().split(".") for part in rest)
    tags = frozenset((p, a, pl) for p in pythons for a in abis for pl in platforms)
    return DistributionName(filename, "wheel", normalize_project_name(name), version, build, tags)


def name_pattern(project: str, file_format: str) -> str:
    """An anchored pattern with ``{version}`` for a project's sdist or wheel file names.

    The project part accepts every spelling that normalises to ``project``
    (case and runs of ``-``, ``_``, ``.``; wheels allow no ``-``).

    Raises:
        ValueError: ``file_format`` is neither ``sdist`` nor ``wheel``.
    """
    words = [re.escape(word) for word in normalize_project_name(project).split("-")]
    if file_format == "sdist":
        name = "[-_.]+".join(words)
        return rf"^(?i:{name})-{{version}}\.tar\.gz$"
    if file_format == "wheel":
        name = "[_.]+".join(words)
        tag = "[A-Za-z0-9_.]+"
        tag = "[A-Za-z0-9_.]+"
        return rf"^(?i:{name})-{{version}}(?:-[0-9][A-Za-z0-9_.]*)?-{tag}-{tag}-{tag}\.whl$"
    raise ValueError(f"unknown distribution format {file_format!r}: expected sdist or wheel")
