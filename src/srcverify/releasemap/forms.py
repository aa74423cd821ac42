"""Release-map fields for evidence beyond one bundle per file.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for:

* ``manifest:`` on an artifact kind: its files are authenticated through a
  signed checksum manifest, whose name is the template with ``{version}``
  filled in; who must have signed the manifest is decided by the manifest's
  own artifact kind in the same project (checked on the kinds' examples);
* ``evidence:`` on an artifact kind: the evidence file its files share (one
  multi-subject attestation, or a JSON-lines file, for all of a release's
  tarballs), looked for beside the artifact instead of ``NAME.sigstore.json``;
* ``timestamp_only: true`` on an artifact kind: WEAKER, evidence with RFC 3161
  timestamps and no transparency log entry is accepted for it;
* the ``github_attestation`` signer form (:mod:`srcverify.releasemap.github`).

It resolves nothing and reads no files.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from srcverify.releasemap.github import github_attestation_signer
from srcverify.releasemap.model import ArtifactKind, Signer
from srcverify.releasemap.nodes import Fields, NodeReader, kind
from srcverify.sigstore.identity import PolicySpecError

__all__ = ["FormsReader"]

_BOOL = "tag:yaml.org,2002:bool"


class FormsReader(NodeReader):
    """The map reader's methods for manifest kinds, timestamp-only kinds, archive
    top directories and ``github_attestation`` signers."""

    def name_template(self, fields: Fields, key: str, context: str) -> str | None:
        """``manifest:`` or ``evidence:``: a file name beside the artifact, with ``{version}``."""
        value = self.string(fields, key, context)
        if value is not None and (value.count("{version}") != 1 or "/" in value):
            self.fail(
                fields[key][1],
                f"{context}: {key} {value!r} must be a file name with {{version}} exactly once",
            )
            return None
        return value

    def top_directory_template(self, fields: Fields, context: str) -> str | None:
        """``top_directory:``: a directory name with ``{version}`` once, or false for none."""
        if "top_directory" not in fields:
            return None
        node = fields["top_directory"][1]
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            if str(node.value).lower() == "false":
                return ""
            self.fail(node, f"{context}: top_directory: true says nothing; give the template")
            return None
        value = self.string(fields, "top_directory", context)
        if value is not None and (value.count("{version}") != 1 or "/" in value.strip("/")):
            self.fail(
                node,
                f"{context}: top_directory {value!r} must be one directory name with "
                "{version} exactly once (or false: the archive has none)",
            )
            return None
        return None if value is None else value.strip("/")

    def flag(self, fields: Fields, name: str, context: str) -> bool:
        if name not in fields:
            return False
        node = fields[name][1]
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.fail(node, f"{context}: {name}: expected true or false, found {kind(node)}")
            return False
        return str(node.value).lower() == "true"

    def github_attestation(self, node: yaml.Node, fields: Fields, context: str) -> Signer | None:
        others = [key for key in fields if key != "github_attestation"]
        if others:
            self.fail(
                fields[others[0]][0],
                f"{context}: github_attestation sets issuer and identity itself; "
                f"{others[0]!r} cannot be combined with it",
            )
            return None
        context = f"{context}: github_attestation"
        parts = self.mapping(
            fields["github_attestation"][1], context, ("repository", "workflow"), ("ref",)
        )
        if parts is None:
            return None
        repository = self.string(parts, "repository", context)
        workflow = self.string(parts, "workflow", context)
        ref = self.string(parts, "ref", context)
        if repository is None or workflow is None or ("ref" in parts and ref is None):
            return None
        try:
            return github_attestation_signer(repository, workflow, ref)
        except PolicySpecError as exc:
            self.fail(fields["github_attestation"][1], f"{context}: {exc.detail}")
            return None

    def check_manifest(
        self,
        node: yaml.Node,
        example: str,
        version: str,
        project: str,
        kind_name: str,
        kinds: Sequence[tuple[str, ArtifactKind]],
    ) -> None:
        """An example's manifest must be a file of another kind of the same project."""
        own = next(k for p, k in kinds if p == project and k.name == kind_name)
        manifest = own.manifest_name(version)
        if manifest is None:
            return
        holders = [k for p, k in kinds if p == project and k.regex.fullmatch(manifest)]
        if not holders:
            self.fail(
                node,
                f"example {example!r} of {project}/{kind_name}: its manifest {manifest!r} "
                f"matches no artifact kind of project {project}; add the manifest's own kind "
                "(who signs it is decided there)",
            )
        elif any(k.manifest is not None for k in holders):
            self.fail(
                node,
                f"example {example!r}: its manifest {manifest!r} is itself authenticated "
                "through a manifest; a manifest must carry its own evidence",
            )
