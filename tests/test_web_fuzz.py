"""Fuzzing the public API from its own OpenAPI description (schemathesis): never a 5xx."""

from __future__ import annotations

import contextlib
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from heatplan.web.app import create_app
from web_demo import TestClient, web_demo

pytestmark = pytest.mark.slow
#: Examples per operation: enough to hit odd bboxes, zooms and texts, bounded in time.
EXAMPLES = 25


@pytest.fixture(scope="module")
def public_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    base = tmp_path_factory.mktemp("web-fuzz") / "project"
    shutil.copytree(web_demo(tmp_path_factory), base)
    app = create_app(base)
    # the first request builds the public release (layers and audit, seconds on a busy
    # machine); build it here so no fuzzed request runs into the client's read timeout
    with TestClient(app) as client:
        assert client.get("/api/meta").status_code == 200
    return schemathesis.openapi.from_asgi("/openapi.json", app).include(tag="public")


def test_public_api_never_answers_5xx(public_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in public_schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/layers/{layer}",
        "/api/search",
        "/api/factsheet",
    }
    assert not any(op.path.startswith(("/api/workspace", "/api/auth")) for op in operations)
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query}: "
                                f"{response.status_code} {response.text[:200]}")  # fmt: skip
            assert response.status_code < 500

        with contextlib.suppress(AssertionError):  # collected in `failures`, reported below
            check()
    assert not failures, failures
    assert len(statuses) > 3 * len(operations)  # the fuzzer really called every route
    assert {200, 404} <= set(statuses)
