"""The selected-unit box: a number being typed stays while the page redraws for another
reason (here, the end of the trace arriving), and Enter then selects it."""

import json

from playwright.sync_api import expect


def test_a_unit_being_typed_survives_the_trace_arriving(page, server_url):
    sockets, held = [], []  # the page's trace socket; its "done" frames, kept back until a unit is half typed

    def relay(ws):
        server = ws.connect_to_server()
        sockets.append(ws)

        def from_server(message):
            if isinstance(message, str) and json.loads(message).get("type") == "done":
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)

    page.route_web_socket("**/ws/trace", relay)
    page.goto(f"{server_url}/?model=lstm-demo&text=I%20grew%20up&panels=walkthrough&stage=1")
    expect(page.get_by_test_id("token")).to_have_count(9)  # every step drawn, the end still held back
    box = page.get_by_test_id("unit-input")
    expect(box).to_have_value("0")
    box.fill("5")  # typed, not yet entered

    assert len(held) == 1
    sockets[0].send(held.pop())  # the trace's end: the page redraws
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    expect(box).to_have_value("5")  # what was typed is still there ...
    box.press("Enter")
    expect(page.get_by_test_id("stage-numbers")).to_have_attribute("data-unit", "5")  # ... and is taken

    box.fill("999")  # past the last unit: the box says which unit was taken
    box.press("Enter")
    expect(box).to_have_value("15")
    expect(page.get_by_test_id("stage-numbers")).to_have_attribute("data-unit", "15")
