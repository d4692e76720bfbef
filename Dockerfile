# The application image: worker, web app and commands. Configuration comes only from
# RECLAMATIONS_* environment variables; no secret is built into the image.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    PATH="/app/.venv/bin:$PATH"

WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9 \
 && useradd --system --uid 10001 --home-dir /app reclamations

# Dependencies first, so that code changes rebuild only the last layers.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
 && mkdir -p /data /outbox && chown reclamations /data /outbox

USER reclamations
ENV RECLAMATIONS_DATA_DIR=/data \
    RECLAMATIONS_OUTBOX_DIR=/outbox
CMD ["python", "-m", "reclamations.worker"]
