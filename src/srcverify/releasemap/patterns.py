"""The safe subset of regular expressions a release map may use, and lint for broad ones.

A map pattern is matched against text an attacker chooses (a file name, a
Fulcio identity anyone can obtain), so a pattern that can backtrack
catastrophically would let them stall a build. :func:`unsafe` scans the
pattern text itself (a small scanner of our own, not ``re``'s private parser)
and refuses:

- backreferences (``\\1`` .. ``\\9``, ``(?P=name)``) and conditionals (``(?(1)..)``);
- lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``);
- a group repeated by ``*``, ``+`` or ``{m,n}`` (any bound above one) that
  itself contains such a quantifier or an alternation: ``(a+)+``,
  ``(a*)*``, ``(a|aa)+``. An optional group (``?``, ``{0,1}``) may contain
  both: ``(?:\\.[0-9]+)?`` is fine.

Sequences of quantifiers over overlapping sets (``.*.*``) cost polynomial,
not exponential, time over the bounded inputs srcverify matches, and are
not refused. :func:`broad` finds the permissive forms worth a warning.
This module does not compile patterns; ``re`` still judges their syntax.
"""

from __future__ import annotations

import re

__all__ = ["broad", "unsafe"]

_COUNT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")


class _Group:
    def __init__(self, start: int) -> None:
        self.start = start
        self.repeats_inside = False  # a repeating quantifier or an alternation at any depth
        self.label = f"the group at character {start + 1}"


def _skip_class(pattern: str, index: int) -> int:
    """The index just after the character class opening at ``index``."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _quantifier(pattern: str, index: int) -> tuple[int, bool] | None:
    """(length, repeats) of a quantifier at ``index``, or None when there is none there."""
    char = pattern[index]
    if char in "*+":
        return 1, True
    if char == "?":
        return 1, False
    if char == "{":
        count = _COUNT.match(pattern, index)
        if count is None:
            return None  # a literal brace, as re reads it
        low, high = count.group(1), count.group(2)
        if count.group(0).count(",") == 0:
            high = low
        repeats = high == "" or int(high or "0") > 1
        return count.end() - index, repeats
    return None


def unsafe(pattern: str, *, placeholder: str | None = None) -> tuple[int, str] | None:
    """(offset, why) of the first construct outside the safe subset, or None.

    ``placeholder`` (``{version}`` in artifact patterns) is read as one atom
    that contains a quantifier, since the version pattern replaces it.
    """
    stack: list[_Group] = []
    last: _Group | None = None  # the group just closed, when it is the last atom
    index = 0
    while index < len(pattern):
        char = pattern[index]
        atom: _Group | None = None
        if placeholder and pattern.startswith(placeholder, index):
            if stack:
                stack[-1].repeats_inside = True
            atom = _Group(index)
            atom.repeats_inside = True
            atom.label = f"{placeholder} (the version pattern)"
            index += len(placeholder)
        elif char == "\\":
            if index + 1 < len(pattern) and pattern[index + 1] in "123456789":
                return index, f"backreference {pattern[index : index + 2]!r}"
            index += 2
        elif char == "[":
            index = _skip_class(pattern, index)
        elif char == "(":
            if pattern.startswith("(?#", index):
                index = pattern.find(")", index) + 1 or len(pattern)
                continue
            for look in _LOOKAROUND:
                if pattern.startswith(look, index):
                    return index, f"lookaround {look!r}"
            if pattern.startswith("(?P=", index):
                return index, "backreference '(?P='"
            if pattern.startswith("(?(", index):
                return index, "conditional group '(?('"
            stack.append(_Group(index))
            index += 1
        elif char == ")" and stack:
            atom = stack.pop()
            if atom.repeats_inside and stack:
                stack[-1].repeats_inside = True
            index += 1
        elif char == "|":
            if stack:
                stack[-1].repeats_inside = True
            index += 1
        else:
            found = _quantifier(pattern, index)
            if found is None:
                index += 1
            else:
                length, repeats = found
                if repeats and last is not None and last.repeats_inside:
                    return last.start, (
                        f"{last.label} is repeated by "
                        f"{pattern[index : index + length]!r} and itself contains a quantifier "
                        "or an alternation (nested quantifiers backtrack exponentially)"
                    )
                if repeats and stack:
                    stack[-1].repeats_inside = True
                index += length
                if index < len(pattern) and pattern[index] in "?+":
                    index += 1  # lazy or possessive
                last = None
                continue
        last = atom
    return None


def _top_level_alternatives(pattern: str) -> list[tuple[int, str]]:
    """The pattern split at its top-level ``|``, each part with its offset."""
    parts: list[tuple[int, str]] = []
    depth, start, index = 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _skip_class(pattern, index)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append((start, pattern[start:index]))
            start = index + 1
        index += 1
    parts.append((start, pattern[start:]))
    return parts


def _outside_classes(pattern: str) -> list[tuple[int, str]]:
    """(offset, token) of each character or escape outside character classes."""
    tokens: list[tuple[int, str]] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            tokens.append((index, pattern[index : index + 2]))
            index += 2
        elif pattern[index] == "[":
            index = _skip_class(pattern, index)
        else:
            tokens.append((index, pattern[index]))
            index += 1
    return tokens


def _in_classes(pattern: str) -> list[int]:
    """Offsets of ``\\d`` inside character classes."""
    found = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2
        elif pattern[index] == "[":
            end = _skip_class(pattern, index)
            inner = index + 1
            while inner < end - 1:
                if pattern[inner] == "\\":
                    if pattern[inner + 1 : inner + 2] == "d":
                        found.append(inner)
                    inner += 2
                else:
                    inner += 1
            index = end
        else:
            index += 1
    return found


def broad(name: str, pattern: str) -> list[tuple[int, str]]:
    """(offset, warning) for each permissive form in map pattern ``pattern`` (key ``name``).

    Warned: a top-level alternative containing ``.*`` (``^a@x$|^.*$``
    accepts anything), an unescaped ``.`` in an identity (it matches any
    character, so ``python.org`` also matches ``pythonXorg``), an issuer
    pattern that accepts any ``https://`` issuer, and ``\\d`` (it matches
    non-ASCII digits such as ``٣``; ``[0-9]`` does not).
    """
    warnings: list[tuple[int, str]] = []
    alternatives = _top_level_alternatives(pattern)
    if len(alternatives) > 1:
        for offset, part in alternatives:
            if ".*" in part:
                warnings.append(
                    (
                        offset,
                        f"{name} {pattern!r}: the alternative {part!r} contains '.*', so the "
                        "pattern accepts almost anything",
                    )
                )
    tokens = _outside_classes(pattern)
    if name == "identity_regexp":
        for position, (offset, token) in enumerate(tokens):
            following = tokens[position + 1][1] if position + 1 < len(tokens) else ""
            if token == "." and following not in ("*", "+", "?", "{"):
                warnings.append(
                    (
                        offset,
                        f"{name} {pattern!r}: unescaped '.' at character {offset + 1} matches "
                        "any character; write '\\.' for a literal dot",
                    )
                )
    if name == "issuer_regexp" and re.fullmatch(r"\^https://\.[*+]\$", pattern):
        warnings.append((0, f"{name} {pattern!r} accepts any https:// issuer; name the issuer"))
    digits = [offset for offset, token in tokens if token == "\\d"] + _in_classes(pattern)
    for offset in sorted(digits):
        warnings.append(
            (
                offset,
                f"{name} {pattern!r}: '\\d' at character {offset + 1} also matches non-ASCII "
                "digits; write '[0-9]'",
            )
        )
    return warnings
