"""The ``drift-healer`` command: its arguments, its help, and what every command shares."""

from __future__ import annotations

import argparse
import errno
import logging
import signal
import sys
import threading
from typing import Any

from drift_healer_cli import bench
from drift_healer_cli import report as report_command
from drift_healer_cli.accept import accept
from drift_healer_cli.approvals import approve, pending, reject
from drift_healer_cli.demo import demo
from drift_healer_cli.fleet_command import fleet
from drift_healer_cli.hands_on import sandbox
from drift_healer_cli.leases import release_lease
from drift_healer_cli.run import DEFAULT_FUNCTION, run

SDK_LOGGER = "aws_durable_execution_sdk_python"

DESCRIPTION = """\
Find CloudFormation drift and put stacks back the way their template says, with the real
durable workflow (functions/drift_healer) running on this machine. Start with the demo,
then try it by hand in the sandbox."""

EXAMPLES = """\
examples:
  drift-healer demo                          the whole story in a local sandbox (~35 s)
  drift-healer sandbox                       a local AWS to try it by hand, until Ctrl-C
  drift-healer run --stack my-stack          review one stack: create the change set only
  drift-healer run --stack my-stack --auto   heal it where the safety gate allows
  drift-healer fleet --pattern 'app-*'       review every app-* stack, with a digest
  drift-healer bench fleet --stacks 100      a fleet's wall time against its floor
  drift-healer bench detect                  change to notice: event-triggered vs the schedule
  drift-healer pending                       approvals runs are waiting for
  drift-healer approve my-stack              let the waiting run heal my-stack
  drift-healer release-lease my-stack        show (then free) a lease a run left behind
  drift-healer report --out report           the drift history as HTML and JSON

Run `drift-healer COMMAND --help` for a command's options."""

DEMO = """\
Start a local AWS sandbox and durable service, deploy two stacks, change them out of band,
review one in review mode, heal both in automatic mode and read the values back. Nothing
leaves this machine; the notices are printed as a subscriber receives them."""

SANDBOX = """\
Start the local AWS sandbox (moto with CloudFormation drift detection and REVERT_DRIFT
change sets) and the durable execution service, print the `export` lines that point the
AWS CLI (v1 or v2) and boto3 at them and example commands that work as printed, then print
each notice as it arrives. Ctrl-C stops both."""

RUN = """\
Run the workflow for one stack and follow it phase by phase, with live progress during
waits and retries. Review mode by default, like the deployed schedule: the change set is
created for a person to review and nothing is changed. --auto executes it when the safety
gate allows.

Where it runs: with --durable-endpoint (or AWS_ENDPOINT_URL_LAMBDA, which `drift-healer
sandbox` exports) the function of that durable service is invoked and the execution is
visible there (aws lambda get-durable-execution). Otherwise a durable service is started
here with the handler in-process, against the AWS the environment points at
(AWS_ENDPOINT_URL, or your account: it says so before it starts)."""


FLEET = """\
Heal every selected stack (names, patterns, tags, exclusions; several regions and accounts),
each by its own durable execution of the workflow, MaxConcurrency at a time per account and
region, with live progress (done per outcome, running, waiting for review) and the digest at
the end. Review mode by default; --auto heals where the safety gate allows.

The fleet and healer functions run in-process (the durable testing SDK's runner) against
the AWS the environment points at: the sandbox (`drift-healer sandbox` exports
AWS_ENDPOINT_URL) or your account. Other accounts are reached through the role
EXECUTION_ROLE_NAME (default cfn-drift-healer-target, templates/target-account.yaml)."""


APPROVALS = """\
Answer an approval a run is waiting for (a run started with "WaitForApproval": true whose
change set is held for review). The waiting approval is found among the function's RUNNING
durable executions; the answer {"Decision", "Reason", "By"} goes to its callback with
SendDurableExecutionCallbackSuccess, as the approval page does. The run then executes and
verifies the change set (approve) or deletes it (reject), and notifies. Talks to the durable
service at --durable-endpoint / AWS_ENDPOINT_URL_LAMBDA (which `drift-healer sandbox`
exports), otherwise to AWS Lambda with your credentials (IAM:
lambda:SendDurableExecutionCallbackSuccess on the function, see docs/approval.md)."""


def _approval_options(p: argparse.ArgumentParser, *, stack: bool) -> None:
    if stack:
        p.add_argument("stack", metavar="STACK", help="stack name (or ID) the run is for")
    p.add_argument(
        "--function",
        default=DEFAULT_FUNCTION,
        help=f"the healer function (default: {DEFAULT_FUNCTION})",
    )
    p.add_argument(
        "--durable-endpoint",
        metavar="URL",
        help="durable execution service (default: $AWS_ENDPOINT_URL_LAMBDA, else AWS)",
    )
    # The same stack name may wait in several regions or accounts (a fleet): pick one.
    p.add_argument("--execution", metavar="ARN", help="only the run of this durable execution")
    p.add_argument("--region", help="only a stack in this region")
    p.add_argument("--account", metavar="ID", help="only a stack in this account")


def _progress_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--progress-every",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="when the output is not a terminal, a progress line this often (default 10)",
    )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"example:\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drift-healer",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show the handler's logs")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(
        commands,
        "demo",
        "deploy, drift, review and heal two stacks in a local sandbox",
        DEMO,
        "  drift-healer demo",
    )
    p.add_argument("--fast", action="store_true", help="skip the durable waits (for tests)")
    p.add_argument(
        "--report-dir",
        default="drift-report",
        metavar="DIR",
        help="where the closing report is written (default drift-report)",
    )
    p.set_defaults(func=demo)

    p = _command(
        commands,
        "sandbox",
        "a local AWS sandbox and durable service to try it by hand",
        SANDBOX,
        "  drift-healer sandbox --port 4566\n"
        "  # in another shell: paste the export lines it prints, then its example commands",
    )
    p.add_argument(
        "--port", type=int, default=0, help="port of the AWS endpoint (default: a free one)"
    )
    p.set_defaults(func=sandbox)

    p = _command(
        commands,
        "run",
        "review (or with --auto heal) one stack, followed phase by phase",
        RUN,
        "  drift-healer run --stack my-stack\n"
        "  drift-healer run --stack my-stack --auto --topic-arn arn:aws:sns:...:notices",
    )
    p.add_argument("--stack", required=True, help="stack name or stack ID")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--auto", action="store_true", help="execute the change set (heal) when the gate allows"
    )
    mode.add_argument(
        "--review", action="store_true", help="create the change set only (the default)"
    )
    p.add_argument("--timeout", type=float, default=3600, help="seconds to wait (default 3600)")
    p.add_argument(
        "--topic-arn", help="SNS topic for the notice (default: $SNS_TOPIC_ARN; run here only)"
    )
    p.add_argument(
        "--durable-endpoint",
        metavar="URL",
        help="durable execution service to run on (default: $AWS_ENDPOINT_URL_LAMBDA)",
    )
    p.add_argument(
        "--function",
        default=DEFAULT_FUNCTION,
        help=f"function to invoke there (default: {DEFAULT_FUNCTION})",
    )
    _progress_option(p)
    p.add_argument(
        "--wait-for-approval",
        action="store_true",
        help="a held change set waits for approve/reject (WaitForApproval) instead of ending",
    )
    p.set_defaults(func=run)

    _add_fleet_commands(commands)
    _add_approval_commands(commands)
    _add_lease_command(commands)
    bench.register(commands)
    report_command.register(commands)
    return parser


def _add_fleet_commands(commands: Any) -> None:
    p = _command(
        commands,
        "fleet",
        "review (or with --auto heal) every selected stack, with a digest",
        FLEET,
        "  drift-healer fleet --pattern 'app-*' --exclude '*-sandbox' --tag team=payments\n"
        "  drift-healer fleet --region eu-west-1 --region us-east-1 --account 111122223333 --auto",
    )
    p.add_argument("--region", action="append", help="a region (repeat; default: the current)")
    p.add_argument("--account", action="append", help="an account id (repeat; default: own)")
    p.add_argument("--name", action="append", help="a stack name (repeat)")
    p.add_argument("--pattern", action="append", help="a stack name pattern, e.g. 'app-*'")
    p.add_argument("--tag", action="append", metavar="KEY=VALUE", help="a tag every stack has")
    p.add_argument("--exclude", action="append", help="a name pattern to leave out")
    p.add_argument("--auto", action="store_true", help="execute change sets the gate allows")
    p.add_argument("--max-concurrency", type=int, help="stacks at a time per account+region")
    p.add_argument("--wait-for-approval", action="store_true", help="pass WaitForApproval")
    p.add_argument("--topic-arn", help="SNS topic for the digest (default: $SNS_TOPIC_ARN)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds to wait (default 3600)")
    p.add_argument("--json", action="store_true", help="also print the digest as JSON")
    _progress_option(p)
    p.set_defaults(func=fleet)


def _add_approval_commands(commands: Any) -> None:
    p = _command(
        commands,
        "approve",
        "approve the change set a run waits on; the run heals the stack",
        APPROVALS,
        "  drift-healer approve my-stack --reason 'checked with the app team'\n"
        "  drift-healer approve app --region eu-west-1   # one of several stacks named app",
    )
    _approval_options(p, stack=True)
    p.add_argument("--reason", help="recorded with the decision and shown in the notice")
    p.add_argument("--by", help="who decides (default: your user name)")
    p.set_defaults(func=approve)

    p = _command(
        commands,
        "reject",
        "reject the change set a run waits on; it is deleted",
        APPROVALS,
        "  drift-healer reject my-stack --reason 'intended change, the template will follow'",
    )
    _approval_options(p, stack=True)
    p.add_argument("--reason", required=True, help="why (shown in the REJECTED notice)")
    p.add_argument("--by", help="who decides (default: your user name)")
    p.set_defaults(func=reject)

    # --- issue 17: keep the change ---
    p = _command(
        commands,
        "accept",
        "keep the change: write the drift into the stack's template instead of reverting it",
        APPROVALS,
        "  drift-healer accept my-stack --reason 'the incident fix stays'\n"
        "  # answers the run waiting on my-stack (ACCEPT), or starts one with AcceptDrift",
    )
    _approval_options(p, stack=True)
    p.add_argument("--reason", required=True, help="why (recorded in the history and notice)")
    p.add_argument("--by", help="who decides (default: your user name)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds to wait (default 3600)")
    p.add_argument("--topic-arn", help="SNS topic for the notice (a run started here only)")
    _progress_option(p)
    p.set_defaults(func=accept)

    p = _command(
        commands,
        "pending",
        "list the approvals runs are waiting for",
        APPROVALS,
        "  drift-healer pending\n  drift-healer pending --stack my-stack",
    )
    _approval_options(p, stack=False)
    p.add_argument("--stack", help="only this stack")
    p.set_defaults(func=pending)


def _add_lease_command(commands: Any) -> None:
    p = _command(
        commands,
        "release-lease",
        "show the lease a run holds on a stack; with --holder, release it",
        "A run that ended has its lease taken over by the next run on its own. This is for\n"
        "the rest: it shows who holds the stack and, with --holder (that same execution),\n"
        "removes the lease if that execution still holds it. Stop a run that still runs first.",
        "  drift-healer release-lease my-stack\n"
        "  drift-healer release-lease my-stack --holder arn:aws:lambda:...:durable-execution/...",
    )
    p.add_argument("stack", help="stack name or stack ID")
    p.add_argument("--holder", metavar="ARN", help="release only if this execution holds it")
    p.add_argument("--table", help="the drift state table (default: $STATE_TABLE_NAME)")
    p.add_argument("--region", help="the stack's and the table's region (default: current)")
    p.set_defaults(func=release_lease)


def _configure_logging(verbose: bool) -> None:
    """Quiet by default (the outcome is printed; the SDK's tracebacks of failed steps are not)."""
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger(SDK_LOGGER).setLevel(logging.NOTSET if verbose else logging.CRITICAL)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.verbose)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None  # stop servers too
    try:
        return int(args.func(args))
    except OSError as problem:
        if problem.errno != errno.EADDRINUSE:
            raise
        print(
            f"error: {problem.strerror}; choose another with --port N, or --port 0 for a free one",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
