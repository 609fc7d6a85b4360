"""Limits on request bodies and on open sessions."""

import pytest

from app.limits import SessionLimitError, SessionSlots


def refusal(slots: SessionSlots, client: str) -> SessionLimitError:
    with pytest.raises(SessionLimitError) as refused:
        with slots.hold(client):
            pass
    return refused.value


def test_a_slot_is_held_for_the_block_and_freed_after_it_even_on_error():
    slots = SessionSlots(max_total=5, max_per_client=5)
    with pytest.raises(RuntimeError):
        with slots.hold("10.0.0.1"):
            assert len(slots) == 1 and slots.open_for("10.0.0.1") == 1
            raise RuntimeError("the connection broke")
    assert len(slots) == 0 and slots.open_for("10.0.0.1") == 0


def test_one_client_cannot_take_more_than_its_share():
    slots = SessionSlots(max_total=10, max_per_client=2)
    with slots.hold("a"), slots.hold("a"):
        assert refusal(slots, "a").limit == "max_sessions_per_client"
        with slots.hold("b"):
            assert len(slots) == 3


def test_the_server_refuses_sessions_over_its_total():
    slots = SessionSlots(max_total=2, max_per_client=2)
    with slots.hold("a"), slots.hold("b"):
        error = refusal(slots, "c")
    assert (error.code, error.limit) == ("too_many_sessions", "max_sessions")
    assert len(slots) == 0
