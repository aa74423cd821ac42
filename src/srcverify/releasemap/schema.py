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

The layout is documented in ``the README, "The release map"``. This module does not
resolve artifact names (:mod:`srcverify.releasemap.resolve` does) and reads no files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from srcverify.releasemap import publishers
from srcverify.releasemap.forms import FormsReader
from srcverify.releasemap.model import (
    SCHEMA_VERSION,
    ArtifactKind,
    InvalidReleaseMapError,
    MapProblem,
    Project,
    ReleaseException,
    SeriesEntry,
    Signer,
    release_components,
)
from srcverify.releasemap.nodes import Fields, anchored, kind, suggest
from srcverify.sigstore.identity import GitHubWorkflow, PolicySpecError

__all__ = ["parse_map"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
_SERIES = re.compile(r"\d+(?:\.\d+)*")
_SEQ = "tag:yaml.org,2002:seq"
_SIGNER_KEYS = (
    "identity",
    "identity_regexp",
    "issuer",
    "issuer_regexp",
    "github_workflow",
    "github_attestation",
    "trusted_publisher",
    "lint",
)


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


class _Reader(FormsReader):
    def __init__(self, text: str, filename: str, *, fast: bool = True) -> None:
        super().__init__(text, filename, fast=fast)
        self.examples: list[tuple[str, yaml.Node, str, str]] = []

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
        entries = self.entries(node, "projects")
        if isinstance(node, yaml.MappingNode) and not node.value:
            self.fail(node, "projects: no project defined")
        projects = []
        for name, key_node, value in entries:
            if not _NAME.fullmatch(name):
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
        artifacts, kind_names = self.artifacts(fields, name, version_pattern)
        series = self.series(fields, name)
        releases = self.releases(fields, name, version_pattern, kind_names)
        if len(self.problems) > before or source is None or version_pattern is None:
            return None
        return Project(name, source, version_pattern, artifacts, series, releases, description)

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

    def artifacts(
        self, fields: Fields, project: str, version_pattern: str | None
    ) -> tuple[tuple[ArtifactKind, ...], list[str]]:
        if "artifacts" not in fields:
            return (), []
        node = fields["artifacts"][1]
        entries = self.entries(node, f"project {project}: artifacts")
        if isinstance(node, yaml.MappingNode) and not node.value:
            self.fail(node, f"project {project}: artifacts: no artifact kind defined")
        kinds = []
        for name, key_node, value in entries:
            context = f"artifact {project}/{name}"
            if not _NAME.fullmatch(name):
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

    def signer(self, node: yaml.Node, context: str) -> Signer | None:
        context = f"{context}: signer"
        fields = self.mapping(node, context, (), _SIGNER_KEYS)
        if fields is None:
            return None
        if "github_attestation" in fields:
            return self.github_attestation(node, fields, context)
        if "trusted_publisher" in fields:
            return self.publisher_signer(fields, context)
        before, warned = len(self.problems), len(self.warnings)
        identity = self.string(fields, "identity", context)
        issuer = self.string(fields, "issuer", context)
        identity_regexp = self.regexp(fields, "identity_regexp", context)
        issuer_regexp = self.regexp(fields, "issuer_regexp", context)
        for what in ("identity", "issuer"):
            if what in fields and f"{what}_regexp" in fields:
                self.fail(
                    fields[f"{what}_regexp"][0],
                    f"{context}: give {what} or {what}_regexp, not both",
                )
        if "issuer" not in fields and "issuer_regexp" not in fields:
            self.fail(node, f"{context}: missing 'issuer' (the OIDC issuer URL) or 'issuer_regexp'")
        if not {"identity", "identity_regexp", "github_workflow"} & set(fields):
            self.fail(node, f"{context}: needs identity, identity_regexp or github_workflow")
        workflow = self.github_workflow(fields, context)
        if self.permits_broad_pattern(fields, context):
            del self.warnings[warned:]
        if len(self.problems) > before:
            return None
        try:
            return Signer(issuer, issuer_regexp, identity, identity_regexp, workflow)
        except PolicySpecError as exc:
            self.fail(node, f"{context}: {exc.detail}")
            return None

    def publisher_signer(self, fields: Fields, context: str) -> Signer | None:
        others = [name for name in fields if name != "trusted_publisher"]
        for name in others:
            self.fail(
                fields[name][0],
                f"{context}: {name!r} cannot accompany trusted_publisher (its kind implies "
                "the issuer and the claims)",
            )
        publisher = publishers.read_trusted_publisher(self, fields["trusted_publisher"][1], context)
        if publisher is None or others:
            return None
        return Signer(trusted_publisher=publisher)

    def github_workflow(self, fields: Fields, context: str) -> GitHubWorkflow | None:
        if "github_workflow" not in fields:
            return None
        node = fields["github_workflow"][1]
        context = f"{context}: github_workflow"
        claims = self.mapping(node, context, (), GitHubWorkflow.claim_names())
        if claims is None:
            return None
        if not claims:
            if isinstance(node, yaml.MappingNode) and not node.value:
                self.fail(node, f"{context}: give at least one claim")
            return None
        values = {name: self.string(claims, name, context) for name in claims}
        if any(value is None for value in values.values()):
            return None
        try:
            return GitHubWorkflow(**values)
        except PolicySpecError as exc:
            self.fail(node, f"{context}: {exc.detail}")
            return None

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
