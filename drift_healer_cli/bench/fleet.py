"""``drift-healer bench fleet``: how close a fleet run comes to its floor, in the sandbox.

Every CloudFormation phase (drift detection, change-set creation, execution) takes
`--phase-seconds` in the sandbox (real CloudFormation: tens of seconds to minutes), the
healer polls every second, and the clock is real (no skipped waits). Measured first: one
drifted stack healed alone (one heal) and one in-sync stack checked alone (one check). Then

    floor = ceil(drifted / C) x one heal + detection sweep,  sweep = ceil(N / C) x one check

— the drifted stacks' heals in waves of C, plus detecting every stack once in waves of C.
The ratio wall / floor is the fleet's overhead (1.0: none).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
from typing import Any, TextIO

from drift_healer_cli.fleet_runner import FleetOutcome, run_fleet
from drift_healer_cli.local import create_inbox, sandbox_env

PREFIX = "bench"


def _template(name: str) -> str:
    parameter = {"Name": f"/{name}/value", "Type": "String", "Value": "as-deployed"}
    return json.dumps(
        {"Resources": {"Value": {"Type": "AWS::SSM::Parameter", "Properties": parameter}}}
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _deploy(sb: Any, names: list[str], drifted: set[str]) -> None:
    cfn, ssm = sb.client("cloudformation"), sb.client("ssm")
    for name in names:
        cfn.create_stack(StackName=name, TemplateBody=_template(name))
    for name in drifted:
        ssm.put_parameter(Name=f"/{name}/value", Value="by-hand", Type="String", Overwrite=True)


def _fleet(env: dict[str, str], names: dict[str, Any], concurrency: int) -> FleetOutcome:
    event = {"Fleet": names | {"CreateChangeSetOnly": False, "MaxConcurrency": concurrency}}
    return run_fleet(event, env, skip_time=False, timeout=3600)


def bench_fleet(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from sandbox.emulator import AwsSandbox, Phase  # noqa: PLC0415 - moto loads slowly

    stacks, concurrency = args.stacks, args.concurrency
    drifted_count = round(stacks * args.drifted / 100)
    sb = AwsSandbox.start(port=0)
    try:
        phase = Phase(seconds=args.phase_seconds, min_polls=0)
        sb.timing.detection = sb.timing.change_set_create = sb.timing.execution = phase
        env = sandbox_env(sb, create_inbox(sb).topic_arn)
        env |= {"DETECTION_POLL_MAX_SECONDS": "1", "CHANGE_SET_POLL_MAX_SECONDS": "1"}
        env |= {"EXECUTION_POLL_MAX_SECONDS": "1"}
        _deploy(sb, ["probe-heal", "probe-check"], {"probe-heal"})
        one_heal = _fleet(env, {"Names": ["probe-heal"]}, 1).seconds
        one_check = _fleet(env, {"Names": ["probe-check"]}, 1).seconds

        names = [f"{PREFIX}-{i:05d}" for i in range(stacks)]
        drifted = set(names[:: max(1, stacks // max(1, drifted_count))][:drifted_count])
        _deploy(sb, names, drifted)
        sb.faults.reset()  # count this run's CloudFormation calls only
        rss_before = _peak_rss_mb()
        outcome = _fleet(env, {"NamePatterns": [f"{PREFIX}-*"]}, concurrency)
        rss_after = _peak_rss_mb()
        calls = sum(n for key, n in sb.faults.counts().items() if key.endswith(":OK"))
    finally:
        sb.stop()

    if outcome.digest is None:
        print(f"the fleet failed: {outcome.error}", file=out)
        return 1
    floor = math.ceil(len(drifted) / concurrency) * one_heal
    floor += math.ceil(stacks / concurrency) * one_check
    digest = outcome.digest
    # Heals and checks share the C slots: no schedule beats the work spread evenly over them.
    work = len(drifted) * one_heal + (stacks - len(drifted)) * one_check
    spread = max(one_heal, work / concurrency)
    lines = [
        f"bench fleet: {stacks} stacks, {len(drifted)} drifted, MaxConcurrency {concurrency}, "
        f"phases {args.phase_seconds} s, polls every 1 s",
        f"  outcomes                {json.dumps(digest['Outcomes'])}",
        f"  one heal / one check    {one_heal:.1f} s / {one_check:.1f} s (a fleet of one)",
        f"  wall time               {outcome.seconds:.1f} s",
        f"  floor                   {floor:.1f} s = ceil({len(drifted)}/{concurrency}) x "
        f"{one_heal:.1f} + ceil({stacks}/{concurrency}) x {one_check:.1f}",
        f"  ratio wall / floor      {outcome.seconds / floor:.2f}",
        f"  work spread over C      {spread:.1f} s (heals and checks sharing the {concurrency} "
        f"slots), ratio {outcome.seconds / spread:.2f}",
        f"  CloudFormation calls    {calls / stacks:.1f} per stack ({calls})",
        f"  handler invocations     {outcome.progress.invocations / stacks:.1f} per stack",
        f"  peak memory (RSS)       {rss_after:.0f} MB ({rss_after - rss_before:+.0f} MB "
        "during the fleet run)",
    ]
    print("\n".join(lines), file=out)
    return 0 if digest["Checked"] == stacks and not digest["Failed"] else 1


BENCH = """\
Deploy --stacks stacks in a fresh sandbox, drift --drifted percent of them, and heal them
all with one fleet run (MaxConcurrency --concurrency), CloudFormation phases taking
--phase-seconds each, on a real clock. Prints the wall time, the floor
ceil(drifted/C) x one heal + ceil(N/C) x one check, their ratio, CloudFormation calls and
handler invocations per stack, and the process's peak memory."""


def add_parser(benches: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = benches.add_parser(
        "fleet",
        help="a fleet run's wall time against its floor",
        description=BENCH,
        epilog="example:\n  drift-healer bench fleet --stacks 500 --drifted 10 --concurrency 20",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--stacks", type=int, default=100, help="stacks to deploy (default 100)")
    p.add_argument("--drifted", type=float, default=10.0, help="percent drifted (default 10)")
    p.add_argument("--concurrency", type=int, default=20, help="MaxConcurrency (default 20)")
    p.add_argument(
        "--phase-seconds", type=float, default=2.0, help="each CloudFormation phase (default 2)"
    )
    p.set_defaults(func=bench_fleet)
