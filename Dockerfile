# Production image: gunicorn serving the app; the same image runs the RQ worker.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 APP_ENV=production
# fonts-noto-cjk: charts rendered to images on the server (the micro-report's PNGs, drawn
# by matplotlib from /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc) must draw
# Chinese; matplotlib's and Pillow's wheels bring their own freetype and image libraries;
# postgresql-client: the migrate service gives the app role its password.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 judsup
WORKDIR /srv/judsup
COPY pyproject.toml ./
COPY app ./app
COPY tenants ./tenants
COPY federation ./federation
COPY workers ./workers
COPY migrations ./migrations
COPY config.py wsgi.py babel.cfg ./
# Editable: migrations/ and the templates are read from this directory at run time.
RUN pip install --no-cache-dir -e . \
 && pybabel compile -d app/translations
COPY --from=assets /build/node_modules/echarts/dist/echarts.min.js app/static/vendor/echarts/echarts.min.js
USER judsup
# matplotlib's font cache, built once here rather than on the first report served.
RUN python -c "import matplotlib.font_manager"
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "wsgi:app"]
