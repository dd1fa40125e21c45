"""`drift-healer report`: read the drift state table (read-only), write report.html and
report.json, print where."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from drift_healer_cli.report.figures import build
from drift_healer_cli.report.history import from_items, scan
from drift_healer_cli.report.render import render

DEFAULT_TABLE = "drift-healer-state"
DEFAULT_OUT = "drift-report"


def write_report(
    client: Any, table: str, out_dir: Path, *, now: datetime | None = None
) -> tuple[Path, dict[str, Any]]:
    """Scan `table`, write `out_dir`/report.html and report.json; returns the HTML's path."""
    stacks = from_items(scan(client, table))
    data = build(stacks, now or datetime.now(UTC), f"table {table}")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(render(data), encoding="utf-8")
    return page, data


def report(args: argparse.Namespace) -> int:
    table = args.table or os.environ.get("STATE_TABLE_NAME") or DEFAULT_TABLE
    client = (
        boto3.client("dynamodb", region_name=args.region)
        if args.region
        else boto3.client("dynamodb")
    )
    try:
        page, data = write_report(client, table, Path(args.out))
    except (ClientError, BotoCoreError) as problem:
        print(f"error: could not read the drift state table {table}: {problem}", file=sys.stderr)
        return 1
    overall = data["Overall"]
    print(
        f"{overall['Stacks']} stacks, {overall['Runs']} runs, {overall['DriftEvents']} drift "
        f"events, {overall['CurrentlyDrifted']} drifted now"
    )
    print(f"report: {page.resolve()}")
    print(f"data:   {page.with_suffix('.json').resolve()}")
    return 0


REPORT = """\
Read the drift state table's history (read-only: DynamoDB Scan) and write a self-contained
HTML report and the same data as JSON: per stack the drift timeline (drifted / held / healed
/ accepted), the current drift age, who changed what where attribution is known, MTTD, MTTR
and % auto-remediated overall and per stack, and the worst offenders. Reads the AWS the
environment points at: the sandbox (`drift-healer sandbox` exports AWS_ENDPOINT_URL) or your
account (IAM: dynamodb:Scan on the table)."""


def register(commands: Any) -> None:
    p = commands.add_parser(
        "report",
        help="an HTML report of the drift history (and its data as JSON)",
        description=REPORT,
        epilog="example:\n  drift-healer report --table my-stack-DriftStateTable-ABC --out report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--table",
        help=f"the drift state table (default: $STATE_TABLE_NAME, else {DEFAULT_TABLE})",
    )
    p.add_argument("--out", default=DEFAULT_OUT, help=f"folder to write to (default {DEFAULT_OUT})")
    p.add_argument("--region", help="the table's region (default: the current)")
    p.set_defaults(func=report)
