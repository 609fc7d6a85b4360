"""The demo tasks, by name: generated data, seeded, each with the recipe of its bundled model."""

from app.training.tasks.agreement import AGREEMENT
from app.training.tasks.base import Recipe, SequenceTask
from app.training.tasks.counter import COUNTER
from app.training.tasks.long_lag import LONG_LAG

TASKS: dict[str, SequenceTask] = {task.name: task for task in (COUNTER, LONG_LAG, AGREEMENT)}

__all__ = ["TASKS", "Recipe", "SequenceTask", "get_task"]


def get_task(name: str) -> SequenceTask:
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; known: {', '.join(sorted(TASKS))}, or 'text FILE'") from None
