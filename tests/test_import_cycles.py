"""No import cycle among the tracker's modules, and the one-way rules of docs/architecture.md hold.

The graph is read from the source (module-level imports only, as Python runs them when a module loads;
imports inside functions and under `if TYPE_CHECKING:` are deferred and left out). A cycle here is a module
that cannot be imported first without the other half-loaded: the bug that bites on a worker's cold start.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tracker", "presidency")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If):
                if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            # Function and class bodies: a def's imports run when it is called (deferred); class bodies
            # in this project hold none.

    visit(tree.body)
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports when it loads."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _top_level_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                assert node.level == 0, f"{name}: relative import"
                base = node.module or ""
                # `from pkg import sub` loads pkg.sub when sub is a module, else takes a name from pkg.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_tracker_has_no_import_cycle() -> None:
    graph = import_graph()
    # The graph really is the project: the packages and the domains moved into them are in it.
    for module in ("tracker.admin.agenda", "tracker.services.bulk", "tracker.events", "tracker.models.progress",
                   "tracker.services.delivery", "tracker.services.commitments", "tracker.selectors.delivery",
                   "tracker.selectors.commitments", "tracker.web.commitments_docx", "presidency.conf.api"):
        assert module in graph
    assert "tracker.services.planner" in graph["tracker.services.commitments"]
    assert cycles(graph) == []


def test_the_detector_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_run_one_way() -> None:
    graph = import_graph()
    # The bulk writer never goes through the item-by-item writer.
    assert "tracker.services.agenda" not in reachable(graph, "tracker.services.bulk")
    # Models and events load without services, selectors, doors or the events module (for models).
    for module in [name for name in graph if name.startswith("tracker.models")]:
        above = {name for name in reachable(graph, module)
                 if name.startswith(("tracker.services", "tracker.selectors", "tracker.web", "tracker.api",
                                     "tracker.admin", "tracker.events"))}
        assert above == set(), module
    assert not {name for name in reachable(graph, "tracker.events")
                if name.startswith(("tracker.services", "tracker.selectors", "tracker.web", "tracker.api"))}
    # The admin's pages import, of the admin, only its one gate (admin/base.py). One known exception, left for
    # a later change: admin/commitments.py adds its participation inline to admin/agenda.ActivityAdmin.
    for module in [name for name in graph if name.startswith("tracker.admin.")]:
        known = {"tracker.admin.agenda"} if module == "tracker.admin.commitments" else set()
        allowed = {"tracker.admin.base"} | known
        assert {name for name in graph[module] if name.startswith("tracker.admin.")} <= allowed, module
    # The packages do not re-export the two domains (their services call `services.activity_create`).
    assert not {"tracker.services.delivery", "tracker.services.commitments"} & graph["tracker.services"]
    assert not {"tracker.selectors.delivery", "tracker.selectors.commitments"} & graph["tracker.selectors"]
    # The settings' parts stand alone: they never import the settings that import them.
    assert "presidency.settings" not in reachable(graph, "presidency.conf.api")
    assert "presidency.settings" not in reachable(graph, "presidency.conf.jobs")
