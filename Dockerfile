# The briefing bot in a container: slim Python, a non-root user, the database on a volume.
# Build: docker build -t briefing-bot .   Run: see docker-compose.yml and README "Run it for real".
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BRIEFINGS_DB=/data/briefings.db \
    INBOX_DIR=/data/inbox \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app

# Dependencies first, so code changes do not reinstall them (every version is pinned there).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

RUN groupadd --system --gid 10001 briefings \
    && useradd --system --uid 10001 --gid briefings --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin briefings \
    && mkdir -p /data/inbox \
    && chown -R briefings:briefings /data \
    && chmod 0700 /data

COPY bot.py ./
COPY bot/ bot/
COPY briefings/ briefings/
COPY data/ data/
COPY locale/ locale/

USER 10001:10001
VOLUME ["/data"]

# The running bot touches /data/briefings.db.alive every minute; `health` checks its age.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "bot.py", "health"]

# TELEGRAM_BOT_TOKEN must be set (env_file in docker-compose.yml): without it bot.py would
# open the offline console, which has no terminal in a container and exits at once.
CMD ["python", "bot.py"]
