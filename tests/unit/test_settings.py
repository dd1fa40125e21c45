import pytest

from healer.settings import ConfigurationError, load_settings

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
