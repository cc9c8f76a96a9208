#!/usr/bin/env bash
# A local Prefect server + `local` process pool + both deployments + one worker, for this checkout.
# See docs/OPERATING.md.
#
#   scripts/prefect_local_server.sh up       # start server, create pool, deploy, start worker (background)
#   scripts/prefect_local_server.sh status   # health, deployments, schedules, recent runs
#   scripts/prefect_local_server.sh down     # stop the worker and the server this script started
#   eval "$(scripts/prefect_local_server.sh env)"   # point this shell's prefect CLI at the server
#
# Settings (environment): PREFECT_PORT (default 4200), KA_PREFECT_HOME (default <checkout>/.prefect-server,
# kept apart from the embedded runs' .prefect so two SQLite users never share one database file).
# Logs and pid files go to $KA_PREFECT_HOME/{server,worker}.{log,pid}. Listens on 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PREFECT_PORT:-4200}"
HOME_DIR="${KA_PREFECT_HOME:-$ROOT/.prefect-server}"
PREFECT="${PREFECT_BIN:-$ROOT/.venv/bin/prefect}"

export PREFECT_HOME="$HOME_DIR"
export PREFECT_API_URL="http://127.0.0.1:$PORT/api"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_LOGGING_EXTRA_LOGGERS=agenda
mkdir -p "$HOME_DIR"

healthy() { "$ROOT/.venv/bin/python" - "$PREFECT_API_URL/health" <<'PY' >/dev/null 2>&1
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1]), timeout=2).read()
PY
}

start_bg() {  # name, command...: own session (process group), log and pid in $HOME_DIR
    local name=$1; shift
    setsid nohup "$@" >"$HOME_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$HOME_DIR/$name.pid"
}

running() { [[ -f "$HOME_DIR/$1.pid" ]] && kill -0 "$(cat "$HOME_DIR/$1.pid")" 2>/dev/null; }

stop() {
    local name=$1 pid
    running "$name" || { rm -f "$HOME_DIR/$name.pid"; return 0; }
    pid=$(cat "$HOME_DIR/$name.pid")
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$HOME_DIR/$name.pid"
    echo "stopped $name ($pid)"
}

case "${1:-}" in
env)
    echo "export PREFECT_HOME='$PREFECT_HOME'"
    echo "export PREFECT_API_URL='$PREFECT_API_URL'"
    echo "export PREFECT_SERVER_ANALYTICS_ENABLED=false"
    echo "export PREFECT_LOGGING_EXTRA_LOGGERS=agenda"
    ;;
up)
    if healthy; then
        echo "server already answers on $PREFECT_API_URL"
    else
        start_bg server "$PREFECT" server start --host 127.0.0.1 --port "$PORT"
        printf 'starting server on %s ' "$PREFECT_API_URL"
        for _ in $(seq 180); do healthy && break; running server || { echo; tail -20 "$HOME_DIR/server.log"; exit 1; }; printf .; sleep 0.5; done
        healthy || { echo " no answer after 90 s"; tail -20 "$HOME_DIR/server.log"; exit 1; }
        echo " ok"
    fi
    "$PREFECT" work-pool inspect local >/dev/null 2>&1 || "$PREFECT" work-pool create local --type process
    # deploy from the checkout: prefect.yaml's pull step stores {{ $PWD }}, so PWD must be the checkout
    (cd "$ROOT" && PWD="$ROOT" "$PREFECT" --no-prompt deploy --all)
    if running worker; then
        echo "worker already running ($(cat "$HOME_DIR/worker.pid"))"
    else
        (cd "$ROOT" && start_bg worker "$PREFECT" worker start --pool local --type process)
        echo "worker started ($(cat "$HOME_DIR/worker.pid")), log: $HOME_DIR/worker.log"
    fi
    echo "UI: http://127.0.0.1:$PORT   ·   eval \"\$($0 env)\" to use the prefect CLI against it"
    ;;
status)
    healthy && echo "server: up on $PREFECT_API_URL" || { echo "server: down ($PREFECT_API_URL)"; exit 1; }
    running worker && echo "worker: running ($(cat "$HOME_DIR/worker.pid"))" || echo "worker: not started by this script"
    "$PREFECT" deployment ls
    "$PREFECT" deployment schedule ls build-agenda/quarterly || true
    "$PREFECT" flow-run ls --limit 5
    ;;
down)
    stop worker
    stop server
    ;;
*)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
