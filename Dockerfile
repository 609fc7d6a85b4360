# Gatescope: docker build -t gatescope . && docker run -p 8000:8000 gatescope   (docs/deploy.md)
# BASE: the official slim Python image, or any Debian-based image where apt can install python3
# (where no registry is reachable: one made with debootstrap, as `make docker-smoke` does).
ARG BASE=python:3.11-slim

FROM ${BASE} AS python
RUN if ! command -v python3 >/dev/null 2>&1; then \
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            python3 python3-venv ca-certificates && rm -rf /var/lib/apt/lists/*; \
    fi
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Build stage: the locked dependencies (exact versions, hashes checked), then the wheel built
# from this source and installed as a user would, into a venv the last stage copies whole.
# A pip CA bundle, where a proxy needs one, comes as a build secret: never in a layer.
FROM python AS build
RUN python3 -m venv /opt/gatescope
COPY requirements.lock /src/
RUN --mount=type=secret,id=pip-cert \
    if [ -s /run/secrets/pip-cert ]; then export PIP_CERT=/run/secrets/pip-cert; fi; \
    /opt/gatescope/bin/pip install --quiet --require-hashes -r /src/requirements.lock
COPY pyproject.toml README.md /src/
COPY app /src/app
COPY templates /src/templates
COPY static /src/static
RUN --mount=type=secret,id=pip-cert \
    if [ -s /run/secrets/pip-cert ]; then export PIP_CERT=/run/secrets/pip-cert; fi; \
    /opt/gatescope/bin/pip wheel --quiet --no-deps -w /wheels /src \
    && /opt/gatescope/bin/pip install --quiet --no-deps /wheels/gatescope-*.whl

FROM python
COPY --from=build /opt/gatescope /opt/gatescope
ENV PATH=/opt/gatescope/bin:$PATH \
    GATESCOPE_HOST=0.0.0.0 GATESCOPE_PORT=8000 GATESCOPE_MODELS=/models
RUN useradd --create-home --uid 10001 gatescope && mkdir /models && chown gatescope /models
USER gatescope
WORKDIR /home/gatescope
EXPOSE 8000
VOLUME ["/models"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:${GATESCOPE_PORT}/healthz', timeout=2).status != 200)"
CMD ["gatescope", "serve"]
