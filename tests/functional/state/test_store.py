"""Data access for the drift state, against DynamoDB (moto) in the sandbox."""

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from drift_common import table as contract
from healer.state import items as state_items
from healer.state import store
from healer.state.decisions import drift_age_text
from healer.state.model import DriftState, PendingChangeSet
from sandbox.emulator import AwsSandbox

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1"
FIRST = "arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/first/1"
SECOND = "arn:aws:lambda:us-east-1:123456789012:function:healer:live/durable-execution/second/2"


def take(table: str, execution_arn: str, now: datetime = T0, hours: float = 6) -> store.Lease:
    return store.take_lease(
        table, STACK, execution_arn, now=now, expires=now + timedelta(hours=hours), ttl_days=90
    )


def test_first_run_takes_the_lease_of_a_stack_never_seen(table: str) -> None:
    lease = take(table, FIRST)
    assert lease.taken and lease.holder == FIRST and lease.previous is None
    state = store.read_state(table, STACK)
    assert state is not None and state.lease_holder == FIRST
    assert state.lease_expires == T0 + timedelta(hours=6)


def test_second_execution_is_busy_naming_the_first(table: str) -> None:
    take(table, FIRST)
    busy = take(table, SECOND, T0 + timedelta(minutes=1))
    assert not busy.taken
    assert busy.holder == FIRST and busy.expires == T0 + timedelta(hours=6)
    assert store.read_state(table, STACK).lease_holder == FIRST  # type: ignore[union-attr]


def test_same_execution_takes_its_lease_again_on_retry(table: str) -> None:
    take(table, FIRST)
    again = take(table, FIRST, T0 + timedelta(seconds=30))
    assert again.taken and again.previous is not None and again.previous.lease_holder == FIRST


def test_expired_lease_is_taken_over(table: str) -> None:
    take(table, FIRST, hours=1)
    later = take(table, SECOND, T0 + timedelta(hours=1, seconds=1))
    assert later.taken and later.holder == SECOND
    assert later.previous is not None and later.previous.lease_holder == FIRST


def test_release_only_by_the_holder(table: str) -> None:
    take(table, FIRST)
    assert store.release_lease(table, STACK, SECOND) is False
    assert store.release_lease(table, STACK, FIRST) is True
    assert take(table, SECOND, T0 + timedelta(minutes=1)).taken


def test_saved_state_round_trips_and_releases_the_lease(table: str) -> None:
    take(table, FIRST)
    pending = PendingChangeSet(
        change_set_id="arn:cs/drift-healer-1",
        change_set_name="drift-healer-1",
        fingerprint="f" * 64,
        created=T0,
    )
    state = DriftState(
        stack_id=STACK,
        last_outcome="REVIEW_REQUIRED",
        last_checked=T0,
        fingerprint="f" * 64,
        drifted_count=2,
        first_seen_drifted=T0 - timedelta(days=3),
        last_notified=T0,
        notified_why="new",
        notified_outcome="REVIEW_REQUIRED",
        notified_fingerprint="f" * 64,
        notified_digests={"Param": "0123456789abcdef", "Queue": "fedcba9876543210"},
        pending=pending,
        lease_holder=FIRST,
        lease_expires=T0 + timedelta(hours=6),
    )
    store.save_state(table, state, FIRST, now=T0, ttl_days=90)
    read = store.read_state(table, STACK)
    assert read == state.model_copy(update={"lease_holder": None, "lease_expires": None})
    assert drift_age_text(read.first_seen_drifted, T0) == "drifted for 3 days"  # type: ignore[union-attr, arg-type]
    # released: another execution can start right away, and sees the saved state
    nxt = take(table, SECOND, T0 + timedelta(minutes=1))
    assert nxt.taken and nxt.previous is not None and nxt.previous.pending == pending


def test_state_is_not_written_over_a_lease_another_execution_took(table: str) -> None:
    take(table, FIRST, hours=1)
    take(table, SECOND, T0 + timedelta(hours=2))  # ours expired, taken over
    with pytest.raises(store.LeaseLostError):
        store.save_state(
            table, DriftState(stack_id=STACK, last_outcome="HEALED"), FIRST, now=T0, ttl_days=90
        )
    assert store.read_state(table, STACK).lease_holder == SECOND  # type: ignore[union-attr]


def test_history_items_expire_after_the_ttl_and_sort_by_start(table: str, aws: AwsSandbox) -> None:
    runs = [
        state_items.RunHistory(
            stack_id=STACK,
            started=T0 + timedelta(hours=h),
            finished=T0 + timedelta(hours=h, minutes=2),
            execution_arn=arn,
            outcome="REVIEW_REQUIRED",
            reason="review mode",
            fingerprint="f" * 64,
            drifted_count=1,
            change_set_name="drift-healer-1",
            notified=True,
            notice_why="new",
        )
        for h, arn in ((0, FIRST), (1, SECOND))
    ]
    keys = [store.put_history(table, run, ttl_days=30) for run in runs]
    assert keys[0] < keys[1] and keys[0].startswith("RUN#2026-11-20T08:00:00.000Z#")
    client = aws.client("dynamodb")
    items = client.query(
        TableName=table,
        KeyConditionExpression="StackId = :s AND begins_with(RecordKey, :run)",
        ExpressionAttributeValues={":s": {"S": STACK}, ":run": {"S": "RUN#"}},
    )["Items"]
    assert [i["RecordKey"]["S"] for i in items] == keys
    first = items[0]
    assert first["Outcome"]["S"] == "REVIEW_REQUIRED" and first["ExecutionArn"]["S"] == FIRST
    assert first["DriftedCount"]["N"] == "1" and first["NoticeWhy"]["S"] == "new"
    expires = datetime.fromtimestamp(int(first["ExpiresAt"]["N"]), UTC)
    assert expires == T0 + timedelta(minutes=2) + timedelta(days=30)
    ttl = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": contract.TTL_ATTRIBUTE}
    # a retried put of the same run overwrites instead of adding
    store.put_history(table, runs[0], ttl_days=30)
    assert (
        client.query(
            TableName=table,
            KeyConditionExpression="StackId = :s",
            ExpressionAttributeValues={":s": {"S": STACK}},
        )["Count"]
        == 2
    )


def test_a_re_created_stack_with_the_same_name_starts_fresh(table: str) -> None:
    take(table, FIRST)
    store.save_state(
        table, DriftState(stack_id=STACK, fingerprint="f" * 64), FIRST, now=T0, ttl_days=90
    )
    recreated = STACK.replace("/1", "/2")
    assert store.read_state(table, recreated) is None


@pytest.mark.parametrize(
    "code",
    ["ProvisionedThroughputExceededException", "AccessDeniedException", "InternalServerError"],
)
def test_table_faults_surface_as_aws_errors(table: str, aws: AwsSandbox, code: str) -> None:
    aws.dynamodb_faults.fail(code)
    with pytest.raises(ClientError) as raised:
        take(table, FIRST)
    assert raised.value.response["Error"]["Code"] == code
    assert aws.dynamodb_faults.counts()[f"UpdateItem:{code}"] == 1


def test_sandbox_table_is_made_as_the_template_says(table: str, aws: AwsSandbox) -> None:
    client = aws.client("dynamodb")
    described = client.describe_table(TableName=table)["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in described["KeySchema"]} == {
        contract.PARTITION_KEY: "HASH",
        contract.SORT_KEY: "RANGE",
    }
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    backups = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_a_pending_approval_round_trips_through_the_table(table: str) -> None:
    take(table, FIRST)
    pending = PendingChangeSet(
        change_set_id="cs",
        change_set_name="drift-healer-1",
        fingerprint="fp",
        created=T0,
        callback_id="cb-1",
        asked="arn:aws:sns:us-east-1:123456789012:notices",
        approval_expires=T0 + timedelta(hours=72),
    )
    store.save_state(table, DriftState(stack_id=STACK, pending=pending), FIRST, now=T0, ttl_days=90)
    state = store.read_state(table, STACK)
    assert state is not None and state.pending == pending
