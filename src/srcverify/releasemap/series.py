"""Release-map series and release exceptions: which signers a version needs.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for a
project's ``series:`` (dotted numbers such as ``"3.14"``, each with its
``source:`` and ``signers:``; no series may be a prefix of another, found in
linear time) and ``releases:`` (exact versions matching the project's
``version_pattern``, each replacing its series' signers for every kind or for
the ``artifacts:`` kinds it names). Either may record facts about its
releases (``not_signed_before``, ``digests``: :mod:`srcverify.releasemap.facts`);
a release entry with facts may leave ``signers:`` out, and its series'
signers apply.

It reads each signer through :class:`~srcverify.releasemap.signers.SignersReader`;
it does not read artifact kinds (:mod:`srcverify.releasemap.kinds`), resolves
nothing and reads no files.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import NamedTuple

import yaml

from srcverify.releasemap.facts import FACT_KEYS, FactsReader
from srcverify.releasemap.model import (
    ArtifactKind,
    KnownDigest,
    ReleaseException,
    SeriesEntry,
    Signer,
    release_components,
)
from srcverify.releasemap.nodes import Fields, kind, suggest
from srcverify.releasemap.signers import SignersReader

__all__ = ["SeriesReader"]

_SERIES = re.compile(r"\d+(?:\.\d+)*")
_SEQ = "tag:yaml.org,2002:seq"


class Kinds(NamedTuple):
    """A project's artifact kinds as read: the valid ones and every name given."""

    valid: tuple[ArtifactKind, ...]
    names: list[str]


class _Entry(NamedTuple):
    signers: tuple[Signer, ...] | None  # None: a release entry of facts only
    source: str
    artifacts: tuple[str, ...]
    not_signed_before: datetime | None
    digests: tuple[KnownDigest, ...]


class SeriesReader(SignersReader, FactsReader):
    """The map reader's methods for series, release exceptions and their signer lists."""

    def series(self, fields: Fields, project: str, kinds: Kinds) -> tuple[SeriesEntry, ...]:
        if "series" not in fields:
            return ()
        result: list[SeriesEntry] = []
        # Overlap in linear time: every series by its components, and every proper prefix
        # of a series by the first series that has it (a pairwise check was quadratic).
        by_components: dict[tuple[str, ...], tuple[SeriesEntry, yaml.Node]] = {}
        by_prefix: dict[tuple[str, ...], tuple[SeriesEntry, yaml.Node]] = {}
        for name, key_node, value in self.entries(
            fields["series"][1], f"project {project}: series"
        ):
            context = f"series {project} {name}"
            if not _SERIES.fullmatch(name):
                self.fail(key_node, f'{context}: expected dotted numbers such as "3.14"')
                continue
            components = release_components(name) or ()
            entry = self.signed_entry(
                value,
                context,
                project,
                kinds,
                None,
                functools.partial(_in_series, components=components),
            )
            if entry is None:
                continue
            assert entry.signers is not None  # required in a series entry
            series = SeriesEntry(
                name, entry.signers, entry.source, entry.not_signed_before, entry.digests
            )
            prefixes = [components[:length] for length in range(1, len(components))]
            clashes = [by_components[p] for p in (*prefixes, components) if p in by_components]
            if components in by_prefix:
                clashes.append(by_prefix[components])
            for other, other_key in clashes:
                longer = series if len(components) >= len(other.components) else other
                self.fail(
                    key_node,
                    f'{context}: overlaps series "{other.name}" '
                    f"(line {other_key.start_mark.line + 1}): version {longer.name} would "
                    f"belong to both; one series must not be a prefix of another",
                )
            by_components.setdefault(components, (series, key_node))
            for prefix in prefixes:
                by_prefix.setdefault(prefix, (series, key_node))
            result.append(series)
        return tuple(result)

    def releases(
        self, fields: Fields, project: str, version_pattern: str | None, kinds: Kinds
    ) -> tuple[ReleaseException, ...]:
        if "releases" not in fields:
            return ()
        version_re = re.compile(f"(?:{version_pattern})") if version_pattern else None
        result = []
        for version, key_node, value in self.entries(
            fields["releases"][1], f"project {project}: releases"
        ):
            context = f"release {project} {version}"
            if version_re is not None and not version_re.fullmatch(version):
                self.fail(
                    key_node,
                    f"{context}: {version!r} does not match version_pattern {version_pattern}",
                )
            entry = self.signed_entry(
                value, context, project, kinds, kinds.names, functools.partial(operator.eq, version)
            )
            if entry is not None:
                result.append(ReleaseException(version, *entry))
        return tuple(result)

    def signed_entry(
        self,
        node: yaml.Node,
        context: str,
        project: str,
        kinds: Kinds,
        release_kinds: Sequence[str] | None,
        belongs: Callable[[str], bool],
    ) -> _Entry | None:
        """A series entry (``release_kinds`` None) or a release entry, which may name
        artifacts and may leave its signers to its series when it records facts."""
        if release_kinds is None:
            fields = self.mapping(node, context, ("source", "signers"), FACT_KEYS)
        else:
            fields = self.mapping(node, context, ("source",), ("signers", "artifacts", *FACT_KEYS))
        if fields is None or (release_kinds is None and "signers" not in fields):
            return None  # a series entry without signers: reported as missing
        before = len(self.problems)
        source = self.string(fields, "source", context)
        artifacts = []
        for name, item in self.strings(fields, "artifacts", context):
            if release_kinds is not None and name not in release_kinds:
                self.fail(
                    item, f"{context}: unknown artifact kind {name!r}{suggest(name, release_kinds)}"
                )
            artifacts.append(name)
        signers: list[Signer | None] | None = None
        if "signers" in fields:
            signers_node = fields["signers"][1]
            if not isinstance(signers_node, yaml.SequenceNode) or signers_node.tag != _SEQ:
                self.fail(
                    signers_node,
                    f"{context}: signers: expected a list, found {kind(signers_node)}",
                )
            else:
                signers = [self.signer(item, context) for item in signers_node.value]
        elif not set(FACT_KEYS) & set(fields):
            self.fail(
                node,
                f"{context}: give signers (replacing its series') or facts "
                "(not_signed_before, digests), or both",
            )
        not_signed_before = self.not_signed_before(fields, context)
        complete = len(kinds.valid) == len(kinds.names)
        digests = self.known_digests(
            fields, context, project, kinds.valid, complete, belongs, artifacts
        )
        if len(self.problems) > before or source is None:
            return None
        return _Entry(
            None if signers is None else tuple(s for s in signers if s is not None),
            source,
            tuple(artifacts),
            not_signed_before,
            digests,
        )


def _in_series(version: str, components: tuple[str, ...]) -> bool:
    own = release_components(version)
    return own is not None and own[: len(components)] == components
