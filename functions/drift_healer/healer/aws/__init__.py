"""AWS for the healer: clients, one function per API call, and the durable steps around them.

- `clients`: the healer's clients, aimed at the stack's own account and region;
- `cloudformation`, `cloudtrail`, `sns`: one API call per function (a paginated read counts as one);
- `bounds`: step results cut to fit a checkpoint;
- `durable`: typed checkpoint serialisation and the step retry policy;
- `steps`: the durable steps, one AWS call each, named for what they do.
"""

from healer.aws import clients, cloudformation, cloudtrail, sns, steps
from healer.aws.durable import TypedSerDes, step_config
from healer.aws.steps import now

__all__ = [
    "TypedSerDes",
    "clients",
    "cloudformation",
    "cloudtrail",
    "now",
    "sns",
    "step_config",
    "steps",
]
