"""The bundle's compaction drops only comment lines, blank lines and indentation in code."""

import shutil
import subprocess

import pytest

from app.export.bundle import bundle
from app.export.compact import compact


def test_comment_lines_blank_lines_and_indentation_in_code_go():
    source = "function f() {\n  // why\n\n    return 1; // kept: not a whole line\n}\n"
    assert compact(source) == "function f() {\nreturn 1; // kept: not a whole line\n}\n"


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
    original = bundle(settings.static_dir / "js")
    compacted = compact(original)
    assert len(compacted) < 0.85 * len(original)
    script = tmp_path / "bundle.js"
    script.write_text(compacted, encoding="utf-8")
    checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
