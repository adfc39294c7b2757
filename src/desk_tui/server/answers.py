"""A route's answer serialised once, in the route's own thread.

A plain ``def`` route that returns a wire model is answered by FastAPI in two more steps: the model
is validated again against the route's response model in another trip through the thread pool
(two thread switches and a wait for the interpreter lock on a busy worker), then dumped to JSON.
The desk's hot routes return :func:`json_answer` instead: the same bytes pydantic would write,
made where the model was built. The route keeps its ``response_model`` (the OpenAPI document
and the client read it), and the model was validated when it was built.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_answer(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(by_alias=True), status_code=status_code, media_type="application/json")
