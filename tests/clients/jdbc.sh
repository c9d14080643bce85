#!/usr/bin/env bash
# pgjdbc (libpostgresql-jdbc-java, default-jdk-headless) through the proxy: transaction mode,
# session mode and the SQLite backend, with SCRAM; prepareThreshold passed (named statements,
# binary transfer), batch inserts, DatabaseMetaData. Compiled with javac into the test directory.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

JDBC_JAR=${JDBC_JAR:-/usr/share/java/postgresql.jar}
require_cmd jdbc javac
require_cmd jdbc java
[ -r "$JDBC_JAR" ] || fail "jdbc: $JDBC_JAR not found: install libpostgresql-jdbc-java (contrib/dev.sh deps)"
mkdir -p "$T/java"
javac -nowarn -d "$T/java" -cp "$JDBC_JAR" "$CLIENTS_DIR/java/Clients.java" || fail "jdbc: javac failed"

clients_start
client_run_targets jdbc java -Xshare:auto -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m \
    -cp "$T/java:$JDBC_JAR" Clients
clients_finish
