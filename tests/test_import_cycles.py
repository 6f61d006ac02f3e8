"""No import cycles between the product's modules (function-level imports count too): each
one found is named with the chain that closes it."""

from __future__ import annotations

import grimp

PRODUCT = ["kds_contract", "server", "kds_client", "kds_ui", "kds_tui", "admin_tui"]


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PRODUCT, cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(" -> ".join([module, *back]))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
