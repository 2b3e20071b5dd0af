"""The house's import rules, checked on the source: one-way imports between heatplan's packages.

``tech`` <- domain packages <- stages <- adapters (``steps``) <- faces (``cli``, ``web``,
``demo``); no package-level cycle; no stage or domain module touches the project store.
``python tests/test_import_graph.py`` prints the package graph.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import networkx as nx

SOURCE = Path(__file__).resolve().parents[1] / "src" / "heatplan"
#: Faces: nothing but faces imports them.
FACES = {"cli", "web", "demo", "__main__"}  # __main__: `python -m heatplan`
#: Adapters between the store and the plan: only faces import them.
ADAPTERS = {"steps"}
#: Domain packages: pure computation over frames (they may import tech, reference, plan).
DOMAIN = {
    "areas",
    "classify",
    "demand",
    "dispatch",
    "grid",
    "measures",
    "network",
    "options",
    "potentials",
    "publish",
    "scenario",
    "site",  # company-site energy concepts: may use tech, reference, potentials and options
}
#: What neither a domain package nor a stage may import: the store, files in, files out.
NOT_IN_STAGES = ("heatplan.project.store", "heatplan.inputs", "heatplan.outputs")


def _package(path: Path) -> str:
    parts = path.relative_to(SOURCE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _module(name: str) -> bool:
    """True when ``heatplan.<name>`` is a package or module (not a name in ``__init__``)."""
    return (SOURCE / name).is_dir() or (SOURCE / f"{name}.py").is_file()


def imports() -> dict[Path, list[tuple[int, str]]]:
    """Every absolute ``heatplan.*`` import of every module: (line, module)."""
    found: dict[Path, list[tuple[int, str]]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "heatplan" and node.level == 0:
                names += [
                    (node.lineno, f"heatplan.{a.name}") for a in node.names if _module(a.name)
                ]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append((node.lineno, node.module))
            elif isinstance(node, ast.Import):
                names += [(node.lineno, alias.name) for alias in node.names]
        found[path] = [(line, name) for line, name in names if name.startswith("heatplan.")]
    return found


def package_graph() -> dict[str, set[str]]:
    """Package -> the other heatplan packages it imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path, names in imports().items():
        source = _package(path)
        for _, name in names:
            target = name.split(".")[1]
            if target != source:
                graph[source].add(target)
    return graph


def _offences(sources: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(SOURCE)}:{line} imports {name}"
        for path, names in imports().items()
        if _package(path) in sources
        for line, name in names
        if name.startswith(forbidden)
    ]


def test_no_cycle_between_packages() -> None:
    graph = nx.DiGraph([(a, b) for a, targets in package_graph().items() for b in targets])
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    assert not cycles, f"package-level import cycles: {cycles}"


def test_tech_imports_nothing_of_heatplan() -> None:
    offences = _offences({"tech"}, ("heatplan.",))
    offences = [o for o in offences if " imports heatplan.tech" not in o]
    assert not offences, "\n".join(offences)


def test_stages_and_domain_touch_no_store_and_no_file_format() -> None:
    offences = _offences(DOMAIN | {"stages"}, NOT_IN_STAGES)
    assert not offences, "\n".join(offences)


def test_only_faces_import_adapters_and_faces() -> None:
    inner = {_package(p) for p in imports()} - FACES - ADAPTERS
    offences = _offences(inner, tuple(f"heatplan.{name}" for name in FACES | ADAPTERS))
    assert not offences, "\n".join(offences)


def test_adapters_import_no_face() -> None:
    offences = _offences(ADAPTERS, tuple(f"heatplan.{name}" for name in FACES))
    assert not offences, "\n".join(offences)


if __name__ == "__main__":
    for package, targets in sorted(package_graph().items()):
        print(f"{package} -> {', '.join(sorted(targets))}")
