"""The one shape of every refusal: an exception with a `code` for programs, its message
for people and, when a limit was reached, the `limit` setting's name; and the one table
from a refusal's code to its HTTP status, which every route answers with."""

from __future__ import annotations

from typing import Protocol


class Refusal(Protocol):
    """What every refusal carries: its `code`, a key of HTTP_STATUS (its message is str() of it)."""

    @property
    def code(self) -> str: ...


HTTP_STATUS = {
    "unknown_model": 404,  # no model of that name
    "bad_model": 422,  # its file cannot be used, or it computes numbers that are not finite
    "bad_text": 422,  # a refused character
    "bad_whatif": 422,  # an intervention on something the model lacks
    "bad_export": 422,  # an export asked for a panel or a view property there is not
    "bad_layer": 422,  # gradient flow of a layer the model lacks
    "unavailable": 422,  # gradient flow of a cell with no Jacobian
    "out_of_range": 422,  # inside a layer: a step, unit, layer or box there is not
    "too_long": 413,  # over a limit of tokens, or of gradient-flow work
    "busy": 503,  # every gradient-flow slot is taken, and as many requests wait
}


def error_detail(error: Refusal) -> dict[str, str]:
    """{"code", "message", "limit"?} for an exception that has a `code` attribute."""
    detail = {"code": error.code, "message": str(error)}
    limit = getattr(error, "limit", None)
    if limit:
        detail["limit"] = limit
    return detail
