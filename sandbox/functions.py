"""Where each function's code is, as Lambda sees it: its own code (CodeUri, /var/task in
Lambda) and the common layer (/opt/python), and the handler Lambda calls. The same as
template.yaml declares (tests/unit/template checks they agree).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COMMON_LAYER = REPO / "functions" / "common"


@dataclass(frozen=True)
class FunctionCode:
    code_uri: Path
    handler: str  # module.attribute, relative to code_uri

    def put_on_path(self) -> None:
        """Make the function's code and the common layer importable, as in Lambda."""
        for path in (str(COMMON_LAYER), str(self.code_uri)):
            if path not in sys.path:
                sys.path.insert(0, path)

    def load(self) -> Callable[..., Any]:
        self.put_on_path()
        module_name, _, attr = self.handler.rpartition(".")
        handler: Callable[..., Any] = getattr(importlib.import_module(module_name), attr)
        return handler


HEALER = FunctionCode(REPO / "functions" / "drift_healer", "healer.handler.lambda_handler")
FLEET = FunctionCode(REPO / "functions" / "fleet", "fleet.handler.lambda_handler")
RELAY = FunctionCode(REPO / "functions" / "relay", "relay.handler.lambda_handler")
APPROVAL_PAGE = FunctionCode(
    REPO / "functions" / "approval_page", "approval_page.handler.lambda_handler"
)
TRIGGER = FunctionCode(REPO / "functions" / "trigger", "trigger.handler.lambda_handler")
# Logical id in template.yaml -> the code it deploys.
BY_RESOURCE = {
    "DriftHealerFunction": HEALER,
    "FleetFunction": FLEET,
    "RelayFunction": RELAY,
    "ApprovalPageFunction": APPROVAL_PAGE,
    "TriggerFunction": TRIGGER,
}
