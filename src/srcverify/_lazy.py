"""Lazy re-exports for package ``__init__`` modules.

A package names its public objects and the submodule each lives in; the
submodule is imported the first time one of its names is read. This keeps
``import srcverify`` and ``srcverify --help`` from loading cryptography, and
lets each command import only the modules it uses. Nothing else lives here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` for ``package``.

    Args:
        package: the package's ``__name__``.
        exports: public name -> submodule (relative to ``package``) defining it.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return sorted(exports), __getattr__
