"""Release-map signers: who must have signed a series' or a release's files.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for one entry
of a ``signers:`` list: an ``identity`` or ``identity_regexp`` with an
``issuer`` or ``issuer_regexp``, optionally with ``github_workflow`` claims;
a ``trusted_publisher`` (:mod:`srcverify.releasemap.publishers`); or the
``github_attestation`` shorthand (:class:`~srcverify.releasemap.forms.FormsReader`).
Broad patterns are lint warnings unless the signer says
``lint: permit-broad-pattern``.

It builds :class:`~srcverify.releasemap.model.Signer` objects, whose
policies :mod:`srcverify.sigstore.identity` defines; it does not decide which
series or release a signer belongs to (:mod:`srcverify.releasemap.series`)
and reads no files.
"""

from __future__ import annotations

import yaml

from srcverify.releasemap import publishers
from srcverify.releasemap.forms import FormsReader
from srcverify.releasemap.model import Signer
from srcverify.releasemap.nodes import Fields
from srcverify.sigstore.identity import GitHubWorkflow, PolicySpecError

__all__ = ["SignersReader"]

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


class SignersReader(FormsReader):
    """The map reader's methods for one signer."""

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
