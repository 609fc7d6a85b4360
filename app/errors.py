"""The one shape of every refusal: an exception with a `code` for programs, its message
for people and, when a limit was reached, the `limit` setting's name."""

from __future__ import annotations


def error_detail(error: Exception) -> dict:
    """{"code", "message", "limit"?} for an exception that has a `code` attribute."""
    detail = {"code": error.code, "message": str(error)}
    if getattr(error, "limit", None):
        detail["limit"] = error.limit
    return detail
