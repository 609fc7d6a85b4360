"""The recurrent cells, pure NumPy: parameters and state in, every intermediate out."""

from app.cells.base import Cell, StepRecord
from app.cells.lstm import LSTM

CELLS: dict[str, Cell] = {cell.name: cell for cell in (LSTM,)}

__all__ = ["CELLS", "Cell", "StepRecord", "get_cell"]


def get_cell(name: str) -> Cell:
    try:
        return CELLS[name]
    except KeyError:
        raise KeyError(f"unknown cell type {name!r}; known: {', '.join(sorted(CELLS))}") from None
