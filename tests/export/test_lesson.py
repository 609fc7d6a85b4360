import base64
import json
import re
from urllib.parse import parse_qs

import pytest

from app.cli import main
from app.export.bundle import BundleError, bundle
from app.export.page import lesson_page
from app.export.view import ExportError, export_view
from app.lessons import LESSONS
from app.models.format import save_model
from app.models.registry import ModelRegistry
from app.settings import Settings
from app.tracing import wire
from app.tracing.start import start_trace, traced_frames
from app.tracing.whatif import InterventionError
from tests.helpers import tiny_model

REGISTRY = ModelRegistry()
PLOTLY_MARK = "* plotly.js v"


def recording_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="gatescope-recording">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def exported(settings=None, registry=REGISTRY, **given) -> str:
    settings = settings or Settings()
    return lesson_page(registry, settings, export_view(given, registry)).html(settings)


def steps_of(trace: dict) -> list[dict]:
    """The step frames of a recorded trace, read back with the stream's reference decoder."""
    _, steps = wire.decode(base64.b64decode(trace["steps"]), trace["meta"])
    return steps


def test_a_recording_holds_the_trace_as_the_stream_sends_it():
    recording = recording_of(exported(model="lstm-demo", text="the sky"))
    (trace,) = recording["traces"]
    assert trace["start"] == {"model": "lstm-demo", "text": "the sky", "whatif": None}
    assert trace["meta"]["type"] == "meta" and trace["done"] == {"type": "done", "steps": 7, "total": 7}
    steps = steps_of(trace)
    assert "".join(step["token"] for step in steps) == "the sky"
    assert set(steps[0]["gates"]) == {"f", "i", "c_tilde", "o"} and len(steps[0]["c"]) == 16
    assert recording["query"] == "model=lstm-demo&text=the+sky&panels=walkthrough%2Cchain%2Cpredictions%2Cunit-text"
    assert [m["name"] for m in recording["models"]] == ["lstm-demo"]


def test_the_recorded_numbers_are_the_cells_within_the_wire_bound():
    settings = Settings(decimals=8)
    recording = recording_of(exported(settings, model="lstm-demo", text="ab"))
    started = start_trace(REGISTRY, settings, "lstm-demo", "ab")
    reference = traced_frames(started.session, started.tokens, settings)
    for step, expected in zip(steps_of(recording["traces"][0]), reference, strict=True):
        for name, values in expected["gates"].items():
            assert max(abs(a - b) for a, b in zip(step["gates"][name], values)) <= wire.ERROR_BOUND + 1e-8


def test_a_walkthrough_only_export_is_250_kb_or_less():
    page = exported(model="lstm-demo", text="I grew up in France", panels="walkthrough")
    assert len(page.encode()) <= 250_000
    assert PLOTLY_MARK not in page


def test_plotly_is_inlined_only_for_the_charts_asked_for():
    with_chart = exported(model="lstm-demo", text="ab", panels="walkthrough,heatmap")
    without = exported(model="lstm-demo", text="ab", panels="walkthrough,chain,predictions,unit-text")
    assert PLOTLY_MARK in with_chart and PLOTLY_MARK not in without
    assert "inspector" in recording_of(with_chart)["offers"]  # plotly is there: every chart can be shown
    assert recording_of(without)["offers"] == ["walkthrough", "chain", "predictions", "unit-text"]


def test_compare_brings_plotly_only_for_a_lag_curve():
    # gru-demo and gru-article-demo have no lag metrics: Compare is diagrams and guesses only
    gru = recording_of(exported(lesson="gru"))
    assert gru["plotly"] is False and "compare" in gru["offers"] and "heatmap" not in gru["offers"]
    french = recording_of(exported(lesson="french", panels="compare"))
    assert french["plotly"] is True  # the long-lag models' accuracy against the gap


def test_a_lesson_is_its_view_under_the_properties_given():
    recording = recording_of(exported(lesson="french", t=3, lang="zh", theme="dark", focus="active"))
    query = {name: values[0] for name, values in parse_qs(recording["query"]).items()}
    assert query["focus"] == "active"
    assert query["model"] == "long-lag-lstm" and query["compare"] == "long-lag-rnn"
    assert query["panels"] == "predictions,compare,gradients"
    assert query["t"] == "3" and query["lang"] == "zh" and query["theme"] == "dark"
    assert "lesson" not in query  # its properties are in the file: the page has no lessons to look up
    assert [trace["start"]["model"] for trace in recording["traces"]] == ["long-lag-lstm", "long-lag-rnn"]
    assert {m["name"] for m in recording["models"]} == {"long-lag-lstm", "long-lag-rnn"}
    assert recording["offers"][-2:] == ["compare", "gradients"]


def test_the_gradient_answers_are_those_of_the_route_for_each_request_the_panel_makes(client):
    recording = recording_of(exported(lesson="french", panels="compare,gradients"))
    text = recording["text"]
    requests = [answer["request"] for answer in recording["answers"]]
    assert requests == [{"model": "long-lag-lstm", "text": text, "layer": 0}, {"model": "long-lag-rnn", "text": text}]
    for answer in recording["answers"]:
        live = client.post("/api/gradients", json=answer["request"])
        assert answer["status"] == live.status_code == 200
        assert answer["body"]["input_norms"] == pytest.approx(live.json()["input_norms"], rel=1e-6)


def test_a_refused_gradient_request_is_recorded_as_its_refusal():
    recording = recording_of(exported(Settings(max_gradient_work=1), model="lstm-demo", text="abc", panels="gradients"))
    (answer,) = recording["answers"]
    assert answer["status"] == 413 and answer["body"]["detail"]["code"] == "too_long"


def test_the_interventions_are_recorded_with_the_trace_they_change():
    whatif = {"clamps": [{"vector": "f", "value": 0, "unit": 3, "start": 1}]}
    plain = recording_of(exported(model="lstm-demo", text="abcd", panels="walkthrough"))
    held = recording_of(exported(model="lstm-demo", text="abcd", panels="walkthrough,whatif", whatif=whatif))
    start = held["traces"][0]["start"]
    assert start["whatif"]["clamps"][0] == {"vector": "f", "value": 0.0, "unit": 3, "start": 1, "layer": None}
    assert held["traces"][0]["meta"]["whatif"] == start["whatif"]
    plain_steps, held_steps = (steps_of(r["traces"][0]) for r in (plain, held))
    assert held_steps[0] == plain_steps[0]  # before the clamp starts
    assert held_steps[2]["gates"]["f"][3] == 0 != plain_steps[2]["gates"]["f"][3]
    # the page reads them from its address, and sends them back on its start
    assert json.loads(parse_qs(held["query"])["whatif"][0]) == start["whatif"]
    assert "whatif" in held["offers"]


def test_text_cannot_break_out_of_the_recording():
    page = exported(model="lstm-demo", text="</script><script>alert(1)</script><!--")
    assert "</script><script>alert(1)" not in page
    assert recording_of(page)["text"] == "</script><script>alert(1)</script><!--"


def test_line_ends_are_recorded_as_the_pages_text_box_holds_them():
    assert recording_of(exported(model="lstm-demo", text="a\r\nb\rc"))["text"] == "a\nb\nc"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"lesson": "nope"}, "there is no lesson 'nope'"),
        ({"text": "ab", "panels": "walkthrough,bogus"}, "unknown panel(s) bogus"),
        ({"text": "ab", "panels": "compare"}, "needs a model to compare with"),
        ({"text": "ab", "lang": "fr"}, "lang is one of en, zh"),
        ({"text": "ab", "focus": "loudest"}, "focus is one of all, around, labelled, active, changed"),
        ({"text": "ab", "t": "-1"}, "t is from 0"),
        ({"text": "ab", "unit": "x"}, "unit is a whole number"),
        ({"model": "lstm-demo"}, "nothing to read"),
        ({"text": "ab", "colour": "red"}, "unknown property colour"),
    ],
)
def test_export_refusals_name_what_is_wrong(given, message):
    with pytest.raises(ExportError, match=re.escape(message)):
        export_view(given, REGISTRY)


def test_malformed_interventions_are_refused_as_the_stream_refuses_them():
    with pytest.raises(InterventionError, match="whatif"):
        export_view({"text": "ab", "whatif": '{"clamps": [{"vector": "f"}]}'}, REGISTRY)


def test_every_lesson_exports():
    for lesson in LESSONS:
        recording = recording_of(exported(lesson=lesson.id))
        assert set(lesson.panels) <= set(recording["offers"]), lesson.id
        assert recording["traces"][0]["start"]["model"] == lesson.model


def test_the_bundle_refuses_module_forms_it_does_not_know(tmp_path):
    (tmp_path / "main.js").write_text('import x from "./other.js";\n')
    with pytest.raises(BundleError, match="cannot bundle"):
        bundle(tmp_path)


def test_the_bundle_finds_import_cycles(tmp_path):
    (tmp_path / "main.js").write_text('import { a } from "./b.js";\nexport const m = 1;\n')
    (tmp_path / "b.js").write_text('import { m } from "./main.js";\nexport const a = 2;\n')
    with pytest.raises(BundleError, match="import cycle"):
        bundle(tmp_path)


def test_the_bundle_keeps_every_module_once_in_dependency_order(tmp_path):
    (tmp_path / "main.js").write_text(
        'import { a } from "./a.js";\nimport { b as bee } from "./b.js";\nconsole.log(a, bee);\n'
    )
    (tmp_path / "a.js").write_text('import { b } from "./b.js";\nexport const a = b + 1;\n')
    (tmp_path / "b.js").write_text("export function b() {}\n")
    code = bundle(tmp_path)
    assert code.index("const __b =") < code.index("const __a =") < code.index("const __main =")
    assert "const { b: bee } = __b;" in code and code.count("const __b =") == 1


def test_export_command_writes_a_page(tmp_path, capsys):
    assert main(["export", "lstm-demo", "Hi", "-o", str(tmp_path / "lesson.html")]) == 0
    assert "no server needed" in capsys.readouterr().out
    assert recording_of((tmp_path / "lesson.html").read_text())["text"] == "Hi"


def test_export_command_takes_a_lesson_and_the_view_around_it(tmp_path, capsys):
    out = tmp_path / "french.html"
    assert main(["export", "--lesson", "french", "-o", str(out), "--t", "4", "--lang", "zh", "--theme", "dark"]) == 0
    assert "compare, gradients" in capsys.readouterr().out
    recording = recording_of(out.read_text())
    assert "t=4" in recording["query"] and "lang=zh" in recording["query"] and "theme=dark" in recording["query"]
    assert len(recording["traces"]) == 2


def test_export_command_takes_a_model_file_by_path(tmp_path):
    save_model(tiny_model(name="mine"), tmp_path / "mine.npz")
    out = tmp_path / "mine.html"
    assert main(["export", str(tmp_path / "mine.npz"), "ab", "-o", str(out), "--panels", "walkthrough"]) == 0
    assert recording_of(out.read_text())["traces"][0]["meta"]["model"] == "mine"


def test_export_command_names_unknown_panels(tmp_path, capsys):
    assert main(["export", "lstm-demo", "Hi", "-o", str(tmp_path / "x.html"), "--views", "walkthrough,bogus"]) == 2
    assert "unknown panel(s) bogus" in capsys.readouterr().err
