"""Release-map facts that reject a swapped release: earliest signing time, known digests.

A mixin of the map reader (:mod:`srcverify.releasemap.schema`) for two keys a
series entry or a release entry may carry:

* ``not_signed_before: 2024-10-01T00:00:00Z``: an RFC 3339 time in UTC
  (``Z`` or ``+00:00``; a date alone, a time without a zone or in another
  zone is a problem). Evidence for the entry's files whose earliest verified
  time is earlier is another, older release by the same signer;
* ``digests:``, file name -> ``{sha256: HEX}`` (``sha384``, ``sha512`` besides;
  sha256 is required, being the digest every input path can give): the file
  name must be one of the project's artifact kinds (of the release entry's
  ``artifacts:`` when it names some), for a version of the series or exactly
  the release; each name is known once per project; each hex string has the
  algorithm's length.

It reads and checks the facts; the command line enforces them
(:mod:`srcverify.cli.releasefacts`). It resolves nothing and reads no files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

import yaml

from srcverify.releasemap.model import ArtifactKind, KnownDigest
from srcverify.releasemap.nodes import Fields, NodeReader, kind

__all__ = ["ALGORITHMS", "FACT_KEYS", "FactsReader"]

FACT_KEYS = ("not_signed_before", "digests")
_TAG = "tag:yaml.org,2002:"
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?P<zone>[Zz]|[+-]\d{2}:\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX = re.compile(r"[0-9a-fA-F]*")
# srcverify.artifact.ALGORITHMS, with their lengths in hex (the test suite compares them)
_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
ALGORITHMS = tuple(_HEX_LENGTH)


class FactsReader(NodeReader):
    """The map reader's methods for ``not_signed_before`` and ``digests``."""

    def __init__(self, text: str, filename: str, *, fast: bool = True) -> None:
        super().__init__(text, filename, fast=fast)
        # (project, file name) -> where its digest was first given
        self.known_names: dict[tuple[str, str], tuple[str, yaml.Node]] = {}

    def not_signed_before(self, fields: Fields, context: str) -> datetime | None:
        """The ``not_signed_before`` time (aware, UTC), or None if absent or malformed."""
        if "not_signed_before" not in fields:
            return None
        node = fields["not_signed_before"][1]
        what = f"{context}: not_signed_before"
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (
            _TAG + "str",
            _TAG + "timestamp",
        ):
            self.fail(
                node, f"{what}: expected a time such as 2024-10-01T00:00:00Z, found {kind(node)}"
            )
            return None
        text = str(node.value).strip()
        match = _RFC3339.fullmatch(text)
        if match is None:
            hint = "a date alone says no time" if _DATE.fullmatch(text) else "not an RFC 3339 time"
            self.fail(node, f"{what}: {text!r}: {hint}; write a UTC time such as {_example(text)}")
            return None
        zone = match.group("zone")
        if zone is None:
            self.fail(node, f"{what}: {text!r} has no time zone; write it in UTC with Z")
            return None
        if zone not in ("Z", "z", "+00:00", "-00:00"):
            self.fail(node, f"{what}: {text!r} is not in UTC ({zone}); write it in UTC with Z")
            return None
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        fraction = match.group(7)
        try:
            when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as exc:
            self.fail(node, f"{what}: {text!r} is no such time ({exc})")
            return None
        if fraction:
            when += timedelta(microseconds=int(fraction[1:].ljust(6, "0")))
        return when

    def known_digests(
        self,
        fields: Fields,
        context: str,
        project: str,
        kinds: Sequence[ArtifactKind],
        complete: bool,
        belongs: Callable[[str], bool],
        scope: Sequence[str] = (),
    ) -> tuple[KnownDigest, ...]:
        """The entry's ``digests``: each file name a kind's, of a version the entry covers.

        Args:
            fields: the entry's fields.
            context: how problems name the entry (``series cpython 3.13``).
            project: the project's name (each file is known once per project).
            kinds: the project's artifact kinds that were read without problems.
            complete: every kind was (else a name no kind matches is not reported:
                its kind has problems of its own).
            belongs: whether a version is one the entry covers.
            scope: the release entry's ``artifacts:`` kinds (empty: any kind).
        """
        if "digests" not in fields:
            return ()
        node = fields["digests"][1]
        entries = self.entries(
            node, f"{context}: digests", if_empty="empty; leave the key out instead"
        )
        result = []
        for name, key_node, value in entries:
            where = f"{context}: digests: {name}"
            if not self._file_name(key_node, name, where, kinds, complete, belongs, scope):
                continue
            digest = self._digest(name, value, where)
            first = self.known_names.setdefault((project, name), (context, key_node))
            if first[1] is not key_node:
                self.fail(
                    key_node,
                    f"{where}: already known in {first[0].removeprefix(f'{project} ')} "
                    f"(line {first[1].start_mark.line + 1}); give each file's digest once",
                )
                continue
            if digest is not None:
                result.append(digest)
        return tuple(result)

    def _file_name(
        self,
        node: yaml.Node,
        name: str,
        where: str,
        kinds: Sequence[ArtifactKind],
        complete: bool,
        belongs: Callable[[str], bool],
        scope: Sequence[str],
    ) -> bool:
        matches = [(k, m) for k in kinds if (m := k.regex.fullmatch(name)) is not None]
        if not matches:
            if complete:
                self.fail(node, f"{where}: the name matches no artifact kind of the project")
            return False
        artifact_kind, match = matches[0]
        version = match.group("version")
        if version is None or not belongs(version):
            self.fail(
                node,
                f"{where}: is {artifact_kind.name} version {version}, which this entry does not "
                "cover; give a file's digest in its own release's or series' entry",
            )
            return False
        if scope and artifact_kind.name not in scope:
            self.fail(
                node,
                f"{where}: is a {artifact_kind.name} file, not one of this entry's artifacts "
                f"({', '.join(scope)})",
            )
            return False
        return True

    def _digest(self, name: str, node: yaml.Node, where: str) -> KnownDigest | None:
        algorithms = self.mapping(node, where, ("sha256",), ALGORITHMS[1:])
        if algorithms is None:
            return None
        values: dict[str, str] = {}
        for algorithm, (_, value_node) in algorithms.items():
            hex_value = self._hex(value_node, f"{where}: {algorithm}", algorithm)
            if hex_value is not None:
                values[algorithm] = hex_value
        if len(values) != len(algorithms) or "sha256" not in values:
            return None
        return KnownDigest(name, **values)

    def _hex(self, node: yaml.Node, what: str, algorithm: str) -> str | None:
        # digits only may read as a YAML integer: the text is what counts
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (
            _TAG + "str",
            _TAG + "int",
            _TAG + "float",
        ):
            self.fail(node, f"{what}: expected a hex string, found {kind(node)}")
            return None
        text = str(node.value)
        wanted = _HEX_LENGTH[algorithm]
        if not _HEX.fullmatch(text):
            self.fail(node, f"{what}: {text!r} is not hexadecimal")
            return None
        if len(text) != wanted:
            others = [a for a, n in _HEX_LENGTH.items() if n == len(text)]
            hint = f" (that is a {others[0]} length)" if others else ""
            self.fail(
                node,
                f"{what}: {len(text)} hex digits; {algorithm} has {wanted}{hint}",
            )
            return None
        return text.lower()


def _example(text: str) -> str:
    date = _DATE.match(text)
    return f"{date.group()}T00:00:00Z" if date else "2024-10-01T00:00:00Z"
