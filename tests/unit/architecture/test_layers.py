"""The import rules of docs/architecture.md, checked on the code as it is.

Every function imports only its own package and drift_common; drift_common imports no
function; nothing that ships imports the sandbox or the CLI; inside the healer each family
imports only from the families below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[3] / "functions"
# function folder -> its package
PACKAGES = {
    "drift_healer": "healer",
    "fleet": "fleet",
    "relay": "relay",
    "approval_page": "approval_page",
    "common": "drift_common",
}
OURS = {*PACKAGES.values(), "sandbox", "drift_healer_cli", "tests"}
# The healer's families, and what each may import (besides itself and drift_common).
HEALER_LAYERS: dict[str, set[str]] = {
    "model": set(),
    "policy": {"model"},
    "aws": {"model", "policy"},
    "report": {"model", "policy"},
    "settings": {"model", "policy"},
    "state": {"model", "policy", "aws", "report"},
    "waits": {"model", "policy", "aws", "report", "state"},
    "approval": {"model", "policy", "aws", "report", "state", "settings"},
    "phases": {"model", "policy", "aws", "report", "state", "waits", "settings"},
    # --- issue 17: accepting drift ---
    "accept": {"model", "policy", "aws", "report", "state", "waits", "settings", "phases"},
    "handler": {
        "accept",
        "model",
        "policy",
        "aws",
        "report",
        "state",
        "waits",
        "approval",
        "phases",
        "settings",
    },
}


def imported_modules(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # `from healer import steps` imports the module healer.steps
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def sources(folder: str) -> list[Path]:
    return sorted((FUNCTIONS / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_a_function_imports_only_its_own_package_and_the_common_layer(folder: str) -> None:
    allowed = {PACKAGES[folder], "drift_common"}
    wrong = [
        f"{path.relative_to(FUNCTIONS)} imports {module}"
        for path in sources(folder)
        for module in imported_modules(path)
        if module.split(".")[0] in OURS and module.split(".")[0] not in allowed
    ]
    assert wrong == []


def family(module: str) -> str | None:
    """healer.state.run -> state; healer.handler -> handler; healer -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "healer" and len(parts) > 1 else None


def test_each_healer_family_imports_only_the_families_below_it() -> None:
    root = FUNCTIONS / "drift_healer" / "healer"
    assert {
        p.stem if p.is_file() else p.name for p in root.iterdir() if p.name != "__pycache__"
    } - {"__init__"} == set(HEALER_LAYERS), (
        "a new family needs its place in HEALER_LAYERS and the docs"
    )
    wrong = []
    for path in sources("drift_healer"):
        relative = path.relative_to(root)
        own = relative.parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        for module in imported_modules(path):
            target = family(module)
            if target in HEALER_LAYERS and target != own and target not in HEALER_LAYERS[own]:
                wrong.append(f"healer/{relative} ({own}) imports {module} ({target})")
    assert wrong == []


def test_the_layer_order_has_no_circle() -> None:
    """Each family's allowed imports are allowed for the families above it too."""
    for name, below in HEALER_LAYERS.items():
        for lower in below:
            assert HEALER_LAYERS[lower] <= below, f"{name} may import {lower} but not all it uses"
            assert name not in HEALER_LAYERS[lower], f"{name} and {lower} may import each other"
