import re

from healer.model.naming import change_set_name, change_set_url, client_token, region_of

ARN_A = "arn:aws:lambda:us-east-1:123456789012:function:drift-healer:live/durable-execution/run-a/1"
ARN_B = "arn:aws:lambda:us-east-1:123456789012:function:drift-healer:live/durable-execution/run-b/1"


def test_change_set_name_is_valid_stable_and_per_execution() -> None:
    name = change_set_name(ARN_A)
    assert re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name)
    assert name == change_set_name(ARN_A)
    assert name != change_set_name(ARN_B)


def test_client_tokens_are_valid_and_differ_by_purpose() -> None:
    create, execute = client_token(ARN_A, "create"), client_token(ARN_A, "execute")
    for token in (create, execute):
        assert re.fullmatch(r"[a-zA-Z0-9][-a-zA-Z0-9]{0,127}", token)
    assert create != execute
    assert create == client_token(ARN_A, "create")


def test_console_url_names_region_stack_and_change_set() -> None:
    stack = "arn:aws:cloudformation:eu-west-1:123456789012:stack/app/abc"
    cs = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/drift-healer-1/def"
    url = change_set_url(stack, cs)
    assert url.startswith(
        "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1"
    )
    assert "stackId=arn%3Aaws%3Acloudformation%3Aeu-west-1" in url
    assert "changeSetId=arn%3Aaws%3Acloudformation" in url
    assert region_of("my-stack") == ""
