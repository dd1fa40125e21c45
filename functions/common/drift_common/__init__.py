"""What the healer, the fleet, the relay and the approval page share: the contracts between
them and the helpers all of them use, shipped once to every function (the common layer).

- `approval`: the answer contract and the signed page links (standard library only);
- `table`: the drift state table's keys and the waiter record;
- `outcomes`: the healer's outcome names and their families;
- `errors`: which AWS errors are transient, and how to name one;
- `sns`: how SNS measures a message, and cutting text so that a notice fits;
- `clients` and `credentials`: AWS clients, also for a target account's execution role (only
  in the accounts TARGET_ACCOUNT_IDS lists);
- `owners`: which stack owns a physical resource (DescribeStackResources by physical id);
- `validation`: name patterns, blank settings, and one way to word a validation error.

Modules are imported by name (`from drift_common.table import Waiter`): importing this
package loads none of them, so the approval page pays only for `approval`.
"""
