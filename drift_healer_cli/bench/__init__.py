"""``drift-healer bench ...``: measurements against the local sandbox (not tests).

Each benchmark is a module here with ``add_parser(commands)``; ``register`` adds them all
under the ``bench`` command group.
"""

from __future__ import annotations

import argparse

from drift_healer_cli.bench import detect, fleet, heal


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser(
        "bench",
        help=(
            "benchmarks against the local sandbox (heal: polling vs events; fleet: wall time;"
            " detect: change to notice)"
        ),
        description="Benchmarks against the local sandbox. They print tables; they assert nothing.",
    )
    benches = bench.add_subparsers(dest="bench", required=True, metavar="BENCHMARK")
    heal.add_parser(benches)
    fleet.add_parser(benches)
    detect.add_parser(benches)
