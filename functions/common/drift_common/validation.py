"""Validation shared by every function: AWS name patterns, blank settings, and one way to say
what pydantic found wrong with a setting or an event."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

M = TypeVar("M", bound=BaseModel)

# CloudFormation's own patterns (botocore model, StackNameOrId): a name starts with a letter and
# has letters, digits and hyphens, at most 128 characters; or a stack ARN. Anchored: pydantic's
# `pattern` matches anywhere in the string otherwise.
STACK_NAME = r"^[a-zA-Z][-a-zA-Z0-9]{0,127}$"
STACK_ARN = (
    r"^arn:aws(-cn|-us-gov)?:cloudformation:[a-z0-9-]+:\d{12}:"
    r"stack/[a-zA-Z][-a-zA-Z0-9]{0,127}/[-a-zA-Z0-9]+$"
)
REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
ACCOUNT_ID = r"^\d{12}$"
SNS_TOPIC_ARN = r"^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$"
ROLE_ARN = r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$"


class ConfigurationError(RuntimeError):
    """A function is mis-configured; raised before any AWS call is made. The message names
    every variable that is wrong."""


def blank_is_unset(value: object) -> object:
    """An environment variable set to blanks means "not set" (templates pass "" for none)."""
    return None if isinstance(value, str) and not value.strip() else value


# An optional setting whose blank value is unset.
OptionalSetting = Annotated[str | None, BeforeValidator(blank_is_unset)]


def _message(item: dict[str, object]) -> str:
    return str(item["msg"]).removeprefix("Value error, ")


def settings_problems(error: ValidationError) -> str:
    """`VARIABLE: what is wrong; ...` for settings read from the environment."""
    return "; ".join(
        (f"{'_'.join(str(p) for p in item['loc']).upper()}: " if item["loc"] else "")
        + _message(dict(item))
        for item in error.errors()
    )


def configuration_error(error: ValidationError) -> ConfigurationError:
    return ConfigurationError(f"invalid configuration: {settings_problems(error)}")


def event_problems(error: ValidationError, allowed: str) -> str:
    """`Field: what is wrong; ...` for an event, unknown fields (typos) named with the allowed
    ones."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "event"
        if item["type"] == "extra_forbidden":
            problems.append(f"unknown field {field!r} (allowed: {allowed})")
        else:
            problems.append(f"{field}: {item['msg']}")
    return "; ".join(problems)


def aliases(model: type[BaseModel]) -> str:
    """The fields of an event model as the event spells them."""
    return ", ".join(str(f.alias) for f in model.model_fields.values() if f.alias)


def parse_event(
    model: type[M], value: Any, *, error: type[ValueError], what: str, invalid: str
) -> M:
    """`value` validated as `model`, or `error` naming every problem: `what` names the object
    ("the event"), `invalid` heads the list of problems ("invalid event")."""
    if not isinstance(value, dict):
        raise error(f"{what} must be a JSON object, got {type(value).__name__}")
    try:
        return model.model_validate(value)
    except ValidationError as problem:
        raise error(f"{invalid}: " + event_problems(problem, aliases(model))) from None
