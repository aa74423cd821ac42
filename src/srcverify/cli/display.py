"""Human output that attacker text cannot forge: every line is escaped.

Identities, log origins, file names, map descriptions and error messages
reach the build log from bundles, trusted roots, maps and the command line,
all of which an attacker may write. A newline, carriage return or terminal
escape in them could print a forged ``OK ... signed by hugo@python.org``
line under a rejection, or hide text; a bidi control could reorder it.

:func:`escape` shows such characters as Python-style escapes: C0 and C1
controls (``\\n``, ``\\r``, ``\\t``, ``\\x1b`` ...), every other character
that is not printable (format characters such as the bidi controls U+202A..
U+202E and U+2066..U+2069, zero-width characters, line and paragraph
separators, non-ASCII spaces, unassigned code points) and lone surrogates (a
byte the command line could not decode, U+DC80..U+DCFF, is shown as the byte
``\\xNN``). Printable text, ASCII or not, is shown as it is; a backslash is
not doubled, so regular expressions read as written.

:func:`print_line` is the only way the CLI prints a human line: one call per
line, the whole line escaped, so no value can start a line of its own.
:func:`print_json` prints machine output with every non-ASCII character
escaped by JSON itself. :class:`EscapingArgumentParser` escapes argparse's
own error messages, which quote the command line.

This module formats and prints; it decides nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

__all__ = ["EscapingArgumentParser", "StdoutClosedError", "escape", "print_json", "print_line"]

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape(text: object) -> str:
    """``text`` with every non-printable character shown as an escape."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else _escape_char(c) for c in value)


def _escape_char(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


class StdoutClosedError(Exception):
    """stdout was closed when srcverify started, so its output cannot be written."""


def print_line(line: object = "", *, stderr: bool = False) -> None:
    """Print one human line, escaped, on stdout (or stderr).

    Raises:
        StdoutClosedError: the line is for stdout and stdout is closed.
    """
    print(escape(line), file=sys.stderr if stderr else _stdout())


def print_json(document: Any, *, indent: int | None = None) -> None:
    """Print one JSON document on stdout; non-ASCII is escaped as ``\\uXXXX``.

    Raises:
        StdoutClosedError: stdout is closed.
    """
    print(json.dumps(document, indent=indent, ensure_ascii=True), file=_stdout())


def _stdout() -> Any:
    # Python sets sys.stdout to None when file descriptor 1 is closed at start, and
    # print() then writes nothing without a word: a receipt would be lost silently.
    if sys.stdout is None:
        raise StdoutClosedError("stdout is closed")
    return sys.stdout


class EscapingArgumentParser(argparse.ArgumentParser):
    """argparse, with the command-line text in its error messages escaped."""

    def error(self, message: str) -> NoReturn:
        super().error(escape(message))
