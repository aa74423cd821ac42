"""Tests for the strict DER reader (src/srcverify/sigstore/der.py)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srcverify.sigstore import der
from srcverify.sigstore.der import DerError, Element, Reader
from tests.support import der_encode as d

# --- typed values ---------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 127, 128, 255, 256, -1, -128, -129, 2**160 + 7, -(2**70)])
def test_integer_round_trip(value: int) -> None:
    assert der.parse(d.integer(value)).integer("n") == value


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        (b"\x02\x00", "empty INTEGER"),
        (b"\x02\x02\x00\x05", "not minimally encoded"),
        (b"\x02\x02\xff\x80", "not minimally encoded"),
    ],
)
def test_integer_rejects_non_der(encoding: bytes, reason: str) -> None:
    with pytest.raises(DerError, match=reason):
        der.parse(encoding).integer("n")


@pytest.mark.parametrize(
    "dotted",
    [
        "1.2.840.113549.1.7.2",
        "2.16.840.1.101.3.4.2.1",
        "0.9.2342",
        "2.999.3",
        "1.3.6.1.4.1.57264.2",
    ],
)
def test_oid_round_trip(dotted: str) -> None:
    assert der.parse(d.oid(dotted)).oid("oid") == dotted


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        (b"\x06\x00", "truncated OBJECT IDENTIFIER"),
        (b"\x06\x02\x2a\x86", "truncated OBJECT IDENTIFIER"),
        (b"\x06\x03\x2a\x80\x01", "not minimally encoded"),
    ],
)
def test_oid_rejects_malformed(encoding: bytes, reason: str) -> None:
    with pytest.raises(DerError, match=reason):
        der.parse(encoding).oid("oid")


def test_oid_with_a_giant_arc_is_rejected() -> None:
    # Decoding it would take quadratic time and exceed int-to-str limits (ValueError).
    encoding = d.tlv(der.OID, b"\x2a" + b"\x81" * 3000 + b"\x01")
    with pytest.raises(DerError, match="OBJECT IDENTIFIER of 3002 octets is too long"):
        der.parse(encoding).oid("oid")


def test_integer_too_long_for_any_field_is_rejected() -> None:
    value = 1 << (8 * 2000)
    with pytest.raises(DerError, match="INTEGER of 2001 octets is too long"):
        der.parse(d.integer(value)).integer("n")


def test_boolean_null_and_octets() -> None:
    assert der.parse(d.boolean(True)).boolean("b") is True
    assert der.parse(d.boolean(False)).boolean("b") is False
    der.parse(d.null()).null("n")
    assert der.parse(d.octet_string(b"\x00\x01")).octets("o") == b"\x00\x01"
    with pytest.raises(DerError, match="BOOLEAN must be one octet"):
        der.parse(b"\x01\x01\x01").boolean("b")
    with pytest.raises(DerError, match="NULL has content"):
        der.parse(b"\x05\x01\x00").null("n")


def test_wrong_tag_names_both_tags() -> None:
    with pytest.raises(DerError, match="policy: expected OBJECT IDENTIFIER, found INTEGER"):
        der.parse(d.integer(5)).oid("policy")


@pytest.mark.parametrize(
    "when",
    [
        datetime(2025, 6, 12, 12, 2, 20, tzinfo=UTC),
        datetime(2025, 6, 12, 12, 2, 20, 500000, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
    ],
)
def test_generalized_time_round_trip(when: datetime) -> None:
    parsed = der.parse(d.generalized_time(when)).generalized_time("t")
    assert parsed == when
    assert parsed.tzinfo is UTC


def test_generalized_time_truncates_below_microseconds() -> None:
    element = der.parse(d.tlv(0x18, b"20250101000000.1234567Z"))
    assert element.generalized_time("t") == datetime(2025, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [b"20250101000000", b"20250101000000.10Z", b"20250101000000.Z", b"202501010000Z", b"2025"],
)
def test_generalized_time_rejects_non_der_forms(text: bytes) -> None:
    with pytest.raises(DerError, match="not a DER GeneralizedTime"):
        der.parse(d.tlv(0x18, text)).generalized_time("t")


def test_generalized_time_rejects_impossible_date() -> None:
    with pytest.raises(DerError, match="not a valid date"):
        der.parse(d.tlv(0x18, b"20250230000000Z")).generalized_time("t")


# --- lengths, tags, framing -------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        (b"", "truncated DER header"),
        (b"\x30", "truncated DER header"),
        (b"\x30\x80\x00\x00", "indefinite length"),
        (b"\x04\x81\x05hello", "not minimally encoded"),
        (b"\x04\x82\x00\x80" + b"x" * 128, "not minimally encoded"),
        (b"\x04\x85\x00\x00\x00\x00\x01x", "too long"),
        (b"\x04\x82\x01", "truncated DER length"),
        (b"\x04\x05abc", "claims 5 bytes, only 3 remain"),
        (b"\x1f\x81\x00\x00", "multi-octet tag"),
        (b"\x05\x00\x00", "1 trailing bytes"),
    ],
)
def test_framing_errors(encoding: bytes, reason: str) -> None:
    with pytest.raises(DerError, match=reason):
        der.parse(encoding)


def test_long_form_length_accepted_when_needed() -> None:
    payload = b"x" * 300
    element = der.parse(d.octet_string(payload))
    assert element.header_length == 4
    assert element.octets("o") == payload


def test_raw_keeps_the_exact_encoding_of_children() -> None:
    inner = d.sequence(d.integer(1), d.oid("1.2.3"))
    outer = d.sequence(inner, d.octet_string(b"abc"))
    first, second = der.parse(outer).children("outer")
    assert first.raw == inner
    assert second.content == b"abc"


def test_children_of_primitive_is_an_error() -> None:
    with pytest.raises(DerError, match="is primitive"):
        der.parse(d.octet_string(b"\x30\x00")).children("x")


def test_nested_errors_surface_lazily() -> None:
    broken = d.tlv(0x30, b"\x02\x05\x01")  # the inner INTEGER is truncated
    element = der.parse(broken)  # the outer frame is fine
    with pytest.raises(DerError, match="claims 5 bytes"):
        element.children("outer")


def test_explicit_wrapper() -> None:
    wrapped = der.parse(d.context(0, d.integer(42)))
    assert wrapped.explicit(0, "x").integer("x") == 42
    with pytest.raises(DerError, match=r"expected \[1\], found \[0\]"):
        wrapped.explicit(1, "x")
    with pytest.raises(DerError, match="holds 2 elements"):
        der.parse(d.context(0, d.integer(1) + d.integer(2))).explicit(0, "x")


def test_reader_walks_fields() -> None:
    encoded = d.sequence(d.integer(1), d.context(0, d.null()), d.oid("1.2"))
    reader = der.parse(encoded).reader(der.SEQUENCE, "S")
    assert reader.next("version", der.INTEGER).integer("v") == 1
    assert reader.optional(der.context_tag(1)) is None
    assert reader.optional(der.context_tag(0)) is not None
    assert reader.next("id").oid("id") == "1.2"
    reader.end()
    with pytest.raises(DerError, match="S: missing extra"):
        reader.next("extra")


def test_reader_end_reports_leftovers() -> None:
    reader = der.parse(d.sequence(d.integer(1), d.null())).reader(der.SEQUENCE, "S")
    reader.next("version")
    with pytest.raises(DerError, match="unexpected NULL after the last field"):
        reader.end()
    assert [e.tag for e in reader.rest()] == [der.NULL]


def test_context_tag_bounds() -> None:
    assert der.context_tag(0) == 0xA0
    assert der.context_tag(3, constructed=False) == 0x83
    with pytest.raises(ValueError):
        der.context_tag(31)


# --- property: any input gives a DerError or a value, never a traceback -----------


def _walk(element: Element, depth: int = 0) -> None:
    """Exercise every accessor on every element reachable from ``element``."""
    if depth > 40:
        return
    if element.constructed:
        children = element.children("x")
        Reader(children, "x").rest()
        for child in children:
            _walk(child, depth + 1)
        return
    for accessor in ("integer", "boolean", "null", "octets", "oid", "generalized_time"):
        with contextlib.suppress(DerError):
            getattr(element, accessor)("x")


@settings(max_examples=400)
@given(st.binary(max_size=200))
def test_random_bytes_never_escape_der_error(data: bytes) -> None:
    with contextlib.suppress(DerError):
        _walk(der.parse(data))


_VALID = d.sequence(
    d.integer(3),
    d.set_of(d.sequence(d.oid("2.16.840.1.101.3.4.2.1"), d.null())),
    d.context(0, d.octet_string(d.sequence(d.generalized_time(datetime(2025, 1, 1, tzinfo=UTC))))),
    d.boolean(True),
)


@settings(max_examples=400)
@given(st.data())
def test_mutated_der_never_escapes_der_error(data: st.DataObject) -> None:
    mutated = bytearray(_VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(mutated) - 1))
        mutated[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(mutated)))
    for candidate in (bytes(mutated), bytes(mutated[:cut])):
        with contextlib.suppress(DerError):
            _walk(der.parse(candidate))
