"""The recurrent cells, pure NumPy: parameters and state in, every intermediate out.

One module per cell the article walks through, each opening with its equations."""

from app.cells.base import Cell, InvalidOption, StepRecord
from app.cells.cifg import CIFG
from app.cells.cwrnn import CWRNN
from app.cells.dglstm import DGLSTM
from app.cells.gru import GRU
from app.cells.lstm import LSTM
from app.cells.peephole import PEEPHOLE
from app.cells.rnn import RNN

# In the article's order: the plain RNN, the LSTM, its variants, the GRU, the two it names last.
CELLS: dict[str, Cell] = {cell.name: cell for cell in (RNN, LSTM, PEEPHOLE, CIFG, GRU, DGLSTM, CWRNN)}

__all__ = ["CELLS", "Cell", "InvalidOption", "StepRecord", "get_cell"]


def get_cell(name: str) -> Cell:
    try:
        return CELLS[name]
    except KeyError:
        raise KeyError(f"unknown cell type {name!r}; known: {', '.join(sorted(CELLS))}") from None
