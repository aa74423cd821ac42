"""Release-map series and release exceptions: which signers a version needs.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for a
project's ``series:`` (dotted numbers such as ``"3.14"``, each with its
``source:`` and ``signers:``; no series may be a prefix of another, found in
linear time) and ``releases:`` (exact versions matching the project's
``version_pattern``, each replacing its series' signers for every kind or for
the ``artifacts:`` kinds it names).

It reads each signer through :class:`~srcverify.releasemap.signers.SignersReader`;
it does not read artifact kinds (:mod:`srcverify.releasemap.kinds`), resolves
nothing and reads no files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from srcverify.releasemap.model import ReleaseException, SeriesEntry, Signer
from srcverify.releasemap.nodes import Fields, kind, suggest
from srcverify.releasemap.signers import SignersReader

__all__ = ["SeriesReader"]

_SERIES = re.compile(r"\d+(?:\.\d+)*")
_SEQ = "tag:yaml.org,2002:seq"


class SeriesReader(SignersReader):
    """The map reader's methods for series, release exceptions and their signer lists."""

    def series(self, fields: Fields, project: str) -> tuple[SeriesEntry, ...]:
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
            entry = self.signed_entry(value, context, None)
            if entry is None:
                continue
            signers, source, _ = entry
            series = SeriesEntry(name, signers, source)
            components = series.components
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
        self, fields: Fields, project: str, version_pattern: str | None, kinds: list[str]
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
            entry = self.signed_entry(value, context, kinds)
            if entry is not None:
                signers, source, artifacts = entry
                result.append(ReleaseException(version, signers, source, artifacts))
        return tuple(result)

    def signed_entry(
        self, node: yaml.Node, context: str, kinds: Sequence[str] | None
    ) -> tuple[tuple[Signer, ...], str, tuple[str, ...]] | None:
        """A series entry (``kinds`` None) or a release entry, which may name artifacts."""
        optional = ("artifacts",) if kinds is not None else ()
        fields = self.mapping(node, context, ("source", "signers"), optional)
        if fields is None:
            return None
        before = len(self.problems)
        source = self.string(fields, "source", context)
        artifacts = []
        for name, item in self.strings(fields, "artifacts", context):
            if kinds is not None and name not in kinds:
                self.fail(item, f"{context}: unknown artifact kind {name!r}{suggest(name, kinds)}")
            artifacts.append(name)
        signers = []
        if "signers" in fields:
            signers_node = fields["signers"][1]
            if not isinstance(signers_node, yaml.SequenceNode) or signers_node.tag != _SEQ:
                self.fail(
                    signers_node,
                    f"{context}: signers: expected a list, found {kind(signers_node)}",
                )
            else:
                signers = [self.signer(item, context) for item in signers_node.value]
        if len(self.problems) > before or source is None:
            return None
        return tuple(s for s in signers if s is not None), source, tuple(artifacts)
