"""The import graph has no cycles: modules above import modules below, never the reverse.
Every import counts, those inside functions too (a cycle dodged by a late import is still a
cycle for the next engineer); only imports for type checkers (`if TYPE_CHECKING:`) do not."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.Module, name: str, is_package: bool, known: set[str]) -> set[str]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        found.update(t for t in targets if t in known and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: _imports(ast.parse(path.read_text()), name, path.name == "__init__.py", known)
            for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_finder_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert "briefing.store.keys" in graph["briefing.store.story_store"]
    assert cycles(graph) == []


def test_the_tui_touches_no_private_textual_attribute() -> None:
    """A private attribute of Textual's (`_keymap`, `_require_update_dimensions`) can change in
    any release: the TUI reads and sets none of them, on its own widgets or any other."""
    from textual.app import App
    from textual.screen import ModalScreen, Screen
    from textual.widgets import DataTable, Input, OptionList, Static

    # Instances, not classes: most private state is set in __init__ (App()._keymap).
    objects: tuple[object, ...] = (App(), Screen(), ModalScreen(), DataTable(), OptionList(),
                                   Static(), Input())
    textual_private = {name for obj in objects for name in dir(obj)
                       if name.startswith("_") and not name.startswith("__")}
    trees = {path.relative_to(PACKAGE): ast.parse(path.read_text(encoding="utf-8"))
             for path in (PACKAGE / "tui").rglob("*.py")}
    # A standard-library module's own (os._exit) shares a name with App._exit, not a use of it.
    stdlib = {"os", "sys"}
    used = {f"{path}:{node.lineno} {node.attr}"
            for path, tree in trees.items() for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in textual_private
            and not (isinstance(node.value, ast.Name) and node.value.id in stdlib)}
    assert not used, f"private Textual attributes used: {sorted(used)}"
    # Overriding one is the same dependency, without an attribute access to show it
    # (ArticleList once overrode DataTable._highlight_row).
    overridden = {f"{path}:{node.lineno} {cls.name}.{name}"
                  for path, tree in trees.items() for cls in ast.walk(tree)
                  if isinstance(cls, ast.ClassDef) for node in cls.body
                  for name in _defined_names(node) if name in textual_private}
    assert not overridden, f"private Textual methods overridden: {sorted(overridden)}"


def _defined_names(node: ast.stmt) -> list[str]:
    """The names a statement in a class body defines: methods and class attributes."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


# What the reading room's start-up must not import: the fetch pipeline and its parsers, the
# tagger, sqlite-utils (migrations only), the screens opened later, and standard modules the
# first paint has no use for (each import is start-up time: issue 15's first paint).
NOT_AT_START = (
    "briefing.pipeline", "briefing.ingest", "briefing.tagger", "briefing.facts",
    "briefing.clean", "briefing.signatures", "briefing.summarize", "briefing.translate",
    "briefing.writer", "briefing.stories", "briefing.store.migrations",
    "briefing.tui.screens.reader", "briefing.tui.screens.search",
    "sqlite_utils", "httpx", "feedparser", "trafilatura", "lxml", "numpy",
    "hashlib", "webbrowser",
)


def test_the_reading_rooms_start_up_imports_nothing_it_does_not_need() -> None:
    # A fresh interpreter: this one has imported half the package already.
    code = ("import json, sys\n"
            "import briefing.cli.main, briefing.tui.app, briefing.tui.screens.main\n"
            "print(json.dumps(sorted(sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded = set(json.loads(proc.stdout))
    assert "textual.app" in loaded and "briefing.store.store" in loaded  # it did start
    early = sorted(m for m in loaded for name in NOT_AT_START
                   if m == name or m.startswith(name + "."))
    assert not early, f"imported at start-up: {early}"
