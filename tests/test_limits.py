"""Limits on request bodies, open sessions and new sessions per address."""

import contextlib
import time

import pytest

from app.limits import NewSessionRate, SessionLimitError, SessionSlots, address_key
from app.settings import Settings


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


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_address_opens_its_burst_at_once_then_new_sessions_at_the_rate():
    clock = Clock()
    slots = SessionSlots(max_total=100, max_per_client=100, rate=NewSessionRate(2.0, burst=3, clock=clock))
    for _ in range(3):
        with slots.hold("a"):
            pass
    error = refusal(slots, "a")
    assert error.limit == "new_sessions_per_client_per_second"
    assert "GATESCOPE_NEW_SESSIONS_PER_CLIENT_PER_SECOND" in str(error)
    with slots.hold("b"):  # another address has its own bucket
        pass
    clock.now = 0.5  # half a second at 2 a second: one more
    with slots.hold("a"):
        pass
    assert refusal(slots, "a").limit == "new_sessions_per_client_per_second"


def test_a_refused_session_spends_nothing():
    clock = Clock()
    slots = SessionSlots(max_total=100, max_per_client=1, rate=NewSessionRate(1.0, burst=2, clock=clock))
    with slots.hold("a"):
        for _ in range(5):
            assert refusal(slots, "a").limit == "max_sessions_per_client"
    with slots.hold("a"):  # the second of its burst of two: the refusals took none
        pass


def test_the_rate_table_is_bounded_and_forgets_full_buckets_first():
    clock = Clock()
    rate = NewSessionRate(1.0, burst=2, max_addresses=3, clock=clock)
    for address in "abc":
        assert rate.take(address)
    clock.now = 10  # every bucket refilled: they say nothing and go
    assert rate.take("d") and set(rate._buckets) == {"d"}
    for address in "efg":  # three busy addresses past the bound: the table starts over
        assert rate.take(address)
    assert len(rate._buckets) <= 3


def test_an_ipv6_host_is_counted_by_its_slash_64_and_a_mapped_ipv4_as_ipv4():
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:10.1.2.3") == "10.1.2.3" == address_key("10.1.2.3")
    slots = SessionSlots(max_total=10, max_per_client=1)
    with slots.hold("2001:db8:1:2::1"):
        assert refusal(slots, "2001:db8:1:2::2").limit == "max_sessions_per_client"


def test_by_default_a_class_of_500_behind_one_address_opens_the_page_at_once_with_compare():
    """Each student's page holds one stream, two with the Compare panel open."""
    settings = Settings()
    rate = NewSessionRate(settings.new_sessions_per_client_per_second, settings.new_sessions_burst_per_client)
    slots = SessionSlots(settings.max_sessions, settings.max_sessions_per_client, rate)
    with contextlib.ExitStack() as open_pages:
        for _ in range(500):  # all in the same instant
            open_pages.enter_context(slots.hold("192.0.2.1"))
        rate.clock = lambda: time.monotonic() + 25  # Compare opened over the next 25 s
        for _ in range(500):
            open_pages.enter_context(slots.hold("192.0.2.1"))
        assert slots.open_for("192.0.2.1") == 1000
        assert refusal(slots, "192.0.2.1").limit == "max_sessions_per_client"  # one abuser's bound
        with slots.hold("198.51.100.7"):  # and everyone else is still served
            pass
