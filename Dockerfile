# FlowTime Registry as a container: the wheel installed non-editable, a non-root user, /data as a volume.
#
#   podman build --format docker -t flowtime-registry .  (or docker build; behind a TLS-inspecting proxy add
#                                                         --secret id=pip-ca,src=<its CA bundle>)
#   podman run -p 8000:8000 -v flowtime-data:/data -e FLOWTIME_API_TOKENS=<token>:admin flowtime-registry
#
# The server binds 0.0.0.0 inside the container only with tokens (FLOWTIME_API_TOKENS) or an explicit
# FLOWTIME_ALLOW_OPEN=1; without either it stays on the container's loopback, unreachable (and says so). BASE is any Debian bookworm image (tests/e2e/test_container.py builds one with
# debootstrap from Debian's packages when no image registry is reachable).
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py setup.cfg LICENSE README.md constraints.txt wsgi.py gunicorn.conf.py ./
COPY app ./app
COPY migrations ./migrations
# pip-ca: an optional build secret, the CA bundle of a TLS-inspecting proxy between the build and PyPI
# (`--secret id=pip-ca,src=/etc/ssl/certs/ca-certificates.crt`); without it pip trusts its own bundle.
RUN --mount=type=secret,id=pip-ca,required=false \
    if [ -s /run/secrets/pip-ca ]; then export PIP_CERT=/run/secrets/pip-ca; fi \
    && python3 -m venv /build && /build/bin/pip install --quiet -c constraints.txt setuptools \
    && /build/bin/pip wheel --quiet --no-deps --no-build-isolation -w /wheels .

FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin flowtime \
    && mkdir -p /data && chown flowtime /data
# The dependencies first (pinned by constraints.txt; both scale-out back-ends included), in a layer that
# changes only with them.
COPY pyproject.toml constraints.txt /deps/
RUN --mount=type=secret,id=pip-ca,required=false \
    if [ -s /run/secrets/pip-ca ]; then export PIP_CERT=/run/secrets/pip-ca; fi \
    && python3 -m venv /opt/flowtime \
    && python3 -c "import tomllib; p = tomllib.load(open('/deps/pyproject.toml', 'rb'))['project']; \
print(*p['dependencies'], *p['optional-dependencies']['postgres'], *p['optional-dependencies']['s3'], sep='\n')" \
       > /deps/requirements.txt \
    && /opt/flowtime/bin/pip install --quiet --no-cache-dir -c /deps/constraints.txt -r /deps/requirements.txt \
    && rm -rf /deps
COPY --from=build /wheels /wheels
RUN /opt/flowtime/bin/pip install --quiet --no-cache-dir --no-deps --no-index /wheels/flowtime_registry-*.whl \
    && rm -rf /wheels
ENV PATH=/opt/flowtime/bin:$PATH FLOWTIME_DATA_DIR=/data HOST=0.0.0.0 PORT=8000 PYTHONUNBUFFERED=1
USER flowtime
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4).status != 200)"]
CMD ["flowtime-registry", "serve"]
