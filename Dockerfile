# Gatescope: docker build -t gatescope . && docker run -p 8000:8000 gatescope
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GATESCOPE_HOST=0.0.0.0 GATESCOPE_PORT=8000 GATESCOPE_MODELS=/models

RUN useradd --create-home --uid 10001 gatescope && mkdir /models && chown gatescope /models
WORKDIR /srv/gatescope

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install --quiet . && pip uninstall --yes --quiet gatescope

# templates/ and static/ live beside app/: an editable install keeps them where the code looks.
COPY app app
COPY templates templates
COPY static static
RUN pip install --quiet --no-deps -e .

USER gatescope
EXPOSE 8000
VOLUME ["/models"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["gatescope", "serve"]
