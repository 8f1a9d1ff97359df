"""Fuzz every /api/v1 operation from the app's own OpenAPI document (schemathesis, in-process WSGI):
no 500s, and every response matches the schema the document promises. Operations are read from the
document at run time, so endpoints are covered as domains add them.

Every run does a fixed-seed pass (derandomised: the same cases each time, valid and invalid bodies);
with CI=true a randomised pass with many more examples follows. Every input that ever made the API fail
is kept as an explicit case in tests/ops/test_inputs.py (REGRESSIONS), so it is replayed on every run.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RUNS = {"fixed-seed": {"max_examples": 15, "derandomize": True}}
if CI:
    RUNS["randomised"] = {"max_examples": int(os.environ.get("FUZZ_EXAMPLES", "150")), "derandomize": False}


@pytest.mark.slow
@pytest.mark.parametrize("run", sorted(RUNS))
def test_api_never_fails_and_matches_its_document(app, factory, run):
    factory.departments()
    token = factory.token(factory.user(role="comms_officer"))
    ministry = factory.token(factory.user(role="ministry_admin"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/me" for op in operations)
    checked = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for bearer in (token, ministry):
                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(**RUNS[run], deadline=None, suppress_health_check=list(HealthCheck), database=None)
                def fuzz(case):
                    checks = [not_a_server_error]
                    if mode is GenerationMode.POSITIVE:
                        checks.append(response_schema_conformance)
                    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"}, checks=checks)

                fuzz()
        checked.append(f"{operation.method.upper()} {operation.path}")
    print("fuzzed:", ", ".join(checked))
