"""Item 6: schemathesis over every operation of the committed schema, customer and reviewer side, against a live
uvicorn server: bounded examples per operation, positive and negative data, 0 server errors, 0 schema violations."""

import json
import urllib.request
from collections import Counter

import pytest
import schemathesis
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error

from tests.factories import api_client, customer_message, draft
from tests.support.processes import uvicorn_server

pytestmark = [pytest.mark.slow]
EXAMPLES = 25  # per operation and generation mode: bounded so `make test` stays quick
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _post(url, body=None, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def live(transactional_db, senior):
    from reviews.escalation import route_draft
    from rest_framework.authtoken.models import Token

    for category in ("general", "shipping", "refund"):  # some real tasks to claim, decide and list
        route_draft(customer_message(), draft(0.8, category))
    token = Token.objects.get_or_create(user=senior)[0].key
    # The cross-session limits stay on, with room for the fuzzer's requests (429s are documented and checked too).
    with uvicorn_server(RATELIMIT_SESSIONS_PER_IP="1000/minute", RATELIMIT_MESSAGES_PER_IP="1000/minute") as base:
        customer = _post(base + "/api/v1/sessions")
        yield base, token, customer


def test_every_operation_keeps_the_contract(live):
    base, staff_token, customer = live
    schema = schemathesis.openapi.from_path(str(django_settings.BASE_DIR / "openapi.yaml"))
    failures, statuses, sent, unsatisfiable = [], Counter(), Counter(), []

    for result in schema.get_all_operations():
        operation = result.ok()
        customer_side = any(p.name == "X-Session-Token" for p in operation.iter_parameters()) \
            if hasattr(operation, "iter_parameters") else "X-Session-Token" in json.dumps(operation.definition.raw)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            label = f"{operation.method.upper()} {operation.path} [{mode.value}]"

            @hsettings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                       suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                headers = {"Authorization": f"Token {staff_token}"}
                if customer_side:
                    # Mostly the real session, so the success paths are exercised, not only the 401/404s.
                    headers["X-Session-Token"] = customer["session"]
                    if "session_id" in (case.path_parameters or {}):
                        case.path_parameters["session_id"] = customer["session_id"]
                try:
                    response = case.call(base_url=base, headers=headers, timeout=20)
                except Exception as exc:  # a dropped connection is a server error too
                    failures.append((label, "no response", repr(exc)[:300]))
                    return
                sent[label] += 1
                statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
                    failures.append((label, response.status_code, str(exc)[:600]))

            try:
                run()
            except Unsatisfiable:  # e.g. no negative data exists for an operation without parameters or body
                unsatisfiable.append(label)

    summary = (f"schemathesis: {sum(sent.values())} requests over {len(sent)} operation/mode pairs; "
               f"statuses {dict(sorted(statuses.items()))}; {len(failures)} failures; "
               f"{statuses.get(500, 0)} server errors; no data for {unsatisfiable}")
    print(summary)
    first_of_each = {}
    for label, status, text in failures:  # one example per operation and status, so every kind of drift is named
        first_of_each.setdefault((label, status), text)
    assert sent and not failures, summary + "\n" + "\n".join(
        f"{label} {status}: {text}" for (label, status), text in list(first_of_each.items())[:30])
    assert statuses.get(500, 0) == 0
