"""CloudFormation errors raised by the emulator.

They subclass moto's ServiceException, so moto serialises them with the
CloudFormation (Query/XML) error shape from the botocore model; the HTTP status
comes from the model's error shape (e.g. ChangeSetNotFoundError is 404).
NOTE: this module's name must not start with ``moto`` (moto derives the service
from the exception's module name).
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class ValidationError(ServiceException):
    code = "ValidationError"


class StackNotFoundError(ValidationError):
    def __init__(self, name_or_id: str) -> None:
        # Text as CloudFormation returns it (research.md: "Stack with id X does not exist").
        super().__init__(f"Stack with id {name_or_id} does not exist")


class ChangeSetNotFoundError(ServiceException):
    # Model: ChangeSetNotFoundException, code ChangeSetNotFoundError, HTTP 404.
    code = "ChangeSetNotFound"

    def __init__(self, name_or_id: str) -> None:
        super().__init__(f"ChangeSet [{name_or_id}] does not exist")


class InvalidChangeSetStatusError(ServiceException):
    # Model: InvalidChangeSetStatusException, code InvalidChangeSetStatusError, HTTP 400.
    code = "InvalidChangeSetStatus"


class InsufficientCapabilitiesError(ServiceException):
    # Model: InsufficientCapabilitiesException, HTTP 400.
    code = "InsufficientCapabilitiesException"


class AlreadyExistsError(ServiceException):
    # Model: AlreadyExistsException, HTTP 400.
    code = "AlreadyExistsException"


class TokenAlreadyExistsError(ServiceException):
    # Model: TokenAlreadyExistsException ("A client request token already exists."), HTTP 400.
    code = "TokenAlreadyExistsException"
