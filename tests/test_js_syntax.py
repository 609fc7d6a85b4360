"""`make js-syntax` (part of `make lint`) parses every module of the page as an ES module:
here it is shown modules that parse and modules that do not, and must tell them apart."""

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

VALID = 'import { x } from "./other.js";\nexport const url = import.meta.url;\nexport default x;\n'
BROKEN = "export const = 1;\n"
SCRIPT_ONLY = "let await = 1;\nexport { await as value };\n"  # `await` is a reserved word in a module only


def js_syntax(folder: Path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None or shutil.which("make") is None:
        pytest.fail("the JavaScript checks need Node.js 18 or later and make (make js says how to install Node)")
    return subprocess.run(
        ["make", "-s", "js-syntax", f"JS_DIRS={folder}"], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_valid_modules_pass(tmp_path):
    (tmp_path / "good.js").write_text(VALID)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "also.mjs").write_text(VALID)
    checked = js_syntax(tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_broken_module_or_one_valid_only_as_a_script_fails_and_is_named(tmp_path):
    (tmp_path / "good.js").write_text(VALID)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "broken.js").write_text(VALID + BROKEN)
    (tmp_path / "script.mjs").write_text(SCRIPT_ONLY)
    checked = js_syntax(tmp_path)
    assert checked.returncode != 0
    assert f"{tmp_path}/nested/broken.js:4" in checked.stdout  # the file and the line
    assert f"{tmp_path}/script.mjs:1" in checked.stdout
    assert "good.js" not in checked.stdout
    assert checked.stdout.count("SyntaxError") == 2
