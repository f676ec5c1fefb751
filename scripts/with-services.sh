#!/usr/bin/env bash
# Run a command with real PostgreSQL and Redis: the ones on 127.0.0.1:5432 and :6379 when they
# answer, otherwise private throwaway instances started here from the server binaries (installed
# from Debian's packages when missing and we are root). Exports DATABASE_URL, REDIS_URL and
# CELERY_BROKER_URL for the command. Anything it cannot provide stops the run with a clear message.
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
PRIVATE_PG_PORT=55432
PRIVATE_REDIS_PORT=56379

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
die() { echo "with-services: $*" >&2; exit 1; }

apt_install() {
    [ "$(id -u)" = 0 ] || die "$1 is not installed and this is not root: install Debian's '$1' package."
    echo "with-services: installing Debian's $1" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null; } ||
        die "could not install $1"
}

tmp=""
cleanup() {
    if [ -n "$tmp" ]; then
        [ -f "$tmp/pg/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true
        [ -f "$tmp/redis.pid" ] && kill "$(cat "$tmp/redis.pid")" 2>/dev/null || true
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if answers "$PG_PORT" && [ -z "${PRIVATE_SERVICES:-}" ]; then
    export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:$PG_PORT/test}
else
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
    PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    tmp=$(mktemp -d /tmp/takedown-services.XXXXXX)
    mkdir "$tmp/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$tmp" "$tmp/pg" && chmod 755 "$tmp"
    as_postgres "$PG_BIN/initdb" -D "$tmp/pg" -U postgres -A trust >/dev/null || die "initdb failed"
    as_postgres "$PG_BIN/pg_ctl" -D "$tmp/pg" -w -l "$tmp/pg.log" \
        -o "-p $PRIVATE_PG_PORT -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
        die "PostgreSQL did not start; see $tmp/pg.log"
    echo "with-services: private PostgreSQL on 127.0.0.1:$PRIVATE_PG_PORT" >&2
    export DATABASE_URL=postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/postgres
fi

if answers "$REDIS_PORT" && [ -z "${PRIVATE_SERVICES:-}" ]; then
    redis_port=$REDIS_PORT
else
    command -v redis-server >/dev/null || apt_install redis-server
    [ -n "$tmp" ] || tmp=$(mktemp -d /tmp/takedown-services.XXXXXX)
    redis-server --port "$PRIVATE_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --daemonize yes --pidfile "$tmp/redis.pid" --logfile "$tmp/redis.log" --dir "$tmp" ||
        die "Redis did not start"
    for _ in $(seq 50); do answers "$PRIVATE_REDIS_PORT" && break; sleep 0.1; done
    answers "$PRIVATE_REDIS_PORT" || die "Redis did not answer; see $tmp/redis.log"
    echo "with-services: private Redis on 127.0.0.1:$PRIVATE_REDIS_PORT" >&2
    redis_port=$PRIVATE_REDIS_PORT
fi
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$redis_port/0}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-redis://127.0.0.1:$redis_port/1}

"$@"
