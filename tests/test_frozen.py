"""srcverify._frozen: records behave like frozen dataclasses, without generating code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from srcverify._frozen import FrozenInstanceError, field, fields, frozen, replace

SRC = Path(__file__).resolve().parents[1] / "src" / "srcverify"


@frozen
class Point:
    x: int
    y: int = 0
    label: str = field(default="", compare=False)
    secret: bytes = field(default=b"", repr=False)


@frozen
class Derived:
    base: int
    double: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.base < 0:
            raise ValueError("negative base")
        object.__setattr__(self, "double", 2 * self.base)


def test_init_takes_fields_in_order_by_position_or_name() -> None:
    point = Point(1, y=2)
    assert (point.x, point.y, point.label, point.secret) == (1, 2, "", b"")
    assert Point(x=3).y == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Point(), "missing required argument 'x'"),  # type: ignore[call-arg]
        (lambda: Point(1, 2, "a", b"b", 5), "takes 4 positional arguments but 5"),  # type: ignore[call-arg]
        (lambda: Point(1, z=2), "unexpected keyword argument 'z'"),  # type: ignore[call-arg]
        (lambda: Point(1, x=2), "multiple values for argument 'x'"),  # type: ignore[misc]
        (lambda: Derived(1, double=2), "unexpected keyword argument 'double'"),  # type: ignore[call-arg]
    ],
)
def test_bad_arguments_are_type_errors(call: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()  # type: ignore[operator]


def test_instances_are_frozen() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'y'"):
        del point.y  # type: ignore[misc]
    assert isinstance(FrozenInstanceError(), AttributeError)


def test_equality_and_hash_use_compared_fields_only() -> None:
    assert Point(1, 2, label="a") == Point(1, 2, label="b")
    assert Point(1, 2) != Point(1, 3)
    assert hash(Point(1, 2, label="a")) == hash(Point(1, 2, label="b"))
    assert Point(1) != (1, 0)
    assert Derived(2) == Derived(2)


def test_repr_shows_repr_fields() -> None:
    assert repr(Point(1, 2, "p", b"k")) == "Point(x=1, y=2, label='p')"
    assert repr(Derived(3)) == "Derived(base=3)"


def test_post_init_runs_and_validates() -> None:
    assert Derived(4).double == 8
    with pytest.raises(ValueError, match="negative base"):
        Derived(-1)


def test_fields_and_replace() -> None:
    assert [f.name for f in fields(Point)] == ["x", "y", "label", "secret"]
    assert [f.name for f in fields(Point(1))] == ["x", "y", "label", "secret"]
    assert replace(Point(1, 2, "a"), y=5) == Point(1, 5)
    assert replace(Point(1, 2, "a"), y=5).label == "a"
    assert replace(Derived(1), base=6).double == 12
    with pytest.raises(ValueError, match="'double' is not set by __init__"):
        replace(Derived(1), double=3)
    with pytest.raises(TypeError, match="is not a record"):
        fields(object())


def test_field_metadata_is_kept() -> None:
    @frozen
    class Tagged:
        value: int = field(default=0, metadata={"arc": 7})

    assert fields(Tagged)[0].metadata == {"arc": 7}
    assert Tagged().value == 0


def test_definition_errors() -> None:
    with pytest.raises(TypeError, match="non-default field 'b' follows a default"):

        @frozen
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="inheriting from record Point"):

        @frozen
        class Sub(Point):
            z: int = 0


def test_srcverify_defines_records_not_dataclasses() -> None:
    """Each dataclass costs about a millisecond of start-up; records cost microseconds."""
    users = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and "dataclasses" in [getattr(node, "module", None), *(a.name for a in node.names)]
    ]
    assert users == []


def test_default_factory_gives_each_instance_its_own_value() -> None:
    @frozen
    class Bag:
        items: dict[str, int] = field(default_factory=dict)

    first, second = Bag(), Bag()
    assert first.items == {} and first.items is not second.items
    assert Bag({"a": 1}).items == {"a": 1}
    with pytest.raises(ValueError, match="not both"):
        field(default=1, default_factory=int)
