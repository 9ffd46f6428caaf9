"""import-linter contract for the dependency rule of the modular monolith.

Every direct child package of `app` other than the platform and the composition roots is a
feature module, so a new module is covered without editing any configuration:

1. `app.core` imports nothing from `app` outside `app.core`.
2. A feature module imports another feature module only through its package (`app.auth`), never
   its internals (`app.auth.services...`), and never a composition root.
"""

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, output

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


class ModuleBoundariesContract(Contract):
    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        del verbose
        broken = []
        for importer in sorted(m for m in graph.modules if m.startswith(f"{ROOT}.")):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not (imported == ROOT or imported.startswith(f"{ROOT}.")):
                    continue
                reason = _violation(importer, imported)
                if reason:
                    lines = [
                        d["line_number"]
                        for d in graph.get_import_details(importer=importer, imported=imported)
                    ]
                    broken.append(
                        {"importer": importer, "imported": imported, "reason": reason, "lines": lines}
                    )
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            lines = ", ".join(f"l.{line}" for line in item["lines"])
            output.print_error(
                f"{item['importer']} -> {item['imported']} ({lines}): {item['reason']}", bold=False
            )
            output.new_line()
