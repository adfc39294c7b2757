"""One vocabulary: every problem the server can answer with reaches the desk as a sentence."""

from __future__ import annotations

import json

import pytest

from desk_tui.client.errors import SENTENCES, from_problem
from desk_tui.contract.problems import BY_STATUS, STATUS_AND_TITLE, ProblemCode
from desk_tui.server.errors import DomainError, problem


def test_every_code_the_server_can_raise_has_a_client_sentence():
    assert set(ProblemCode) <= set(SENTENCES), sorted(set(ProblemCode) - set(SENTENCES))
    assert set(STATUS_AND_TITLE) == set(ProblemCode)
    assert {STATUS_AND_TITLE[code][0] for code in BY_STATUS.values()} <= set(BY_STATUS)


@pytest.mark.parametrize("code", list(ProblemCode))
def test_the_servers_answer_maps_back_to_its_code(code):
    """What the server writes for a code is what the client reads: the same code, status and
    extras, and a sentence of the client's own or the server's detail, never the generic one."""
    answer = problem(code, "What happened this time.", conflicts=[{"appointment_id": "a1"}])
    error = from_problem(answer.status_code, json.loads(answer.body))
    assert error.code == code
    assert error.status == STATUS_AND_TITLE[code][0] == DomainError(code, "").status
    assert error.extra == {"conflicts": [{"appointment_id": "a1"}]}
    assert error.sentence in (SENTENCES[code], "What happened this time.")


def test_a_code_the_contract_does_not_name_is_refused_when_raised():
    with pytest.raises(ValueError):
        DomainError("no_such_problem", "")  # type: ignore[arg-type]


def test_an_answer_without_a_code_is_named_by_its_status():
    error = from_problem(412, {"detail": "changed"})
    assert error.code == ProblemCode.VERSION_CONFLICT and error.detail == "changed"
    assert from_problem(502, "<html>bad gateway</html>").code == "server_error"
    assert from_problem(418, None).code == "http_418"
