"""The bundle's compaction drops only comments, blank lines and indentation in code."""

import shutil
import subprocess

import pytest

from app.export.bundle import LIVE_ONLY, bundle
from app.export.compact import compact, compact_css


def test_comment_lines_blank_lines_and_indentation_in_code_go():
    source = "function f() {\n  // why\n\n    return 1;   // a comment after code\n}\n"
    assert compact(source) == "function f() {\nreturn 1;\n}\n"


def test_a_double_slash_in_a_string_a_template_or_a_regex_is_no_comment():
    source = 'const u = "http://x"; // gone\nconst r = /a\\/\\//g; // gone\nconst t = `${u}//${r}`;\n'
    assert compact(source) == 'const u = "http://x";\nconst r = /a\\/\\//g;\nconst t = `${u}//${r}`;\n'


def test_a_template_literal_keeps_its_lines_as_written():
    source = "const t = `a\n  // not a comment\n  ${x + `\n    inner`}\n  end`;\n  // gone\n"
    assert compact(source) == "const t = `a\n  // not a comment\n  ${x + `\n    inner`}\n  end`;\n"


def test_a_regular_expression_with_quotes_or_slashes_does_not_open_a_string():
    source = 'const m = /"([^"]+)"\\/[/]/.exec(s);\n  // gone\nconst d = a / b / c;\n  // gone too\n'
    assert compact(source) == 'const m = /"([^"]+)"\\/[/]/.exec(s);\nconst d = a / b / c;\n'


def test_a_block_comments_inner_lines_are_left_alone():
    source = "/* one\n   two */\n  x();\n"
    assert compact(source) == "/* one\n   two */\nx();\n"


def test_the_pages_bundle_compacted_still_parses_and_is_smaller(tmp_path, settings):
    node = shutil.which("node")
    if node is None:
        pytest.fail("the JavaScript checks need Node.js 18 or later (make js says how to install it)")
    for leave_out in (frozenset(), LIVE_ONLY):  # the app's, and a recording's
        original = bundle(settings.static_dir / "js", leave_out=leave_out)
        compacted = compact(original)
        assert len(compacted) < 0.85 * len(original)
        script = tmp_path / "bundle.js"
        script.write_text(compacted, encoding="utf-8")
        checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_a_recordings_bundle_leaves_out_what_only_asks_the_server(settings):
    live, recording = (bundle(settings.static_dir / "js", leave_out=out) for out in (frozenset(), LIVE_ONLY))
    for name in (
        "class InsideLayer {",
        "class TrainPanel {",
        "class Walk {",
        "function connectSharing",
        "function connectExport",
        "function connectGlossary",
    ):
        assert name in live and name not in recording
    assert "function drawActivation" not in recording  # (imported only by inside-layer.js)


def test_a_style_sheet_loses_comments_and_indentation_but_not_a_quoted_slash_star():
    source = '/* the belt */\n.a {\n  color: red;  /* why */\n}\n\n.b::after { content: "/* kept */"; }\n'
    assert compact_css(source) == '.a {\ncolor: red;\n}\n.b::after { content: "/* kept */"; }\n'
