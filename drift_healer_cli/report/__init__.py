"""`drift-healer report`: the drift history as an HTML page with charts, and as JSON.

- `history`: the drift state table's items, read-only;
- `figures`: the numbers (drift episodes, MTTD, MTTR, % auto, drift age), pure;
- `render`: the self-contained HTML with pygal's inline SVG charts;
- `command`: the command, and `write_report` for the demo.
"""

from drift_healer_cli.report.command import register, write_report

__all__ = ["register", "write_report"]
