import pytest

from healer.model.request import InvalidRequestError, parse_request, stack_label

STACK_ARN = "arn:aws:cloudformation:eu-west-1:123456789012:stack/my-stack/1b2c3d4e-aaaa-bbbb-cccc-0123456789ab"


def test_defaults_to_automatic_mode() -> None:
    request = parse_request({"StackName": "my-stack"})
    assert request.stack_name == "my-stack"
    assert request.create_change_set_only is False


def test_accepts_review_mode_and_stack_arn() -> None:
    request = parse_request({"StackName": STACK_ARN, "CreateChangeSetOnly": True})
    assert request.stack_name == STACK_ARN
    assert request.create_change_set_only is True


def test_typo_in_review_flag_is_rejected_not_healed() -> None:
    with pytest.raises(InvalidRequestError, match="unknown field 'CreateChangesetOnly'"):
        parse_request({"StackName": "my-stack", "CreateChangesetOnly": True})


@pytest.mark.parametrize("value", ["true", "false", 1, 0, None])
def test_review_flag_must_be_a_json_boolean(value: object) -> None:
    with pytest.raises(InvalidRequestError, match="CreateChangeSetOnly"):
        parse_request({"StackName": "my-stack", "CreateChangeSetOnly": value})


@pytest.mark.parametrize(
    "name", ["", "1stack", "my_stack", "my stack", "a" * 129, "arn:aws:s3:::bucket"]
)
def test_invalid_stack_names_are_named_in_the_error(name: str) -> None:
    with pytest.raises(InvalidRequestError, match="StackName"):
        parse_request({"StackName": name})


def test_missing_stack_name() -> None:
    with pytest.raises(InvalidRequestError, match="StackName: Field required"):
        parse_request({"CreateChangeSetOnly": True})


@pytest.mark.parametrize("event", [None, [], "my-stack", 3])
def test_event_must_be_an_object(event: object) -> None:
    with pytest.raises(InvalidRequestError, match="JSON object"):
        parse_request(event)


def test_stack_label_for_notices_about_bad_events() -> None:
    assert stack_label({"StackName": "x y"}) == "x y"
    assert stack_label({"StackName": 5}) == "(unknown)"
    assert stack_label("nonsense") == "(unknown)"


def test_wait_for_approval_defaults_to_false_and_is_a_json_boolean() -> None:
    assert parse_request({"StackName": "s"}).wait_for_approval is False
    assert parse_request({"StackName": "s", "WaitForApproval": True}).wait_for_approval is True
    with pytest.raises(InvalidRequestError, match="WaitForApproval"):
        parse_request({"StackName": "s", "WaitForApproval": "true"})
    with pytest.raises(InvalidRequestError, match=r"allowed: .*WaitForApproval"):
        parse_request({"StackName": "s", "WaitForAproval": True})
