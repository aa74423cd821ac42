"""Strict YAML with positions: the node reader the release map is built on.

:class:`NodeReader` composes YAML with PyYAML's safe machinery (``yaml.compose``
with ``SafeLoader``, or libyaml's ``CSafeLoader``, which composes the same nodes
ten times faster: no object construction either way) and reads the resulting
nodes, so each problem is recorded as a
:class:`~srcverify.releasemap.model.MapProblem` at ``file:line:column``. A text
libyaml refuses is composed again by the pure-Python loader, so a syntax error
reads the same either way. It reports syntax errors, keys that are not strings
(``3.10`` unquoted is the float 3.1), duplicate, unknown and missing keys, wrong
types (also a mapping or list tagged ``!!python/...``), empty strings,
unanchored or broken regular expressions, patterns outside the safe subset
of :mod:`srcverify.releasemap.patterns` (at the offending character where
the scalar is plain or single-quoted on one line), and YAML aliases (refused, not
expanded: a reviewed map spells every entry out), and keeps going so that one
pass finds every problem. Lint warnings for broad signer patterns are
collected in ``warnings``; they refuse nothing.

It knows nothing about the release-map schema (that is
:mod:`srcverify.releasemap.schema`) and reads no files.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import yaml

from srcverify.releasemap import patterns
from srcverify.releasemap.model import MapProblem

__all__ = ["Fields", "NodeReader", "anchored", "kind", "suggest"]

_TAG = "tag:yaml.org,2002:"
_PERMIT_BROAD = "permit-broad-pattern"  # a signer's opt-out of the lint warnings
_KINDS = {
    "str": "a string",
    "map": "a mapping",
    "seq": "a list",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "nothing (null)",
    "merge": "a merge key (<<)",
}

# libyaml, when PyYAML was built with it (Debian's and Fedora's packages are)
_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)

# Characters the two loaders treat differently (libyaml allows a tab in places
# PyYAML does not, and has its own ideas of line breaks and byte order marks):
# a text with any of them is read by the pure-Python loader only.
_LIBYAML_DIFFERS = re.compile(
    yaml.reader.Reader.NON_PRINTABLE.pattern + "|[\t\x85\u2028\u2029\ufeff]"
)

Fields = dict[str, tuple[yaml.Node, yaml.Node]]
"""A fixed-key mapping as read: key name -> (key node, value node)."""


def kind(node: yaml.Node) -> str:
    """How a message names what a node holds: ``a string``, ``a list`` ..."""
    tag = node.tag.removeprefix(_TAG)
    return _KINDS.get(tag, f"a value tagged {node.tag}")


def anchored(pattern: str) -> bool:
    """Starts with ``^`` and ends with an unescaped ``$``."""
    if not (pattern.startswith("^") and pattern.endswith("$")):
        return False
    body = pattern[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 0


def _source_offset(text: str, node: yaml.Node, offset: int) -> int:
    """Columns from ``node``'s start to character ``offset`` of its value, where the
    scalar is written on one line plain or single-quoted; 0 (the node) otherwise."""
    style = getattr(node, "style", None)
    if node.start_mark is None or node.end_mark is None or style not in (None, "'"):
        return 0
    source = text[node.start_mark.index : node.end_mark.index]
    if "\n" in source:
        return 0
    column = 1 if style == "'" else 0
    position = 0
    while position < offset and column < len(source):
        column += 2 if style == "'" and source[column : column + 2] == "''" else 1
        position += 1
    return column


def _shares_a_node(root: yaml.Node) -> bool:
    """Whether any node is reached twice: the mark of a YAML alias (``*name``),
    which the composer resolves to the anchored node itself. Each node is
    visited once, so a "billion laughs" text costs no more than its length."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                pending.extend((key, value))
    return False


def suggest(word: str, allowed: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a likely typo, else an empty string."""
    close = difflib.get_close_matches(word, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class NodeReader:
    """Reads nodes of one YAML text, collecting problems instead of stopping."""

    def __init__(self, text: str, filename: str, *, fast: bool = True) -> None:
        self.fast = fast and _FAST_LOADER is not None
        self.text = text
        self.filename = filename
        self.problems: list[MapProblem] = []
        self.warnings: list[MapProblem] = []

    def fail(self, node: yaml.Node | None, message: str, offset: int | None = None) -> None:
        """Record a problem at ``node``, or at character ``offset`` of its string value."""
        self.problems.append(self._at(node, message, offset))

    def warn(self, node: yaml.Node, message: str, offset: int | None = None) -> None:
        """Record a lint warning (``map check`` prints them; they refuse nothing)."""
        self.warnings.append(self._at(node, message, offset))

    def _at(self, node: yaml.Node | None, message: str, offset: int | None) -> MapProblem:
        mark = node.start_mark if node is not None else None
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if node is not None and offset is not None:
            column += _source_offset(self.text, node, offset)
        return MapProblem(self.filename, line, column, message)

    def permits_broad_pattern(self, fields: Fields, context: str) -> bool:
        """``lint: permit-broad-pattern``: this signer's broad patterns are meant."""
        if "lint" not in fields:
            return False
        value = self.string(fields, "lint", context)
        if value is not None and value != _PERMIT_BROAD:
            self.fail(
                fields["lint"][1],
                f"{context}: lint {value!r}: the only value is {_PERMIT_BROAD!r}",
            )
        return value == _PERMIT_BROAD

    def safe_pattern(
        self, node: yaml.Node, value: str, what: str, placeholder: str | None = None
    ) -> bool:
        """Refuse ``value`` outside the safe subset of :mod:`srcverify.releasemap.patterns`."""
        found = patterns.unsafe(value, placeholder=placeholder)
        if found is None:
            return True
        offset, why = found
        self.fail(node, f"{what} {value!r} can backtrack catastrophically: {why}", offset)
        return False

    def compose(self) -> yaml.Node | None:
        if self.fast and _FAST_LOADER is not None and not _LIBYAML_DIFFERS.search(self.text):
            try:
                fast_root = yaml.compose(self.text, Loader=_FAST_LOADER)
            except (yaml.YAMLError, RecursionError):
                pass  # reported below as the pure-Python loader words it, with its position
            else:
                return self._checked(fast_root, _FAST_LOADER)
        try:
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            self.problems.append(
                MapProblem(self.filename, line, column, f"YAML syntax error: {what}")
            )
            return None
        except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
            offset = getattr(exc, "position", 0)
            before = self.text[: offset if isinstance(offset, int) else 0]
            line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
            self.problems.append(MapProblem(self.filename, line, column, f"YAML error: {exc}"))
            return None
        except RecursionError:
            self.fail(None, "YAML error: nesting too deep")
            return None
        return self._checked(root, yaml.SafeLoader)

    def _checked(self, root: yaml.Node | None, loader: type[yaml.SafeLoader]) -> yaml.Node | None:
        if root is None:
            self.fail(None, "the release map is empty; expected 'schema: 1' and 'projects:'")
        elif _shares_a_node(root):  # an alias: the composer reuses the anchored node
            self.aliases(loader)  # parsed again only to say where each alias is
            return None  # not walked: an alias can make a small text a huge tree
        return root

    def aliases(self, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> bool:
        """Report every alias (``*name``); True if there was one."""
        found = False
        for event in yaml.parse(self.text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                found = True
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                self.problems.append(
                    MapProblem(
                        self.filename,
                        line,
                        column,
                        f"YAML alias *{event.anchor}: a release map must not use aliases or "
                        "merge keys; write each entry out so that a reviewer sees it",
                    )
                )
        return found

    def key(self, node: yaml.Node, context: str) -> str | None:
        """A key's text. A number (``3.10:``) is reported but its text is
        returned, so that what it names is still checked."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str":
            return str(node.value) if self.is_text(node, f"{context}: key") else None
        if isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "int", _TAG + "float"):
            self.fail(
                node,
                f'{context}: key {node.value} must be quoted ("{node.value}"); '
                f"unquoted, YAML reads it as {kind(node)}",
            )
            return str(node.value)
        self.fail(node, f"{context}: keys must be strings, found {kind(node)}")
        return None

    def entries(
        self, node: yaml.Node, context: str, *, if_empty: str | None = None
    ) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """A mapping with free keys (names), duplicates reported; ``if_empty``,
        when given, is the problem an empty mapping is."""
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        if not isinstance(node, yaml.MappingNode) or node.tag != _TAG + "map":
            self.fail(node, f"{context}: expected a mapping, found {kind(node)}")
        else:
            pairs = node.value
        seen: dict[str, yaml.Node] = {}
        result = []
        for key_node, value in pairs:
            name = self.key(key_node, context)
            if name is None:
                continue
            if name in seen:
                line = seen[name].start_mark.line + 1
                self.fail(key_node, f"{context}: duplicate key {name!r} (first at line {line})")
                continue
            seen[name] = key_node
            result.append((name, key_node, value))
        if if_empty is not None and isinstance(node, yaml.MappingNode) and not node.value:
            self.fail(node, f"{context}: {if_empty}")
        return result

    def mapping(
        self, node: yaml.Node, context: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> Fields | None:
        """A mapping with fixed keys: unknown and missing keys reported."""
        if not isinstance(node, yaml.MappingNode) or node.tag != _TAG + "map":
            self.fail(node, f"{context}: expected a mapping, found {kind(node)}")
            return None
        allowed = [*required, *optional]
        fields: Fields = {}
        for name, key_node, value in self.entries(node, context):
            if key_node.tag != _TAG + "str":
                continue  # a number as a key: reported already
            if name not in allowed:
                self.fail(
                    key_node,
                    f"{context}: unknown key {name!r}{suggest(name, allowed)}; "
                    f"allowed: {', '.join(allowed)}",
                )
            else:
                fields[name] = (key_node, value)
        for name in required:
            if name not in fields and name == "source":
                self.fail(node, f"{context}: missing 'source:' note saying where this comes from")
            elif name not in fields:
                self.fail(node, f"{context}: missing required key {name!r}")
        return fields

    def string(self, fields: Fields, name: str, context: str) -> str | None:
        return self.scalar(fields[name][1], f"{context}: {name}") if name in fields else None

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != _TAG + "str":
            numeric = node.tag in (_TAG + "int", _TAG + "float")
            hint = f' (quote it: "{node.value}")' if numeric else ""
            self.fail(node, f"{what}: expected a string, found {kind(node)}{hint}")
            return None
        if not str(node.value).strip():
            self.fail(node, f"{what}: must not be empty")
            return None
        if not self.is_text(node, what):
            return None
        return str(node.value)

    def is_text(self, node: yaml.ScalarNode, what: str) -> bool:
        """A string YAML decoded from an escape (``"\\ud800"``) may hold a lone
        surrogate, which is no Unicode text and could not be printed or encoded."""
        value = str(node.value)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = ord(value[exc.start])
            self.fail(node, f"{what}: holds U+{code:04X}, a lone surrogate, not Unicode text")
            return False
        return True

    def strings(self, fields: Fields, name: str, context: str) -> list[tuple[str, yaml.Node]]:
        if name not in fields:
            return []
        node = fields[name][1]
        if not isinstance(node, yaml.SequenceNode) or node.tag != _TAG + "seq":
            self.fail(node, f"{context}: {name}: expected a list, found {kind(node)}")
            return []
        if not node.value:
            self.fail(node, f"{context}: {name}: empty list; leave the key out instead")
        values = []
        for item in node.value:
            value = self.scalar(item, f"{context}: {name}")
            if value is not None:
                values.append((value, item))
        return values

    def regexp(self, fields: Fields, name: str, context: str) -> str | None:
        value = self.string(fields, name, context)
        if value is None:
            return None
        node = fields[name][1]
        if not anchored(value):
            self.fail(
                node, f"{context}: {name} {value!r} must be anchored: start with ^, end with $"
            )
            return None
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError) as exc:
            self.fail(node, f"{context}: {name} {value!r} is not a valid regular expression: {exc}")
            return None
        if not self.safe_pattern(node, value, f"{context}: {name}"):
            return None
        for offset, warning in patterns.broad(name, value):
            self.warn(node, f"{context}: {warning}", offset)
        return value

    # --- the schema ---------------------------------------------------------
