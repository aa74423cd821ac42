"""A small, strict DER reader: just enough ASN.1 for RFC 3161 and CMS.

:func:`parse` turns bytes into one :class:`Element` (tag, length, value) and
insists the input is exactly that element: definite lengths only, minimal
length and integer encodings, no trailing bytes. Elements are parsed lazily:
the children of a constructed element are read when asked for, each with the
same rules, so a reader only ever looks at the parts it needs. Every element
keeps its complete original encoding (:attr:`Element.raw`) for re-hashing and
signature checks.

Typed accessors decode INTEGER, BOOLEAN, NULL, OBJECT IDENTIFIER, OCTET
STRING and GeneralizedTime, and :class:`Reader` walks a SEQUENCE field by
field with optional fields. Anything malformed or unexpected raises
:class:`DerError`, which callers turn into their own error type.

This module knows no ASN.1 schemas (no CMS or X.509 structure), supports only
single-octet tags (tag numbers below 31, which is all CMS and RFC 3161 use),
and does not encode.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from srcverify._frozen import frozen

__all__ = [
    "BOOLEAN",
    "GENERALIZED_TIME",
    "INTEGER",
    "NULL",
    "OCTET_STRING",
    "OID",
    "SEQUENCE",
    "SET",
    "DerError",
    "Element",
    "Reader",
    "context_tag",
    "parse",
    "tag_name",
]

BOOLEAN = 0x01
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
GENERALIZED_TIME = 0x18
SEQUENCE = 0x30
SET = 0x31

_NAMES = {
    BOOLEAN: "BOOLEAN",
    INTEGER: "INTEGER",
    0x03: "BIT STRING",
    OCTET_STRING: "OCTET STRING",
    NULL: "NULL",
    OID: "OBJECT IDENTIFIER",
    0x0C: "UTF8String",
    0x13: "PrintableString",
    0x17: "UTCTime",
    GENERALIZED_TIME: "GeneralizedTime",
    SEQUENCE: "SEQUENCE",
    SET: "SET",
}

#: Longest length field accepted (4 octets: up to 4 GiB, far above any timestamp).
_MAX_LENGTH_OCTETS = 4
#: Longest INTEGER and OBJECT IDENTIFIER contents accepted: far above any serial
#: number, version or OID in CMS and RFC 3161, and small enough that decoding and
#: printing them stays cheap (hostile giant values cost quadratic time).
_MAX_INTEGER_OCTETS = 128
_MAX_OID_OCTETS = 128

_GENERALIZED_TIME = re.compile(rb"(\d{14})(?:\.(\d*[1-9]))?Z")


class DerError(Exception):
    """The bytes are not the strict DER the reader expected.

    Deliberately not a subclass of any srcverify error: callers catch it and
    raise their own (e.g. :class:`~srcverify.errors.TimestampError`).
    """


def context_tag(number: int, *, constructed: bool = True) -> int:
    """The identifier octet of context-specific ``[number]``."""
    if not 0 <= number < 31:
        raise ValueError(f"tag number {number} needs more than one identifier octet")
    return (0xA0 if constructed else 0x80) | number


def tag_name(tag: int) -> str:
    """A readable name for an identifier octet (``SEQUENCE``, ``[0]`` ...)."""
    if tag in _NAMES:
        return _NAMES[tag]
    if tag & 0xC0 == 0x80:
        return f"[{tag & 0x1F}]"
    return f"tag 0x{tag:02x}"


@frozen
class Element:
    """One DER element: its identifier octet and complete encoding.

    Attributes:
        tag: the identifier octet (class, constructed bit and number).
        raw: the whole encoding, header included.
        header_length: how many octets of ``raw`` are tag and length.
    """

    tag: int
    raw: bytes
    header_length: int

    @property
    def content(self) -> bytes:
        """The value octets (the encoding without tag and length)."""
        return self.raw[self.header_length :]

    @property
    def constructed(self) -> bool:
        """Whether the constructed bit of the tag is set."""
        return bool(self.tag & 0x20)

    def expect(self, tag: int, what: str) -> Element:
        """Return self if the tag is ``tag``; otherwise raise :class:`DerError`."""
        if self.tag != tag:
            raise DerError(f"{what}: expected {tag_name(tag)}, found {tag_name(self.tag)}")
        return self

    def children(self, what: str) -> list[Element]:
        """Parse the content of a constructed element into its elements."""
        if not self.constructed:
            raise DerError(f"{what}: {tag_name(self.tag)} is primitive, expected constructed")
        return _parse_all(self.content, what)

    def reader(self, tag: int, what: str) -> Reader:
        """Check the tag, then walk the children field by field."""
        return Reader(self.expect(tag, what).children(what), what)

    def explicit(self, number: int, what: str) -> Element:
        """The single element inside an EXPLICIT ``[number]`` wrapper."""
        inner = self.expect(context_tag(number), what).children(what)
        if len(inner) != 1:
            raise DerError(f"{what}: [{number}] EXPLICIT holds {len(inner)} elements, expected 1")
        return inner[0]

    def integer(self, what: str) -> int:
        """Decode an INTEGER (minimal two's complement)."""
        body = self.expect(INTEGER, what).content
        if not body:
            raise DerError(f"{what}: empty INTEGER")
        if len(body) > _MAX_INTEGER_OCTETS:
            raise DerError(f"{what}: INTEGER of {len(body)} octets is too long")
        if len(body) > 1 and (
            (body[0] == 0x00 and body[1] < 0x80) or (body[0] == 0xFF and body[1] >= 0x80)
        ):
            raise DerError(f"{what}: INTEGER is not minimally encoded")
        return int.from_bytes(body, "big", signed=True)

    def boolean(self, what: str) -> bool:
        """Decode a BOOLEAN (DER: 0x00 or 0xFF only)."""
        body = self.expect(BOOLEAN, what).content
        if body not in (b"\x00", b"\xff"):
            raise DerError(f"{what}: BOOLEAN must be one octet 0x00 or 0xff, found {body.hex()}")
        return body == b"\xff"

    def null(self, what: str) -> None:
        """Check a NULL (no content)."""
        if self.expect(NULL, what).content:
            raise DerError(f"{what}: NULL has content")

    def octets(self, what: str) -> bytes:
        """Decode a primitive OCTET STRING."""
        return self.expect(OCTET_STRING, what).content

    def oid(self, what: str) -> str:
        """Decode an OBJECT IDENTIFIER to dotted text (``1.2.840.113549``)."""
        body = self.expect(OID, what).content
        if not body or body[-1] & 0x80:
            raise DerError(f"{what}: truncated OBJECT IDENTIFIER")
        if len(body) > _MAX_OID_OCTETS:
            raise DerError(f"{what}: OBJECT IDENTIFIER of {len(body)} octets is too long")
        values: list[int] = []
        value = 0
        fresh = True
        for octet in body:
            if fresh and octet == 0x80:
                raise DerError(f"{what}: OBJECT IDENTIFIER arc is not minimally encoded")
            value = (value << 7) | (octet & 0x7F)
            fresh = not octet & 0x80
            if fresh:
                values.append(value)
                value = 0
        first = min(values[0] // 40, 2)
        arcs = [first, values[0] - 40 * first, *values[1:]]
        return ".".join(str(arc) for arc in arcs)

    def generalized_time(self, what: str) -> datetime:
        """Decode a DER GeneralizedTime (``YYYYMMDDHHMMSS[.f]Z``) as tz-aware UTC.

        Fractions beyond microseconds are truncated.
        """
        body = self.expect(GENERALIZED_TIME, what).content
        match = _GENERALIZED_TIME.fullmatch(body)
        if match is None:
            raise DerError(f"{what}: {body!r} is not a DER GeneralizedTime (YYYYMMDDHHMMSS[.f]Z)")
        digits, fraction = match.group(1).decode(), (match.group(2) or b"").decode()
        try:
            when = datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError as exc:
            raise DerError(f"{what}: {body.decode()} is not a valid date and time") from exc
        return when.replace(microsecond=int((fraction + "000000")[:6]))


class Reader:
    """Walks the children of a SEQUENCE (or SET) in order.

    Args:
        elements: the children, as :meth:`Element.children` returns them.
        what: name of the structure, used in error messages.
    """

    def __init__(self, elements: list[Element], what: str) -> None:
        self._elements = elements
        self._index = 0
        self.what = what

    def peek(self) -> Element | None:
        """The next element without consuming it, or None at the end."""
        return self._elements[self._index] if self._index < len(self._elements) else None

    def next(self, field: str, tag: int | None = None) -> Element:
        """Consume the next element; check its tag when ``tag`` is given."""
        element = self.peek()
        if element is None:
            raise DerError(f"{self.what}: missing {field}")
        self._index += 1
        return element if tag is None else element.expect(tag, f"{self.what}.{field}")

    def optional(self, tag: int) -> Element | None:
        """Consume and return the next element if it has ``tag``; else None."""
        element = self.peek()
        if element is None or element.tag != tag:
            return None
        self._index += 1
        return element

    def rest(self) -> list[Element]:
        """Consume and return every remaining element."""
        remaining = self._elements[self._index :]
        self._index = len(self._elements)
        return remaining

    def end(self) -> None:
        """Raise :class:`DerError` if elements are left over."""
        element = self.peek()
        if element is not None:
            raise DerError(f"{self.what}: unexpected {tag_name(element.tag)} after the last field")


def parse(data: bytes, what: str = "DER") -> Element:
    """Parse bytes that must be exactly one DER element.

    Raises:
        DerError: malformed, indefinite or non-minimal length, a multi-octet
            tag, truncated, or trailing bytes after the element.
    """
    element, end = _parse_one(data, 0, what)
    if end != len(data):
        raise DerError(f"{what}: {len(data) - end} trailing bytes after the DER element")
    return element


def _parse_all(data: bytes, what: str) -> list[Element]:
    elements = []
    pos = 0
    while pos < len(data):
        element, pos = _parse_one(data, pos, what)
        elements.append(element)
    return elements


def _parse_one(data: bytes, pos: int, what: str) -> tuple[Element, int]:
    start = pos
    if len(data) - pos < 2:
        raise DerError(f"{what}: truncated DER header at offset {pos}")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError(f"{what}: multi-octet tag 0x{tag:02x} is not supported")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise DerError(f"{what}: indefinite length is not allowed in DER")
    else:
        count = first & 0x7F
        if count > _MAX_LENGTH_OCTETS:
            raise DerError(f"{what}: length field of {count} octets is too long")
        if len(data) - pos < count:
            raise DerError(f"{what}: truncated DER length at offset {start}")
        length = int.from_bytes(data[pos : pos + count], "big")
        if data[pos] == 0 or length < 0x80:
            raise DerError(f"{what}: length {length} is not minimally encoded")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError(
            f"{what}: {tag_name(tag)} at offset {start} claims {length} bytes, "
            f"only {len(data) - pos} remain"
        )
    return Element(tag, data[start:end], pos - start), end
