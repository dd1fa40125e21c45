import pytest

from drift_common.validation import ConfigurationError
from healer.model import FINAL_STEPS_RESERVE_SECONDS
from healer.settings import load_settings

TOPIC = "arn:aws:sns:us-east-1:123456789012:drift-notices"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SNS_TOPIC_ARN", "AWS_LAMBDA_FUNCTION_NAME", "NOTIFY_ON_IN_SYNC"):
        monkeypatch.delenv(name, raising=False)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNS_TOPIC_ARN", TOPIC)
    settings = load_settings()
    assert settings.notify_on_in_sync is False
    assert settings.verify_after_heal is True
    assert settings.allow_replacement is False
    policy = settings.poll_policy("detection")
    assert policy.initial_seconds < policy.max_seconds < policy.budget_seconds


def test_topic_is_required_in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "drift-healer")
    with pytest.raises(ConfigurationError, match="SNS_TOPIC_ARN is required"):
        load_settings()


def test_topic_is_optional_outside_lambda() -> None:
    assert load_settings().sns_topic_arn is None


def test_malformed_topic_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNS_TOPIC_ARN", "drift-notices")
    with pytest.raises(ConfigurationError, match=r"SNS_TOPIC_ARN.*not an SNS topic ARN"):
        load_settings()


def test_bad_numbers_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DETECTION_TIMEOUT_SECONDS", "-5")
    with pytest.raises(ConfigurationError, match="DETECTION_TIMEOUT_SECONDS"):
        load_settings()


def test_initial_interval_above_cap_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXECUTION_POLL_INITIAL_SECONDS", "120")
    monkeypatch.setenv("EXECUTION_POLL_MAX_SECONDS", "60")
    with pytest.raises(ConfigurationError, match="EXECUTION_POLL_INITIAL_SECONDS"):
        load_settings()


def test_role_arn_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDFORMATION_ROLE_ARN", "arn:aws:iam::123456789012:role/cfn-heal")
    assert load_settings().cloudformation_role_arn == "arn:aws:iam::123456789012:role/cfn-heal"
    monkeypatch.setenv("CLOUDFORMATION_ROLE_ARN", "cfn-heal")
    with pytest.raises(ConfigurationError, match="CLOUDFORMATION_ROLE_ARN"):
        load_settings()


def test_safety_policy_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNS_TOPIC_ARN", TOPIC)
    policy = load_settings().safety_policy()
    assert policy.recreate_deleted is False
    assert policy.max_auto_changes == 10
    assert {"AWS::RDS::*", "AWS::DynamoDB::*", "AWS::EFS::*"} <= set(policy.exclude_types)
    assert policy.include_types == () and policy.ignore_drift == ()


def test_policy_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_HEAL_EXCLUDE_TYPES", " AWS::RDS::*, AWS::EFS::FileSystem ,")
    monkeypatch.setenv("AUTO_HEAL_INCLUDE_TYPES", "AWS::SSM::*")
    monkeypatch.setenv("IGNORE_DRIFT", "AWS::IAM::Role:/Tags*,LegacyQueue")
    monkeypatch.setenv("RECREATE_DELETED", "true")
    monkeypatch.setenv("MAX_AUTO_CHANGES", "0")
    policy = load_settings().safety_policy()
    assert policy.exclude_types == ("AWS::RDS::*", "AWS::EFS::FileSystem")
    assert policy.include_types == ("AWS::SSM::*",)
    assert policy.ignore_drift == ("AWS::IAM::Role:/Tags*", "LegacyQueue")
    assert policy.recreate_deleted is True and policy.max_auto_changes == 0


def test_an_empty_exclude_list_excludes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_HEAL_EXCLUDE_TYPES", "")
    assert load_settings().safety_policy().exclude_types == ()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AUTO_HEAL_EXCLUDE_TYPES", "AWS::RDS::*, rds instances"),
        ("AUTO_HEAL_INCLUDE_TYPES", "AWS::SSM::Parameter/x"),
        ("IGNORE_DRIFT", "AWS::IAM::Role"),  # a type without :/PropertyPath
        ("IGNORE_DRIFT", "Logical Id"),
        ("MAX_AUTO_CHANGES", "-1"),
        ("RECREATE_DELETED", "maybe"),
    ],
)
def test_bad_policy_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable):
        load_settings()


def test_the_lease_lasts_what_the_run_can_still_do_not_the_execution_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DURABLE_EXECUTION_TIMEOUT_SECONDS", str(78 * 3600))
    settings = load_settings()
    # detection 900 + change set 600 + execution 3600 + verification 900 + the final steps
    assert settings.lease_seconds == 6000 + FINAL_STEPS_RESERVE_SECONDS
    assert settings.execute_and_verify_seconds == 4500 + FINAL_STEPS_RESERVE_SECONDS
    monkeypatch.setenv("VERIFY_AFTER_HEAL", "false")
    assert load_settings().lease_seconds == 5100 + FINAL_STEPS_RESERVE_SECONDS
