"""Frozen record classes that cost nothing at import.

``@frozen`` gives a class what ``@dataclasses.dataclass(frozen=True)`` gives
it: an ``__init__`` taking the annotated fields in order (positionally or by
name, defaults allowed), ``__post_init__`` called after it, ``__repr__``,
``__eq__`` and ``__hash__`` over the compared fields, and instances that
refuse attribute assignment (:class:`FrozenInstanceError`).
:func:`field` sets a default and leaves a field out of ``__init__``,
``repr`` or comparison, :func:`fields` lists a record's fields and
:func:`replace` copies a record with some fields changed.

Why not :mod:`dataclasses`: it generates each class's methods as Python
source and compiles it when the module is imported (about a millisecond per
class, and ``import dataclasses`` loads :mod:`inspect`), which for the forty
classes a verification touches was a fifth of srcverify's start-up. Here the
methods are shared functions reading a per-class tuple of fields, so
defining a class costs a few microseconds. Type checkers treat ``@frozen``
as a frozen dataclass (:func:`typing.dataclass_transform`).

Not supported (not used by srcverify): inheritance between records,
``ClassVar`` fields, ordering, keyword-only fields,
``__slots__``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, dataclass_transform

__all__ = ["Field", "FrozenInstanceError", "field", "fields", "frozen", "replace"]

T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """An attempt to assign or delete a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a record: its name, default and how it takes part in the methods."""

    __slots__ = ("compare", "default", "default_factory", "init", "metadata", "name", "repr")

    def __init__(
        self,
        default: Any,
        default_factory: Callable[[], Any] | None,
        init: bool,
        repr: bool,
        compare: bool,
        metadata: Mapping[str, Any] | None,
    ) -> None:
        self.name = ""
        if default is not MISSING and default_factory is not None:
            raise ValueError("give a field a default or a default_factory, not both")
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare
        self.metadata: Mapping[str, Any] = dict(metadata or {})

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"

    @property
    def has_default(self) -> bool:
        """Whether ``__init__`` may leave the field out."""
        return self.default is not MISSING or self.default_factory is not None


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """A field specification, as :func:`dataclasses.field`."""
    return Field(default, default_factory, init, repr, compare, metadata)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen record of its annotated fields (see the module docstring)."""
    specs: list[Field] = []
    # not inspect.get_annotations: importing inspect is what this module avoids
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in annotations.items():
        if "ClassVar" in str(annotation):
            raise TypeError(f"{cls.__name__}.{name}: ClassVar fields are not supported")
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value, None, True, True, True, None)
        spec.name = name
        if spec.default is MISSING:
            if isinstance(value, Field):
                delattr(cls, name)
        else:
            setattr(cls, name, spec.default)
        specs.append(spec)
    for base in cls.__mro__[1:-1]:
        if "__record_fields__" in base.__dict__:
            raise TypeError(f"{cls.__name__}: inheriting from record {base.__name__}")
    init_fields = tuple(spec for spec in specs if spec.init)
    seen_default = False
    for spec in init_fields:
        if spec.has_default:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}: non-default field {spec.name!r} follows a default")
    methods: dict[str, Any] = {
        "__record_fields__": tuple(specs),
        "__init__": _make_init(cls, init_fields, tuple(specs)),
        "__repr__": _repr,
        "__eq__": _eq,
        "__hash__": _hash,
        "__setattr__": _setattr,
        "__delattr__": _delattr,
        "__match_args__": tuple(spec.name for spec in init_fields),
    }
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


def _make_init(
    cls: type, init_fields: tuple[Field, ...], specs: tuple[Field, ...]
) -> Callable[..., None]:
    names = tuple(spec.name for spec in init_fields)
    by_name = {spec.name: spec for spec in init_fields}
    unset = tuple(spec for spec in specs if not spec.init and spec.has_default)
    post_init = getattr(cls, "__post_init__", None)
    where = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(
                f"{where}() takes {len(names)} positional arguments but {len(args)} were given"
            )
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in by_name:
                raise TypeError(f"{where}() got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{where}() got multiple values for argument {name!r}")
            values[name] = value
        set_field = object.__setattr__
        for spec in init_fields:
            value = values.get(spec.name, spec.default)
            if value is MISSING and spec.default_factory is not None:
                value = spec.default_factory()
            elif value is MISSING:
                raise TypeError(f"{where}() missing required argument {spec.name!r}")
            set_field(self, spec.name, value)
        for spec in unset:
            factory = spec.default_factory
            set_field(self, spec.name, spec.default if factory is None else factory())
        if post_init is not None:
            post_init(self)

    __init__.__qualname__ = f"{where}.__init__"
    return __init__


def fields(record: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in definition order."""
    found: tuple[Field, ...] | None = getattr(record, "__record_fields__", None)
    if found is None:
        raise TypeError(f"{record!r} is not a record")
    return found


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` applied (``__post_init__`` runs again)."""
    for spec in fields(obj):
        if spec.init and spec.name not in changes:
            changes[spec.name] = getattr(obj, spec.name)
        elif not spec.init and spec.name in changes:
            raise ValueError(f"field {spec.name!r} is not set by __init__ and cannot be replaced")
    return type(obj)(**changes)


def _compared(record: Any) -> tuple[Any, ...]:
    return tuple(getattr(record, spec.name) for spec in fields(record) if spec.compare)


def _repr(self: Any) -> str:
    shown = ", ".join(
        f"{spec.name}={getattr(self, spec.name, MISSING)!r}" for spec in fields(self) if spec.repr
    )
    return f"{type(self).__qualname__}({shown})"


def _eq(self: Any, other: object) -> object:  # bool, or NotImplemented
    if type(other) is not type(self):
        return NotImplemented
    return bool(_compared(self) == _compared(other))


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
