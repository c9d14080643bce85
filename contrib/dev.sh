#!/usr/bin/env bash
# contrib/dev.sh: one entry point for developers.
#
#   contrib/dev.sh deps                    install every Debian 12 package the build and tests need
#   contrib/dev.sh packages                print that package list (as this machine needs it)
#   contrib/dev.sh build [configure flags] autoreconf -fi, ./configure FLAGS, make -j (with no
#                                          flags and an existing Makefile: just make -j)
#   contrib/dev.sh run                     deps + build, then myrmex -c conf/myrmex.ini in the
#                                          foreground: database "app" served from SQLite
#                                          (conf/app.db) on 127.0.0.1:6432; Ctrl-C stops it
#   contrib/dev.sh run-pg                  the same with a throwaway PostgreSQL 15 behind the
#                                          proxy instead (transaction mode); Ctrl-C stops both
#   contrib/dev.sh test [run.sh args]      deps + build + tests/run.sh (e.g. "test 03 cancel")
#   contrib/dev.sh lint                    bash -n and shellcheck on the test scripts
#   contrib/dev.sh stop-services           stop and disable the servers packages of the list
#                                          start (prometheus: the tests only need promtool)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
    build-essential autoconf automake libtool pkg-config
    libevent-dev libssl-dev libsqlite3-dev libpq-dev check libpg-query-dev libprotobuf-c-dev zlib1g-dev
    postgresql-15 postgresql-client-15 postgresql-contrib pgbouncer pgbadger
    python3 procps util-linux coreutils git clang-format shellcheck
    # /metrics is checked with promtool (prometheus), /dashboard loaded in headless chromium
    prometheus chromium fonts-dejavu-core curl
    # client drivers for tests/clients/ (node's pg and postgres come from npm: npm ci)
    python3-psycopg2 python3-psycopg python3-asyncpg python3-sqlalchemy
    libpostgresql-jdbc-java default-jdk-headless libdbd-pg-perl ruby-pg nodejs npm
)

say() { printf '== %s\n' "$*"; }

# The package list for this machine: a Node.js installed from elsewhere (e.g. NodeSource's
# nodejs, which bundles npm and conflicts with Debian's npm) stands in for nodejs and npm.
wanted_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        case $p in nodejs | npm) command -v "${p/nodejs/node}" >/dev/null 2>&1 && continue ;; esac
        printf '%s\n' "$p"
    done
}

cmd_deps() {
    local missing=() p
    for p in $(wanted_packages); do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$p")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "all ${#PACKAGES[@]} packages installed"
        return 0
    fi
    say "installing: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "not root and no sudo: install ${missing[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    # Installing postgresql-15 would create and start a "main" cluster; the tests run their own.
    "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/myrmex-dev.conf >/dev/null
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
    cmd_stop_services
}

# The prometheus package brings promtool and its server, which it starts where the init
# system lets it: the tests need no server running.
cmd_stop_services() {
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q 'install ok installed' || return 0
    if [ -d /run/systemd/system ]; then
        "${sudo[@]}" systemctl disable --now prometheus.service >/dev/null 2>&1 || true
    else
        "${sudo[@]}" invoke-rc.d prometheus stop >/dev/null 2>&1 || true
        "${sudo[@]}" update-rc.d prometheus disable >/dev/null 2>&1 || true
    fi
}

cmd_build() {
    cd "$TOP"
    if [ $# -eq 0 ] && [ -f Makefile ]; then
        say "make -j$(nproc)"
    else
        say "autoreconf -fi && ./configure $*"
        autoreconf -fi
        ./configure "$@"
    fi
    make -j"$(nproc)"
}

cmd_run() {
    cmd_deps
    cmd_build
    cat <<EOF

  myrmex serves database "app" from SQLite ($TOP/conf/app.db, created on first use):
    psql -h 127.0.0.1 -p 6432 app
  Ctrl-C stops it.

EOF
    exec "$TOP/myrmex" -c "$TOP/conf/myrmex.ini"
}

cmd_run_pg() {
    cmd_deps
    cmd_build
    # The test harness gives us a private PostgreSQL and cleans everything up at exit.
    export MYRMEX_TEST_KEEP=0
    # shellcheck source=tests/lib/harness.sh
    source "$TOP/tests/lib/harness.sh"
    trap 'exit 0' INT TERM
    if port_open 127.0.0.1 6432; then
        echo "port 6432 is already in use" >&2
        exit 1
    fi
    pg_start
    MX_PORT=6432
    myrmex_write_conf "
pool_mode = transaction
default_pool_size = 20
log_level = ${MYRMEX_LOG_LEVEL:-info}
"
    cat <<EOF

  PostgreSQL 15 (throwaway):  127.0.0.1:$PG_PORT   data: $PG_DATA
  proxy configuration:        $MX_CONF
  connect through the proxy:  PGPASSWORD=$APP_PASS psql -h 127.0.0.1 -p 6432 -U $APP_USER app
  (user $APP_USER, password $APP_PASS; second user $APP2_USER / $APP2_PASS)
  Ctrl-C stops the proxy and PostgreSQL.

EOF
    "$MYRMEX_BIN" -c "$MX_CONF" || true
}

cmd_test() {
    cmd_deps
    cmd_build
    exec "$TOP/tests/run.sh" "$@"
}

cmd_lint() {
    cd "$TOP"
    local files=(tests/lib/harness.sh tests/run.sh tests/integration/*.sh tests/clients/*.sh
        tests/clients/lib/*.sh tests/clients/c/*.sh contrib/dev.sh .ci/run)
    local f
    for f in "${files[@]}"; do bash -n "$f"; done
    shellcheck -x -s bash -e SC2119,SC2120 "${files[@]}"
    python3 -m py_compile tests/integration/*.py tests/clients/python/*.py
    say "lint ok"
}

case ${1:-} in
packages)
    wanted_packages
    ;;
run-pg)
    shift
    cmd_run_pg "$@"
    ;;
stop-services)
    cmd_stop_services
    ;;
deps | build | run | test | lint)
    c=$1
    shift
    "cmd_$c" "$@"
    ;;
*)
    sed -n '2,17p' "$0"
    exit 64
    ;;
esac
