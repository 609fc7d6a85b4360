"""What a file with no server behind it holds: the server's answers to every question its
page will ask, recorded when the file is made (static/js/recording.js answers them again).

- `traces`: for each trace the page starts over WS /ws/trace (the main model, read with
  any what-if interventions, and the Compare panel's model), the start it answers, its
  meta frame, its steps as one binary message of the stream (app.tracing.wire, base64:
  about a quarter of their JSON) and its done frame;
- `answers`: POST /api/gradients for each request the Gradient flow panel makes (the main
  model at each of its layers, the compared one at its top layer), as status and body;
- `models`: what GET /api/models says about the models traced;
- `offers`: the panels the file can show, the others taken out of its page.
"""

from __future__ import annotations

import base64

from pydantic import ValidationError

from app.errors import HTTP_STATUS, error_detail
from app.export.view import CHARTS, FROM_FRAMES, RECORDED, ExportView
from app.models.registry import ModelRegistry
from app.routes.analysis import GRADIENT_ERRORS, GradientRequest
from app.routes.analysis import compute as gradient_answer
from app.settings import Settings
from app.tracing import wire
from app.tracing.start import start_trace
from app.tracing.whatif import Interventions

PLOTLY_PANELS = frozenset(CHARTS + ("gradients",))


def record(registry: ModelRegistry, settings: Settings, view: ExportView) -> dict:
    """The recording of `view` (raising what starting a trace raises: app.tracing.start)."""
    traces = [recorded_trace(registry, settings, view.model, view.text, view.whatif)]
    if view.compare and "compare" in view.panels:  # (a file offers Compare only when made with it)
        traces.append(recorded_trace(registry, settings, view.compare, view.text, None))
    names = list(dict.fromkeys(trace["meta"]["model"] for trace in traces))
    models = [registry.summary(name) for name in names]
    if "compare" in view.panels:
        models += trained_alike(registry, models[0], names)
    answers = gradient_answers(registry, settings, traces, view.text) if "gradients" in view.panels else []
    plotly = needs_plotly(view.panels, models)
    return {
        "query": view.query,
        "text": view.text,
        "models": models,
        "traces": traces,
        "answers": answers,
        "offers": offered_panels(view.panels, plotly),
        "plotly": plotly,
    }


def recorded_trace(
    registry: ModelRegistry, settings: Settings, name: str | None, text: str, whatif: Interventions | None
) -> dict:
    started = start_trace(registry, settings, name, text, whatif)
    model = started.session.model
    steps = started.session.run(started.tokens)
    message = wire.message([wire.encode_step(model, step) for step in steps], None)
    return {
        "start": {"model": started.meta["model"], "text": text, "whatif": whatif.model_dump() if whatif else None},
        "meta": started.meta,
        "steps": base64.b64encode(message).decode("ascii"),
        "done": {"type": "done", "steps": len(steps), "total": len(steps)},
    }


def gradient_answers(registry: ModelRegistry, settings: Settings, traces: list[dict], text: str) -> list[dict]:
    """What POST /api/gradients answers to the panel's requests: the main model's at each
    layer (the page asks for the layer shown), the compared model's with no layer."""
    main, *compared = (trace["meta"] for trace in traces)
    requests = [{"model": main["model"], "text": text, "layer": layer} for layer in range(main["layers"])]
    requests += [{"model": meta["model"], "text": text} for meta in compared]
    return [{"request": request, **gradient_answer_of(registry, settings, request)} for request in requests]


def gradient_answer_of(registry: ModelRegistry, settings: Settings, request: dict) -> dict:
    try:
        body = gradient_answer(registry, settings, GradientRequest(**request)).model_dump()
        return {"status": 200, "body": body}
    except GRADIENT_ERRORS as refusal:  # recorded as the route answers it
        return {"status": HTTP_STATUS[refusal.code], "body": {"detail": error_detail(refusal)}}
    except ValidationError as error:  # a text longer than the route takes
        return {"status": 422, "body": {"detail": {"code": "bad_request", "message": error.errors()[0]["msg"]}}}


def trained_alike(registry: ModelRegistry, main: dict, recorded: list[str]) -> list[dict]:
    """The other models of `main`'s task with a held-out loss curve, which Compare's loss
    curves draw beside it (static/js/loss-curves.js): their summaries only, not traced."""
    if not main.get("task") or not main["metrics"].get("validation_curve"):
        return []
    return [
        m
        for m in registry.summaries()  # a file that fails to load is listed without metrics, so left out
        if m["name"] not in recorded and m.get("task") == main["task"] and m.get("metrics", {}).get("validation_curve")
    ]


def needs_plotly(panels: tuple[str, ...], models: list[dict]) -> bool:
    """plotly.js for the chart panels shown, and for Compare's charts: the lag curve when a
    model has one, the loss curves when two models of one task have theirs."""
    compare = "compare" in panels
    lag_curve = compare and any(m["metrics"].get("accuracy_by_lag") for m in models)
    loss_curves = compare and len([m for m in models if m["metrics"].get("validation_curve")]) >= 2
    return bool(PLOTLY_PANELS & set(panels)) or lag_curve or loss_curves


def offered_panels(panels: tuple[str, ...], plotly: bool) -> list[str]:
    """What the file can show: the panels drawn from the trace (the charts only with
    plotly.js in the file) and the recorded ones it was made with."""
    return [*FROM_FRAMES, *(CHARTS if plotly else ()), *(name for name in RECORDED if name in panels)]
