"""The FastAPI app: wiring only. Routes live in app.routes, the math in app.cells."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.limits import BodySizeLimit, NewSessionRate, SessionSlots, WorkPool
from app.models.registry import ModelRegistry
from app.models.trained import TrainedModels
from app.proxy import ProxyHeaders, RootPath
from app.routes import analysis, api, errors, pages, stream, train
from app.security import HostCheck, SecurityHeaders
from app.settings import Settings, get_settings
from app.training.pool import TrainingPool


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Load the default model once up front, so the first visitor does not wait for it.
        app.state.registry.get(settings.default_model)
        yield
        await app.state.training.close()
        trained.close()  # the store made here, whatever registry app.state holds by then

    app = FastAPI(title="Gatescope", version=__version__, lifespan=lifespan, redoc_url=None)
    app.state.settings = settings
    app.state.registry = ModelRegistry.for_settings(settings)
    trained = TrainedModels(
        settings.trained_dir, settings.max_trained_bytes, settings.trained_model_seconds, settings.max_model_bytes
    )
    app.state.registry.trained = trained
    # Training processes; each may map twice a job's estimated arrays beyond its start (Python's own objects, the
    # allocator's slack), so a job that outgrows that fails alone.
    app.state.training = TrainingPool(
        settings.train_workers, settings.max_train_waiting, settings.train_niceness, 2 * settings.max_train_job_bytes
    )
    new_sessions = NewSessionRate(settings.new_sessions_per_client_per_second, settings.new_sessions_burst_per_client)
    app.state.sessions = SessionSlots(settings.max_sessions, settings.max_sessions_per_client, new_sessions)
    app.state.compute = anyio.CapacityLimiter(settings.compute_threads)  # traces run in these threads
    app.state.gradients = WorkPool(settings.gradient_threads, settings.max_gradient_waiting, "max_gradient_waiting")
    app.state.templates = Jinja2Templates(directory=settings.templates_dir)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(analysis.router)
    app.include_router(stream.router)
    app.include_router(train.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    errors.install(app)
    # Middleware, innermost first: each add_middleware wraps everything added before it.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(  # on every answer of the app
        SecurityHeaders, frame_ancestors=settings.frame_ancestors, embed_frame_ancestors=settings.embed_frame_ancestors
    )
    app.add_middleware(RootPath, root_path=settings.root_path)
    app.add_middleware(HostCheck, allowed_hosts=settings.allowed_hosts)  # on the Host a trusted proxy forwarded
    app.add_middleware(ProxyHeaders, trusted_proxies=settings.trusted_proxies)  # outermost: who is asking
    return app


app = create_app()
