"""The recurrent cells, pure NumPy: parameters and state in, every intermediate out.

One module per cell the article walks through, each opening with its equations and
declaring everything about the cell (app/cells/base.py): its step, its backward pass, its
one-step Jacobian, its diagram and the Four steps' equations. Adding a cell is adding its
module here and one diagram module in static/js/diagram/ (docs/ARCHITECTURE.md)."""

from app.cells.base import Cell, Fix, InvalidOption, StepRecord, Tape, keep
from app.cells.cifg import CIFG
from app.cells.cwrnn import CWRNN
from app.cells.dglstm import DGLSTM
from app.cells.gru import GRU
from app.cells.lstm import LSTM
from app.cells.peephole import PEEPHOLE
from app.cells.rnn import RNN

# In the article's order: the plain RNN, the LSTM, its variants, the GRU, the two it names last.
CELLS: dict[str, Cell] = {cell.name: cell for cell in (RNN, LSTM, PEEPHOLE, CIFG, GRU, DGLSTM, CWRNN)}

__all__ = ["CELLS", "Cell", "Fix", "InvalidOption", "StepRecord", "Tape", "get_cell", "keep"]


def get_cell(name: str) -> Cell:
    try:
        return CELLS[name]
    except KeyError:
        raise KeyError(f"unknown cell type {name!r}; known: {', '.join(sorted(CELLS))}") from None
