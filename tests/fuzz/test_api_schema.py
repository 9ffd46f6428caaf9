"""Schemathesis over the whole OpenAPI schema, in process, as a user and as an admin, with every
default check. Rules no schema can state are listed, with their reasons, in schemathesis.toml."""

from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck

from app.auth.models import Role
from tests.fuzz.conftest import FUZZ_COVERAGE, FUZZ_EXAMPLES, FUZZ_SEED, FuzzTarget, fuzz_app

APP = fuzz_app()
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP
schema.config.phases.coverage.enabled = FUZZ_COVERAGE

# An operation of the OpenAPI schema, as schemathesis generates it.
Case = schemathesis.Case[Any]

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


def call(case: Case, target: FuzzTarget, role: Role) -> None:
    headers = target.headers(role)
    response = case.call(headers=headers)
    target.after_call(case.method, case.formatted_path, response.status_code)
    case.validate_response(response, headers=headers)


@schema.parametrize()
@hypothesis.seed(FUZZ_SEED)
@FUZZ_SETTINGS
def test_every_operation_as_a_user(case: Case, fuzz_target: FuzzTarget) -> None:
    call(case, fuzz_target, Role.USER)


@schema.parametrize()
@hypothesis.seed(FUZZ_SEED)
@FUZZ_SETTINGS
def test_every_operation_as_an_admin(case: Case, fuzz_target: FuzzTarget) -> None:
    call(case, fuzz_target, Role.ADMIN)


class Workflows(schema.as_state_machine()):  # type: ignore[misc]
    """The stateful phase: sequences of calls following the schema's links (a created room's id
    into its messages, members, exports ...), checked after every step."""

    target: FuzzTarget
    role: Role

    def setup(self) -> None:
        self.target.reset_data()

    def get_call_kwargs(self, case: Case) -> dict[str, object]:
        return {"headers": self.target.headers(self.role)}

    def after_call(self, response: object, case: Case) -> None:
        self.target.after_call(case.method, case.formatted_path, response.status_code)  # type: ignore[attr-defined]


def test_stateful_workflows(fuzz_target: FuzzTarget) -> None:
    Workflows.target = fuzz_target
    for role in (Role.USER, Role.ADMIN):
        Workflows.role = role
        # Derandomized: a state machine takes no seed. Each scenario starts from the same data
        # (setup), else Hypothesis, replaying a scenario against data that has moved on, sees
        # different draws and stops with FlakyStrategyDefinition.
        Workflows.run(
            settings=hypothesis.settings(
                FUZZ_SETTINGS,
                stateful_step_count=6,
                derandomize=True,
            )
        )
