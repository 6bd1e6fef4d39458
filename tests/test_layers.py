"""Imports point one way — meetings → partners → defrel (the foundations) — and no module
of the three comes back to itself through its imports, function-local ones included: a
reader finds each rule by following the imports down."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("defrel", "partners", "meetings")  # lowest first
LOOKS_UP = {"defrel.urls"}  # the one module of the foundations that names the apps' pages
KNOWN_BACK = set()  # imports back taken out of the graph until they go: none left


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    return {module_name(path): path for package in LAYERS for path in (ROOT / package).rglob("*.py")
            if "migrations" not in path.parts}


def imports(path, known):
    """The modules of the three packages that ``path`` imports, wherever in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def graph():
    known = modules()
    return {name: {target for target in imports(path, known)
                   if target != name and (name, target) not in KNOWN_BACK}
            for name, path in known.items()}


def cycle(edges):
    """One cycle of ``edges`` as a list of modules, or None."""
    done, path = set(), []

    def visit(name):
        if name in path:
            return path[path.index(name):] + [name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(edges.get(name, ())):
            found = visit(target)
            if found:
                return found
        path.pop()
        done.add(name)
        return None

    for name in sorted(edges):
        found = visit(name)
        if found:
            return found
    return None


def test_no_module_imports_itself_back():
    assert cycle(graph()) is None


def test_imports_point_down_the_layers():
    upward = sorted((name, target) for name, targets in graph().items() for target in targets
                    if name not in LOOKS_UP
                    and LAYERS.index(target.split(".")[0]) > LAYERS.index(name.split(".")[0]))
    assert upward == []


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
])
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycle(edges) == expected


def test_the_foundations_name_no_app():
    """Fixture order, the data stamp's models and the like come from the models themselves."""
    apps = {name for name in LAYERS if name != "defrel"}
    named = sorted(
        (name, node.value) for name, path in modules().items()
        if name.startswith("defrel.") and name not in LOOKS_UP | {"defrel.settings"}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and node.value.split(".")[0] in apps and " " not in node.value
    )
    assert named == []
