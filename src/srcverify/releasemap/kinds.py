"""Release-map artifact kinds: which file names are which release.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for a
project's ``artifacts:``: each kind's ``pattern`` (anchored, ``{version}``
exactly once, inside the safe subset of :mod:`srcverify.releasemap.patterns`)
or ``format: sdist|wheel`` (:mod:`srcverify.releasemap.publishers`), spliced
with the project's ``version_pattern`` into one regular expression; its
optional fields (read by :class:`~srcverify.releasemap.forms.FormsReader`);
and, once every project is read, its ``examples``, which must match their own
kind's pattern with a version, and no other kind's.

It does not read series, releases or signers
(:mod:`srcverify.releasemap.series`), resolves nothing and reads no files.
"""

from __future__ import annotations

import re

import yaml

from srcverify.releasemap import publishers
from srcverify.releasemap.forms import FormsReader
from srcverify.releasemap.model import ArtifactKind, Project, release_components
from srcverify.releasemap.nodes import Fields, anchored

__all__ = ["NAME", "KindsReader"]

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
"""A project or artifact kind name."""


class KindsReader(FormsReader):
    """The map reader's methods for artifact kinds and their examples."""

    def __init__(self, text: str, filename: str, *, fast: bool = True) -> None:
        super().__init__(text, filename, fast=fast)
        # (example, its node, project, kind name), checked once every project is read
        self.examples: list[tuple[str, yaml.Node, str, str]] = []

    def artifacts(
        self, fields: Fields, project: str, version_pattern: str | None
    ) -> tuple[tuple[ArtifactKind, ...], list[str]]:
        if "artifacts" not in fields:
            return (), []
        node = fields["artifacts"][1]
        entries = self.entries(
            node, f"project {project}: artifacts", if_empty="no artifact kind defined"
        )
        kinds = []
        for name, key_node, value in entries:
            context = f"artifact {project}/{name}"
            if not NAME.fullmatch(name):
                self.fail(key_node, f"{context}: use letters, digits, '.', '_', '+', '-' in names")
            kind_fields = self.mapping(
                value,
                context,
                (),
                (
                    "pattern",
                    "format",
                    "description",
                    "examples",
                    "source",
                    "manifest",
                    "timestamp_only",
                    "evidence",
                    "top_directory",
                ),
            )
            if kind_fields is None:
                continue
            self.string(kind_fields, "source", context)
            description = self.string(kind_fields, "description", context) or ""
            examples = self.strings(kind_fields, "examples", context)
            self.examples.extend((text, item, project, name) for text, item in examples)
            pattern = self.kind_pattern(kind_fields, value, context, project)
            regex = self.artifact_pattern(kind_fields, context, version_pattern, pattern, value)
            if regex is not None and pattern is not None:
                examples_text = tuple(text for text, _ in examples)
                kinds.append(
                    ArtifactKind(
                        name,
                        pattern,
                        regex,
                        description,
                        examples_text,
                        self.name_template(kind_fields, "manifest", context),
                        self.flag(kind_fields, "timestamp_only", context),
                        self.name_template(kind_fields, "evidence", context),
                        self.top_directory_template(kind_fields, context),
                    )
                )
                if "manifest" in kind_fields and "evidence" in kind_fields:
                    self.fail(
                        kind_fields["evidence"][0],
                        f"{context}: give manifest or evidence, not both (the manifest's own "
                        "kind names its evidence)",
                    )
        return tuple(kinds), [name for name, _, _ in entries]

    def kind_pattern(
        self, fields: Fields, node: yaml.Node, context: str, project: str
    ) -> str | None:
        """The kind's ``pattern``, or the one its ``format`` derives from the project name."""
        if ("pattern" in fields) == ("format" in fields):
            self.fail(node, f"{context}: give exactly one of 'pattern' and 'format'")
            return None
        if "pattern" in fields:
            return self.string(fields, "pattern", context)
        file_format = self.string(fields, "format", context)
        if file_format is None:
            return None
        pattern = publishers.format_pattern(project, file_format)
        if pattern is None:
            self.fail(
                fields["format"][1],
                f"{context}: format {file_format!r} is not one of {', '.join(publishers.FORMATS)}",
            )
        return pattern

    def artifact_pattern(
        self,
        fields: Fields,
        context: str,
        version_pattern: str | None,
        value: str | None,
        kind_node: yaml.Node,
    ) -> re.Pattern[str] | None:
        if value is None:
            return None
        node = fields["pattern"][1] if "pattern" in fields else kind_node
        if not anchored(value):
            self.fail(
                node, f"{context}: pattern {value!r} must be anchored: start with ^, end with $"
            )
            return None
        if value.count("{version}") != 1:
            self.fail(node, f"{context}: pattern {value!r} must contain {{version}} exactly once")
            return None
        if not self.safe_pattern(node, value, f"{context}: pattern", placeholder="{version}"):
            return None
        if version_pattern is None:
            return None  # the project's version_pattern is already reported
        try:
            regex = re.compile(value.replace("{version}", f"(?P<version>{version_pattern})"))
        except (re.error, OverflowError, RecursionError) as exc:
            self.fail(
                node, f"{context}: pattern {value!r} is not a valid regular expression: {exc}"
            )
            return None
        if set(regex.groupindex) != {"version"}:
            self.fail(node, f"{context}: pattern {value!r} must not define named groups")
            return None
        return regex

    def check_examples(self, projects: list[Project]) -> None:
        kinds = [(p.name, k) for p in projects for k in p.artifacts]
        known = {(p, k.name) for p, k in kinds}
        for example, node, project, kind_name in self.examples:
            if (project, kind_name) not in known:
                continue  # that kind has problems of its own
            owner = f"{project}/{kind_name}"
            matches = {f"{p}/{k.name}": k.regex.fullmatch(example) for p, k in kinds}
            own = matches.pop(owner)
            if own is None:
                self.fail(node, f"example {example!r} does not match the pattern of {owner}")
            elif own.group("version") is None:
                self.fail(
                    node,
                    f"example {example!r} matches the pattern of {owner} without a version: "
                    "the pattern must not make {version} optional",
                )
            elif release_components(own.group("version")) is None:
                self.fail(
                    node,
                    f"example {example!r}: version {own.group('version')!r} "
                    "does not start with a number",
                )
            if own is not None and own.group("version") is not None:
                self.check_manifest(node, example, own.group("version"), project, kind_name, kinds)
            others = [name for name, match in matches.items() if match is not None]
            if others:
                self.fail(
                    node,
                    f"example {example!r} of {owner} also matches {', '.join(others)}: "
                    "artifact patterns overlap",
                )
