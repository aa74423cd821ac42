"""The release map's ``trusted_publisher`` signer form, and PyPI artifact kinds.

A signer may name a PyPI Trusted Publisher instead of an identity::

    signers:
      - trusted_publisher:
          kind: github            # github, gitlab, google or circleci
          repository: OWNER/REPO
          workflow: release.yml
          environment: pypi       # optional: the certificate must carry it
          ref: '^refs/tags/v{version}$'   # optional: anchored, {version} = the release

GitLab takes ``repository`` (``NAMESPACE/PROJECT``), ``ci_file``, optional
``host`` (a self-managed instance; default gitlab.com), ``environment`` and
``ref``; Google takes ``email``; CircleCI ``project_id`` and
``pipeline_definition_id``. The issuer is implied by the kind, so
``issuer``/``identity`` keys may not accompany it. The publisher compiles
into certificate claims as :mod:`srcverify.pypi.publisher` says.

An artifact kind may give ``format: sdist`` or ``format: wheel`` instead of
a ``pattern``: the pattern is then derived from the project's key (its PyPI
name) by the naming rules (:func:`srcverify.pypi.distribution.name_pattern`).

This module reads YAML nodes for :mod:`srcverify.releasemap.schema`; it
resolves nothing and reads no files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from srcverify.pypi.distribution import PEP440_VERSION_PATTERN, name_pattern
from srcverify.pypi.publisher import (
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
    TrustedPublisher,
)
from srcverify.sigstore.identity import PolicySpecError

if TYPE_CHECKING:
    import yaml

    from srcverify.releasemap.nodes import Fields, NodeReader

__all__ = [
    "FORMATS",
    "PUBLISHER_FIELDS",
    "PYPI_VERSION_PATTERN",
    "format_pattern",
    "read_trusted_publisher",
]

FORMATS = ("sdist", "wheel")
PYPI_VERSION_PATTERN = PEP440_VERSION_PATTERN

# kind -> (required fields, optional fields)
PUBLISHER_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "github": (("repository", "workflow"), ("environment", "ref")),
    "gitlab": (("repository", "ci_file"), ("host", "environment", "ref")),
    "google": (("email",), ()),
    "circleci": (("project_id", "pipeline_definition_id"), ()),
}


def format_pattern(project: str, file_format: str) -> str | None:
    """The artifact pattern for ``format: sdist|wheel`` of ``project``, None if unknown."""
    return name_pattern(project, file_format) if file_format in FORMATS else None


def read_trusted_publisher(
    reader: NodeReader, node: yaml.Node, context: str
) -> TrustedPublisher | None:
    """Read a ``trusted_publisher`` mapping; problems are recorded on ``reader``."""
    context = f"{context}: trusted_publisher"
    every = {name for pair in PUBLISHER_FIELDS.values() for part in pair for name in part}
    fields = reader.mapping(node, context, ("kind",), tuple(sorted(every)))
    if fields is None or "kind" not in fields:
        return None
    kind = reader.string(fields, "kind", context)
    if kind is None:
        return None
    if kind not in PUBLISHER_FIELDS:
        reader.fail(
            fields["kind"][1],
            f"{context}: kind {kind!r} is not one of {', '.join(PUBLISHER_FIELDS)}",
        )
        return None
    required, optional = PUBLISHER_FIELDS[kind]
    values = _values(reader, fields, context, kind, required, optional)
    if values is None:
        return None
    try:
        return _build(kind, values)
    except PolicySpecError as exc:
        reader.fail(node, f"{context}: {exc.detail}")
        return None


def _values(
    reader: NodeReader,
    fields: Fields,
    context: str,
    kind: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
) -> dict[str, str] | None:
    ok = True
    for name, (key_node, _) in fields.items():
        if name != "kind" and name not in required and name not in optional:
            reader.fail(key_node, f"{context}: {name!r} is not a field of a {kind} publisher")
            ok = False
    for name in required:
        if name not in fields:
            reader.fail(fields["kind"][1], f"{context}: a {kind} publisher needs {name!r}")
            ok = False
    values = {}
    for name in (*required, *optional):
        if name in fields:
            value = reader.string(fields, name, context)
            if value is None:
                ok = False
            else:
                values[name] = value
    return values if ok else None


def _build(kind: str, values: dict[str, str]) -> TrustedPublisher:
    if kind == "github":
        return GitHubPublisher(
            values["repository"], values["workflow"], values.get("environment"), values.get("ref")
        )
    if kind == "gitlab":
        return GitLabPublisher(
            values["repository"],
            values["ci_file"],
            values.get("environment"),
            values.get("ref"),
            host=values.get("host", "gitlab.com"),
        )
    if kind == "google":
        return GooglePublisher(values["email"])
    return CircleCIPublisher(values["project_id"], values["pipeline_definition_id"])
