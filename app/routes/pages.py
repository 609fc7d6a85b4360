"""The HTML pages (the app and its embeddable view), their oEmbed description, and
plotly.js served from the plotly Python package (never a CDN)."""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.export.bundle import current_bundle, etag_of
from app.export.page import script_json
from app.routes.deps import get_registry, public_url
from app.routes.errors import responses
from app.routes.schemas import ModelList
from app.ui import served_contract
from app.vendor import PLOTLY_JS

router = APIRouter()
EMBED_SIZE = (800, 720)  # an embed's default width and height in pixels


def page(request: Request, template: str, mode: str) -> HTMLResponse:
    settings = request.app.state.settings
    # Links beside the page's own address (both pages sit at the app's root), so they hold
    # under an https proxy and a path prefix; oEmbed is asked about this page at its public address.
    query = f"?{request.url.query}" if request.url.query else ""
    here = f"{public_url(request)}{'/embed' if mode == 'embed' else '/'}{query}"
    oembed = "oembed?" + urlencode({"url": here})
    # The model list (what GET /api/models answers) comes in the page: the first trace can
    # start without waiting for that request. The UI contract comes with it.
    summaries = get_registry(request).summaries()
    models = ModelList(models=summaries).model_dump(mode="json")
    context = {
        "default_model": settings.default_model,
        "mode": mode,
        "oembed_url": oembed,
        "app_url": f"./{query}",
        "ui": served_contract(settings, summaries),
        "lesson": request.query_params.get("lesson"),
        "models_json": script_json(models),
    }
    return request.app.state.templates.TemplateResponse(request, template, context)


@router.get("/app.js", name="page_script", include_in_schema=False)
def app_js(request: Request) -> Response:
    """static/js/main.js and every module it imports, as one module script; revalidated on
    each load (no-cache), so a new version is seen at once, and 304 while it is the same."""
    script = current_bundle(request.app.state.settings.static_dir / "js")
    headers = {"Cache-Control": "no-cache", "ETag": etag_of(script)}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(script, media_type="text/javascript", headers=headers)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    return page(request, "index.html", "app")


@router.get("/embed", response_class=HTMLResponse, include_in_schema=False)
def embed(request: Request) -> HTMLResponse:
    """The same views with minimal chrome, configured by URL parameters, for iframes."""
    return page(request, "embed.html", "embed")


@router.get("/oembed", name="oembed", responses=responses(404, 422, 501))
def oembed(
    request: Request,
    url: Annotated[str, Query(max_length=8000, description="an app or embed URL of this server")],
    maxwidth: Annotated[int | None, Query(ge=50, le=10000)] = None,
    maxheight: Annotated[int | None, Query(ge=50, le=10000)] = None,
    format: Annotated[str, Query(max_length=16, description="only json is offered: any other is 501")] = "json",
) -> dict:
    """oEmbed (https://oembed.com) for a link to this app: a `rich` iframe of /embed, on the
    app's public address (GATESCOPE_PUBLIC_URL), never on one a request names."""
    if format != "json":
        raise HTTPException(501, detail={"code": "format_not_offered", "message": "oEmbed is offered as json only"})
    address = public_url(request)
    own = urlsplit(address)
    target = urlsplit(url)
    pages = (own.path or "/", f"{own.path}/", f"{own.path}/embed")
    if target.scheme not in ("http", "https") or target.netloc != own.netloc or target.path not in pages:
        raise HTTPException(404, detail={"code": "not_ours", "message": "not a Gatescope page of this server"})
    width = min(maxwidth or EMBED_SIZE[0], EMBED_SIZE[0])
    height = min(maxheight or EMBED_SIZE[1], EMBED_SIZE[1])
    src = f"{address}/embed" + (f"?{target.query}" if target.query else "")
    frame = (
        f'<iframe src="{html.escape(src)}" width="{width}" height="{height}" style="border:0" '
        'loading="lazy" title="Gatescope: an LSTM reading text, live"></iframe>'
    )
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Gatescope",
        "provider_url": f"{address}/",
        "title": "Gatescope: an LSTM reading text, live",
        "html": frame,
        "width": width,
        "height": height,
    }


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
