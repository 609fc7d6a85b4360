import json

import pytest

from app.cli import main
from app.models.format import save_model
from tests.helpers import CELL_NAMES, bundled_names, tiny_model


def test_trace_prints_one_row_per_token(capsys):
    assert main(["trace", "lstm-demo", "I grew"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "untrained" in out[0]
    rows = out[2:]
    assert len(rows) == 6 and rows[0].split()[:2] == ["0", "'I'"]


def test_trace_json_is_the_api_shape(capsys):
    assert main(["trace", "lstm-demo", "ab", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["meta"]["model"] == "lstm-demo"
    assert [s["token"] for s in body["steps"]] == ["a", "b"]


def test_trace_reads_a_model_file_by_path(tmp_path, capsys):
    save_model(tiny_model(), tmp_path / "mine.npz")
    assert main(["trace", str(tmp_path / "mine.npz"), "abc", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["hidden_size"] == 5


def test_an_unknown_model_is_one_clear_line_and_exit_code_2(capsys):
    assert main(["trace", "nope", "abc"]) == 2
    assert (
        capsys.readouterr().err.strip() == f"gatescope: unknown model 'nope'; available: {', '.join(bundled_names())}"
    )


def test_a_broken_model_file_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "bad.npz").write_bytes(b"junk")
    assert main(["trace", str(tmp_path / "bad.npz"), "abc"]) == 2
    assert "not a readable .npz" in capsys.readouterr().err


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_trace_prints_every_cell_as_a_table_and_as_json(tmp_path, capsys, cell):
    save_model(tiny_model(cell=cell, layers=2), tmp_path / "m.npz")
    assert main(["trace", str(tmp_path / "m.npz"), "abc"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = out[1].split()
    assert header[:2] == ["t", "token"] and "h" in header
    assert len(out) == 5 and out[2].split()[:2] == ["0", "'a'"]
    assert main(["trace", str(tmp_path / "m.npz"), "abc", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["meta"]["cell"] == cell and len(body["steps"]) == 3
