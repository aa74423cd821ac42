"""Read release-map YAML (schema 1) strictly, reporting every problem's position.

Builds the model of :mod:`srcverify.releasemap.model` from the YAML nodes
that :class:`~srcverify.releasemap.nodes.NodeReader` reads, so every problem
reads ``file:line:column: message``. Reading goes on after a problem, so one
pass reports all it can find: besides the generic YAML problems (syntax,
unknown, missing and duplicate keys, wrong types, unanchored regular
expressions), an unsupported schema version, a missing ``source:`` note,
names and versions of the wrong shape, a ``version_pattern`` that cannot be
spliced into artifact patterns, overlapping series, unknown artifact kinds,
signers that name no identity or no issuer, and ``examples`` that do not
match their own pattern or also match another kind's. PyPI projects may use
``format: sdist|wheel`` artifact kinds (then ``version_pattern`` defaults to
PEP 440) and ``trusted_publisher`` signers (:mod:`srcverify.releasemap.publishers`).

This module reads the top level and each project (its ``source``,
``description`` and ``version_pattern``); artifact kinds are read by
:mod:`srcverify.releasemap.kinds`, series and release exceptions by
:mod:`srcverify.releasemap.series`, signers by :mod:`srcverify.releasemap.signers`.

The layout is documented in ``the README, "The release map"``. This module does not
resolve artifact names (:mod:`srcverify.releasemap.resolve` does) and reads no files.
"""

from __future__ import annotations

import re

import yaml

from srcverify.releasemap import publishers
from srcverify.releasemap.kinds import NAME, KindsReader
from srcverify.releasemap.model import (
    SCHEMA_VERSION,
    InvalidReleaseMapError,
    MapProblem,
    Project,
)
from srcverify.releasemap.nodes import Fields, kind
from srcverify.releasemap.series import Kinds, SeriesReader

__all__ = ["parse_map"]


def parse_map(
    text: str, filename: str, *, strict: bool = False, warnings: list[MapProblem] | None = None
) -> tuple[int, tuple[Project, ...]]:
    """Parse and validate release-map text.

    The YAML is composed by libyaml where PyYAML has it; a map with any
    problem is read again by the pure-Python loader, so problems are always
    found and worded by it. ``strict`` (``srcverify map check``) uses only
    the pure-Python loader, which also refuses the few malformed spellings
    libyaml tolerates (``|#``, tabs in some places); a map it accepts means
    the same to both loaders.

    Args:
        text: the YAML document.
        filename: how problems name the file.
        strict: compose with the pure-Python loader only.
        warnings: when given, receives the lint warnings (broad signer patterns).

    Returns:
        The schema version and the projects, in file order.

    Raises:
        InvalidReleaseMapError: every problem found, sorted by position.
    """
    reader = _Reader(text, filename, fast=not strict)
    try:
        result = reader.read()
    except InvalidReleaseMapError:
        if strict:
            raise
        reader = _Reader(text, filename, fast=False)
        result = reader.read()
    if warnings is not None:
        warnings.extend(sorted(reader.warnings, key=lambda p: (p.line, p.column)))
    return result


class _Reader(KindsReader, SeriesReader):
    """The whole schema: the top level and projects here, the rest in the mixins."""

    def read(self) -> tuple[int, tuple[Project, ...]]:
        root = self.compose()
        projects: list[Project] = []
        if root is not None:
            top = self.mapping(root, "release map", ("schema", "projects"))
            if top is not None and self.schema(top.get("schema")) and "projects" in top:
                projects = self.projects(top["projects"][1])
            self.check_examples(projects)
        if self.problems:
            raise InvalidReleaseMapError(sorted(self.problems, key=lambda p: (p.line, p.column)))
        return SCHEMA_VERSION, tuple(projects)

    def schema(self, entry: tuple[yaml.Node, yaml.Node] | None) -> bool:
        if entry is None:
            return True  # reported as missing; go on to find other problems
        node = entry[1]
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            if node.value == str(SCHEMA_VERSION):
                return True
            self.fail(node, f"schema {node.value} is not supported; this srcverify reads schema 1")
            return False
        self.fail(node, f"schema: expected the integer 1, found {kind(node)}")
        return False

    def projects(self, node: yaml.Node) -> list[Project]:
        entries = self.entries(node, "projects", if_empty="no project defined")
        projects = []
        for name, key_node, value in entries:
            if not NAME.fullmatch(name):
                self.fail(
                    key_node, f"project name {name!r}: use letters, digits, '.', '_', '+', '-'"
                )
            project = self.project(name, value)
            if project is not None:
                projects.append(project)
        return projects

    def project(self, name: str, node: yaml.Node) -> Project | None:
        context = f"project {name}"
        before = len(self.problems)
        fields = self.mapping(
            node,
            context,
            ("source", "artifacts", "series"),
            ("description", "releases", "version_pattern"),
        )
        if fields is None:
            return None
        source = self.string(fields, "source", context)
        description = self.string(fields, "description", context) or ""
        version_pattern = self.version_pattern(fields, context)
        if "version_pattern" not in fields:
            version_pattern = self.default_version_pattern(fields, node, context)
        kinds = Kinds(*self.artifacts(fields, name, version_pattern))
        series = self.series(fields, name, kinds)
        releases = self.releases(fields, name, version_pattern, kinds)
        if len(self.problems) > before or source is None or version_pattern is None:
            return None
        return Project(name, source, version_pattern, kinds.valid, series, releases, description)

    def default_version_pattern(self, fields: Fields, node: yaml.Node, context: str) -> str | None:
        """PEP 440 when every artifact kind is a ``format:`` one, else a problem."""
        kinds = fields["artifacts"][1] if "artifacts" in fields else None
        if (
            isinstance(kinds, yaml.MappingNode)
            and kinds.value
            and all(
                isinstance(value, yaml.MappingNode)
                and any(getattr(key, "value", None) == "format" for key, _ in value.value)
                for _, value in kinds.value
            )
        ):
            return publishers.PYPI_VERSION_PATTERN
        self.fail(
            node,
            f"{context}: missing required key 'version_pattern' (it may be left out only "
            "when every artifact kind is a 'format: sdist' or 'format: wheel' one)",
        )
        return None

    def version_pattern(self, fields: Fields, context: str) -> str | None:
        value = self.string(fields, "version_pattern", context)
        if value is None:
            return None
        node = fields["version_pattern"][1]
        problem = None
        if value.startswith("^") or value.endswith("$"):
            problem = "is spliced into the artifact patterns; do not anchor it with ^ or $"
        else:
            try:
                compiled = re.compile(f"(?:{value})")
            except (re.error, OverflowError, RecursionError) as exc:
                problem = f"is not a valid regular expression: {exc}"
            else:
                if compiled.groupindex:
                    problem = "must not define named groups"
                elif compiled.fullmatch(""):
                    problem = "matches the empty string"
        if problem is None and not self.safe_pattern(node, value, f"{context}: version_pattern"):
            return None
        if problem is not None:
            self.fail(node, f"{context}: version_pattern {value!r} {problem}")
            return None
        return value
