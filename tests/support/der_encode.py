"""A tiny DER encoder for building test fixtures (timestamps, CMS, names).

Only what the test TSA and the DER reader tests need: one TLV writer with
definite lengths and a helper per ASN.1 type. Every function returns the
complete encoding of one element, so encodings nest by plain concatenation.

This is test support code: it does not parse anything and is not used by
``src/srcverify``.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = [
    "bit_string",
    "boolean",
    "context",
    "generalized_time",
    "integer",
    "null",
    "octet_string",
    "oid",
    "sequence",
    "set_of",
    "tlv",
    "utf8_string",
]


def tlv(tag: int, content: bytes) -> bytes:
    """One tag-length-value with a single identifier octet and minimal length."""
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def sequence(*items: bytes) -> bytes:
    """SEQUENCE of already-encoded items, in the given order."""
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes, sort: bool = True) -> bytes:
    """SET OF already-encoded items, sorted by encoding as DER requires."""
    return tlv(0x31, b"".join(sorted(items) if sort else items))


def integer(value: int) -> bytes:
    """INTEGER in minimal two's complement."""
    length = (value + (value < 0)).bit_length() // 8 + 1
    return tlv(0x02, value.to_bytes(length, "big", signed=True))


def boolean(value: bool) -> bytes:
    """BOOLEAN (0xFF for true, as DER requires)."""
    return tlv(0x01, b"\xff" if value else b"\x00")


def null() -> bytes:
    """NULL."""
    return b"\x05\x00"


def octet_string(data: bytes) -> bytes:
    """OCTET STRING."""
    return tlv(0x04, data)


def bit_string(data: bytes, unused_bits: int = 0) -> bytes:
    """BIT STRING with a leading unused-bits octet."""
    return tlv(0x03, bytes([unused_bits]) + data)


def utf8_string(text: str) -> bytes:
    """UTF8String."""
    return tlv(0x0C, text.encode("utf-8"))


def oid(dotted: str) -> bytes:
    """OBJECT IDENTIFIER from dotted text such as ``1.2.840.113549.1.7.2``."""
    arcs = [int(part) for part in dotted.split(".")]
    values = [arcs[0] * 40 + arcs[1], *arcs[2:]]
    body = bytearray()
    for value in values:
        chunk = [value & 0x7F]
        value >>= 7
        while value:
            chunk.append(0x80 | (value & 0x7F))
            value >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def generalized_time(when: datetime) -> bytes:
    """GeneralizedTime ``YYYYMMDDHHMMSS[.fff]Z`` in UTC, no trailing zeros."""
    when = when.astimezone(UTC)
    text = when.strftime("%Y%m%d%H%M%S")
    if when.microsecond:
        text += "." + f"{when.microsecond:06d}".rstrip("0")
    return tlv(0x18, (text + "Z").encode("ascii"))


def context(number: int, content: bytes, *, constructed: bool = True) -> bytes:
    """Context-specific ``[number]`` around raw content (EXPLICIT: pass an encoding)."""
    return tlv((0xA0 if constructed else 0x80) | number, content)
