"""The package layout's contract: imports flow one way, and no module imports itself back.

Every import in ``src/srcverify`` is read with :mod:`ast` (module level,
inside functions and under ``TYPE_CHECKING`` alike) and each edge between
srcverify modules is checked against the layers::

    cli  ->  pin, releasemap  ->  pypi  ->  sigstore  ->  errors

``artifact``, ``manifest`` and ``errors`` sit at the bottom beside ``_lazy``; the top-level
package may be imported only for ``__version__``. The whole module graph must
also be free of cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "srcverify"

# which layer each top-level part of srcverify belongs to, and what it may import
ALLOWED: dict[str, set[str]] = {
    "cli": {
        "cli",
        "pin",
        "releasemap",
        "pypi",
        "sigstore",
        "artifact",
        "manifest",
        "archive",
        "inputs",
        "errors",
        "_lazy",
        "_frozen",
        "srcverify",
    },
    "pin": {"pin", "sigstore", "inputs", "errors", "_lazy", "_frozen"},
    "releasemap": {"releasemap", "pypi", "sigstore", "inputs", "errors", "_lazy", "_frozen"},
    "pypi": {"pypi", "sigstore", "inputs", "errors", "_lazy", "_frozen"},
    "sigstore": {"sigstore", "errors", "_lazy", "_frozen"},
    "artifact": {"errors"},
    "archive": {"inputs", "errors"},
    "manifest": {"errors", "_frozen"},
    "inputs": {"errors"},
    "errors": set(),
    "_lazy": set(),
    "_frozen": set(),
    "__main__": {"cli"},
    "srcverify": {"_lazy"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "srcverify"


def _imports(path: Path, module: str) -> set[str]:
    """srcverify modules ``path`` imports; ``from srcverify.x import y`` counts y if a module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("srcverify"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("srcverify"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    found.discard(module)
    return found


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
GRAPH = {name: _imports(path, name) for name, path in MODULES.items()}


def test_every_module_is_in_a_known_layer() -> None:
    assert {_layer(name) for name in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_flow_one_way(module: str) -> None:
    layer = _layer(module)
    wrong = sorted(target for target in GRAPH[module] if _layer(target) not in ALLOWED[layer])
    assert not wrong, f"{module} ({layer}) must not import {wrong}"


def test_the_core_never_reaches_up() -> None:
    core = [name for name in MODULES if _layer(name) == "sigstore"]
    assert core, "no sigstore modules found"
    for name in core:
        assert not {_layer(t) for t in GRAPH[name]} & {"cli", "pin", "releasemap", "pypi"}, name


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done or node not in graph:
            return None
        path.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for name in sorted(graph):
        cycle = visit(name)
        if cycle:
            return cycle
    return None


def test_no_import_cycles() -> None:
    cycle = _find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_the_old_certs_trustroot_cycle() -> None:
    old = {"certs": {"errors", "trustroot"}, "trustroot": {"certs", "errors"}, "errors": set()}
    assert _find_cycle(old) == ["certs", "trustroot", "certs"]


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The reader of imports is not blind: a core module importing the pin is caught."""
    bad = tmp_path / "srcverify" / "sigstore" / "x.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("def f():\n    from srcverify.pin.load import default_pin_dir\n")
    found = _imports(bad, "srcverify.sigstore.x")
    assert "srcverify.pin.load" in found
    assert _layer("srcverify.pin.load") not in ALLOWED["sigstore"]
