# One image for the web server and the CPU workers. The GPU worker builds FROM this with a CUDA build of
# torch (see docker-compose.yml); torch==2.13.0 here is the CPU wheel.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# bubblewrap: the sandbox that learners' code runs in (exercises/sandbox.py), on the worker-sandbox service.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
COPY . .
# A throwaway key: settings refuse a weak one under DEBUG=0, and this one signs nothing.
RUN DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" VERIFY_SERVICES=0 python manage.py collectstatic --noinput
EXPOSE 8000
# The limits of config/launch.py's WEB_LIMITS.
CMD ["granian", "--interface", "asginl", "--host", "0.0.0.0", "--port", "8000", "--http", "1", "--no-ws", "--http1-buffer-size", "65536", "--http1-header-read-timeout", "10000", "--backpressure", "2048", "--workers-kill-timeout", "5", "config.asgi:application"]
