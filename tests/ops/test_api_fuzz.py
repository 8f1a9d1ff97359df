"""Fuzz every /api/v1 operation from the app's own OpenAPI document (schemathesis, in-process WSGI):
no 500s, and every response matches the schema the document promises. Operations are read from the
document at run time, so endpoints are covered as domains add them."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance


@pytest.mark.slow
def test_api_never_fails_and_matches_its_document(app, factory):
    factory.departments()
    token = factory.token(factory.user(role="comms_officer"))
    ministry = factory.token(factory.user(role="ministry_admin"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/me" for op in operations)
    checked = []
    for operation in operations:
        for bearer in (token, ministry):
            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def fuzz(case):
                case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"},
                                       checks=[not_a_server_error, response_schema_conformance])

            fuzz()
        checked.append(f"{operation.method.upper()} {operation.path}")
    print("fuzzed:", ", ".join(checked))
