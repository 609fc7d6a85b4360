import json
import re

import pytest

from app.cli import main
from app.export.bundle import BundleError, bundle
from app.export.page import DEFAULT_PANELS, render_lesson
from app.models.registry import ModelRegistry
from app.notebook import show
from app.settings import Settings
from app.tracing.start import start_trace


def lesson_page(text: str, panels=DEFAULT_PANELS, model: str = "lstm-demo") -> str:
    settings = Settings()
    return render_lesson(start_trace(ModelRegistry(), settings, model, text), text, settings, panels)


def recording_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="gatescope-recording">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_a_lesson_holds_the_frames_the_stream_would_send():
    page = lesson_page("the sky")
    recording = recording_of(page)
    frames = recording["frames"]
    assert [f["type"] for f in frames] == ["meta"] + ["step"] * 7 + ["done"]
    assert "".join(f["token"] for f in frames[1:-1]) == "the sky"
    assert recording["query"] == "panels=walkthrough%2Cchain%2Cpredictions%2Cunit-text"
    assert "* plotly.js v" not in page  # no chart panel, so no chart library
    assert len(page.encode()) < 300_000


def test_plotly_is_inlined_only_with_a_chart_panel():
    with_chart = lesson_page("ab", ("walkthrough", "heatmap"))
    without = lesson_page("ab", ("walkthrough",))
    assert "* plotly.js v" in with_chart and "* plotly.js v" not in without


def test_text_cannot_break_out_of_the_recording():
    page = lesson_page("</script><script>alert(1)</script><!--")
    assert "</script><script>alert(1)" not in page
    assert recording_of(page)["text"] == "</script><script>alert(1)</script><!--"


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


def test_export_command_names_unknown_views(tmp_path, capsys):
    assert main(["export", "lstm-demo", "Hi", "-o", str(tmp_path / "x.html"), "--views", "walkthrough,bogus"]) == 2
    assert "unknown view(s) bogus" in capsys.readouterr().err


def test_the_notebook_helper_embeds_the_lesson_in_an_iframe():
    view = show("lstm-demo", "ab")
    html = view._repr_html_()
    assert html.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in html
    assert "require" not in view.page.split("gatescope-recording")[0]  # no requirejs
