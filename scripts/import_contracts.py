"""import-linter contracts for the dependency rule of the modular monolith.

Every direct child package of `app` other than the platform and the composition roots is a
feature module, and every contract below applies to each of them, so a new module is covered
without editing any configuration:

- `module_boundaries`: `app.core` imports nothing from `app` outside `app.core`; a feature module
  imports another feature module only through its package (`app.auth`), never its internals
  (`app.auth.services...`), and never a composition root.
- `module_layers`: inside each module, a submodule imports only from its own layer or the layers
  listed below it (the order is the contract's `layers` in pyproject.toml); the layers of one line
  (`a | b`) are independent of each other. A submodule whose name is in no layer is unconstrained.
- `module_forbidden`: inside each module, the `sources` layers import none of `forbidden`
  (`{module}` stands for the module's package, e.g. `{module}.repositories`).
- `module_cycles`: the feature modules import each other without a cycle (auth may import chat,
  or chat auth, not both).
- `acyclic`: no import cycle among the modules inside `packages` (function-level and
  TYPE_CHECKING imports count: they hide a cycle, they do not remove it), but for the imports
  listed in `ignore_imports`.

Checks read direct imports only: with every submodule in a layer, a chain that breaks a rule has
a direct import that breaks it.
"""

from collections.abc import Iterable, Iterator
from typing import cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output

ROOT = "app"
CORE = "app.core"
COMPOSITION_ROOTS = frozenset({"app.main", "app.cli", "app.modules", "app.worker"})


def _top_level(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _violation(importer: str, imported: str) -> str | None:
    owner, target = _top_level(importer), _top_level(imported)
    if owner == target or imported == ROOT or owner in COMPOSITION_ROOTS:
        return None
    if owner == CORE:
        return "the platform must not import modules or composition roots"
    if target in COMPOSITION_ROOTS:
        return "a module must not import a composition root"
    if target not in (CORE, imported):
        return f"import the public package {target!r}, not its internals"
    return None


def feature_modules(graph: ImportGraph) -> list[str]:
    return sorted(
        module for module in graph.find_children(ROOT) if module != CORE and module not in COMPOSITION_ROOTS
    )


def _app_imports(graph: ImportGraph, importer: str) -> Iterator[str]:
    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
        if imported == ROOT or imported.startswith(f"{ROOT}."):
            yield imported


def _lines(graph: ImportGraph, importer: str, imported: str) -> list[int]:
    return [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]


def _broken(graph: ImportGraph, importer: str, imported: str, reason: str) -> dict[str, object]:
    return {
        "importer": importer,
        "imported": imported,
        "reason": reason,
        "lines": _lines(graph, importer, imported),
    }


def _render(check: ContractCheck) -> None:
    for item in check.metadata["broken"]:
        lines = ", ".join(f"l.{line}" for line in item["lines"])
        output.print_error(
            f"{item['importer']} -> {item['imported']} ({lines}): {item['reason']}", bold=False
        )
        output.new_line()


def _strings(value: object) -> list[str]:
    """A list option's value (import-linter's typing shows the field, not what it holds)."""
    return list(cast("Iterable[str]", value or []))


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


class ModuleBoundariesContract(Contract):
    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        broken: list[dict[str, object]] = []
        for importer in sorted(m for m in graph.modules if m.startswith(f"{ROOT}.")):
            for imported in _app_imports(graph, importer):
                reason = _violation(importer, imported)
                if reason:
                    broken.append(_broken(graph, importer, imported, reason))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


def layer_ranks(layers: Iterable[str]) -> dict[str, int]:
    """{submodule name: rank}, 0 for the top layer; `a | b` puts both at one rank."""
    return {
        name.strip(): rank for rank, line in enumerate(layers) for name in line.split("|") if name.strip()
    }


def layer_violation(ranks: dict[str, int], importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported` (names relative to the module package), if so."""
    low, high = importer.split(".", maxsplit=1)[0], imported.split(".", maxsplit=1)[0]
    if low == high or low not in ranks or high not in ranks:
        return None
    if ranks[low] > ranks[high]:
        return f"{low!r} is below {high!r}: a layer imports only the layers under it"
    if ranks[low] == ranks[high]:
        return f"{low!r} and {high!r} are independent layers"
    return None


class ModuleLayersContract(Contract):
    layers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        ranks = layer_ranks(_strings(self.layers))
        broken: list[dict[str, object]] = []
        for package in feature_modules(graph):
            for importer in sorted(graph.find_descendants(package)):
                for imported in _app_imports(graph, importer):
                    if not imported.startswith(f"{package}."):
                        continue
                    reason = layer_violation(
                        ranks, importer.removeprefix(f"{package}."), imported.removeprefix(f"{package}.")
                    )
                    if reason:
                        broken.append(_broken(graph, importer, imported, reason))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


class ModuleForbiddenContract(Contract):
    sources = fields.ListField(subfield=fields.StringField())
    forbidden = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        broken: list[dict[str, object]] = []
        for package in feature_modules(graph):
            forbidden = [name.format(module=package) for name in _strings(self.forbidden)]
            for source in _strings(self.sources):
                importers = {f"{package}.{source}"} & graph.modules
                importers |= {m for i in importers for m in graph.find_descendants(i)}
                for importer in sorted(importers):
                    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                        if any(_within(imported, name) for name in forbidden):
                            reason = f"{source} must not import {imported}"
                            broken.append(_broken(graph, importer, imported, reason))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """The components of more than one node of a directed graph (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


class ModuleCyclesContract(Contract):
    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        modules = feature_modules(graph)
        imports: dict[str, set[str]] = {m: set() for m in modules}
        pairs: list[tuple[str, str]] = []
        for package in modules:
            for importer in sorted({package} | graph.find_descendants(package)):
                for imported in _app_imports(graph, importer):
                    target = _top_level(imported)
                    if target != package and target in imports:
                        imports[package].add(target)
                        pairs.append((importer, imported))
        broken: list[dict[str, object]] = []
        for component in strongly_connected(imports):
            members = set(component)
            for importer, imported in pairs:
                if _top_level(importer) in members and _top_level(imported) in members:
                    reason = f"the modules {', '.join(component)} import each other"
                    broken.append(_broken(graph, importer, imported, reason))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)


class AcyclicContract(Contract):
    packages = fields.ListField(subfield=fields.StringField())
    # "importer -> imported": imports left out of the graph (a known cycle, until it is broken).
    # One that no longer exists breaks the contract, so the list only shrinks.
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        modules: set[str] = set()
        for package in _strings(self.packages):
            modules |= {package} | graph.find_descendants(package)
        edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
        broken: list[dict[str, object]] = []
        for expression in _strings(self.ignore_imports):
            importer, _, imported = (part.strip() for part in expression.partition("->"))
            if imported in edges.get(importer, set()):
                edges[importer].discard(imported)
            else:
                reason = "ignored, but no longer imported: remove it from ignore_imports"
                broken.append({"importer": importer, "imported": imported, "reason": reason, "lines": []})
        for component in strongly_connected(edges):
            members = set(component)
            for importer in component:
                for imported in sorted(edges[importer] & members):
                    reason = f"in an import cycle of {len(component)} modules: {', '.join(component)}"
                    broken.append(_broken(graph, importer, imported, reason))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check)
