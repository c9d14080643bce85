/*
 * CHECK DATABASES: a job that connects to every configured database and reports whether it
 * answers, its server version and the round trip (connect + SELECT 1) in milliseconds.
 * PostgreSQL databases are reached with libpq (non-blocking connect, so CANCEL JOB stops a
 * connect that hangs), SQLite files are opened read-only. The credentials are copied at
 * submit time and wiped when the job ends; they never appear in a result or a message.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_parse.h"
#include "admin/jobs.h"
#include "admin_int.h"
#include "core/proxy.h"
#include "util/util.h"

#define CHECK_POLL_MS 100

struct check_db {
    char *name;
    enum db_backend backend;
    char *host, *dbname, *user, *password, *sqlite_path;
    int port;
};

struct check_arg {
    struct check_db *dbs;
    size_t n_dbs;
    int64_t connect_timeout_ms;
};

static char *check_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void check_wipe(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = '\0';
    }
    free(s);
}

static void check_arg_free(void *p)
{
    struct check_arg *a = p;
    for (size_t i = 0; i < a->n_dbs; i++) {
        free(a->dbs[i].name);
        free(a->dbs[i].host);
        free(a->dbs[i].dbname);
        free(a->dbs[i].user);
        check_wipe(a->dbs[i].password);
        free(a->dbs[i].sqlite_path);
    }
    free(a->dbs);
    free(a);
}

/* Wait until conn's socket is ready for what (POLLIN/POLLOUT), the job is cancelled, or the
 * deadline passes. Returns 1 ready, 0 timeout, -1 cancelled. */
static int check_wait(struct job *job, PGconn *conn, short what, int64_t deadline_ms)
{
    for (;;) {
        struct pollfd pfd = {.fd = PQsocket(conn), .events = what};
        int64_t left = deadline_ms - now_ms();
        int rc;
        if (job_cancelled(job))
            return -1;
        if (left <= 0)
            return 0;
        rc = poll(&pfd, 1, (int)(left < CHECK_POLL_MS ? left : CHECK_POLL_MS));
        if (rc > 0)
            return 1;
    }
}

/* Returns false when cancelled; otherwise fills the row. */
static bool check_postgres(struct job *job, const struct check_db *db, int64_t timeout_ms,
                           char *reachable, char *version, size_t vlen, char *latency, char *error,
                           size_t elen)
{
    char port[16];
    const char *keys[] = {"host", "port", "dbname", "user", "password", "application_name", NULL};
    const char *vals[] = {db->host, port, db->dbname, db->user, db->password, "myrmex-check", NULL};
    int64_t t0 = now_ms(), deadline = t0 + timeout_ms;
    PGconn *conn;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    int rc = 1;

    snprintf(port, sizeof(port), "%d", db->port);
    if (!db->user) {
        /* No credentials: PQping says whether a server answers at all (it blocks). */
        char timeout[16];
        const char *pk[] = {"host", "port", "dbname", "connect_timeout", NULL};
        const char *pv[] = {db->host, port, db->dbname, timeout, NULL};
        PGPing p;
        snprintf(timeout, sizeof(timeout), "%d", (int)((timeout_ms + 999) / 1000));
        p = PQpingParams(pk, pv, 0);
        snprintf(latency, 32, "%d", (int)(now_ms() - t0));
        snprintf(reachable, 4, "%s", p == PQPING_OK || p == PQPING_REJECT ? "yes" : "no");
        snprintf(error, elen, "%s",
                 p == PQPING_OK       ? "no usable credentials (forced user/password or a "
                                        "plain auth_file secret): version not read"
                 : p == PQPING_REJECT ? "server rejects connections (starting up or shutting down)"
                                      : "no response");
        return !job_cancelled(job);
    }
    conn = PQconnectStartParams(keys, vals, 0);
    if (!conn || PQstatus(conn) == CONNECTION_BAD) {
        pq_error_line(conn ? PQerrorMessage(conn) : "out of memory", error, elen);
        PQfinish(conn);
        snprintf(reachable, 4, "no");
        return true;
    }
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        rc = check_wait(job, conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
        if (rc <= 0)
            break;
        st = PQconnectPoll(conn);
    }
    if (rc == 1 && st == PGRES_POLLING_OK && PQsendQuery(conn, "SELECT 1")) {
        PGresult *res;
        bool ok = true;
        while (rc == 1 && PQisBusy(conn)) {
            rc = check_wait(job, conn, POLLIN, deadline);
            if (rc == 1 && !PQconsumeInput(conn))
                break;
        }
        while (rc == 1 && (res = PQgetResult(conn))) {
            if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                ok = false;
                pq_error_line(PQresultErrorMessage(res), error, elen);
            }
            PQclear(res);
        }
        if (rc == 1 && ok) {
            const char *v = PQparameterStatus(conn, "server_version");
            snprintf(latency, 32, "%d", (int)(now_ms() - t0));
            snprintf(reachable, 4, "yes");
            snprintf(version, vlen, "%s", v ? v : "");
            PQfinish(conn);
            return true;
        }
        if (rc == 1 && !ok) {
            snprintf(reachable, 4, "yes");
            PQfinish(conn);
            return true;
        }
    }
    if (rc == 1)
        pq_error_line(PQerrorMessage(conn), error, elen);
    else if (rc == 0)
        snprintf(error, elen, "timeout after %d ms", (int)timeout_ms);
    PQfinish(conn);
    snprintf(reachable, 4, "no");
    return rc != -1;
}

static void check_sqlite(const struct check_db *db, char *reachable, char *version, size_t vlen,
                         char *latency, char *error, size_t elen)
{
    int64_t t0 = now_ms();
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(db->sqlite_path, &h, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        snprintf(reachable, 4, "yes");
        snprintf(version, vlen, "%s", sqlite3_libversion());
        snprintf(latency, 32, "%d", (int)(now_ms() - t0));
    } else {
        snprintf(reachable, 4, "no");
        snprintf(error, elen, "%s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    }
    sqlite3_close(h);
}

static bool check_run(struct job *job, void *p)
{
    struct check_arg *a = p;

    job_columns(job, "ssssis", "database", "backend", "reachable", "server_version", "latency_ms",
                "error");
    for (size_t i = 0; i < a->n_dbs; i++) {
        const struct check_db *db = &a->dbs[i];
        char reachable[4] = "no", version[128] = "", latency[32] = "", error[256] = "";
        int pct = (int)(i * 100 / a->n_dbs);

        if (job_cancelled(job))
            return false;
        job_progress(job, pct, "checking database %s (%zu of %zu)", db->name, i + 1, a->n_dbs);
        if (db->backend == DB_BACKEND_SQLITE) {
            check_sqlite(db, reachable, version, sizeof(version), latency, error, sizeof(error));
        } else if (!check_postgres(job, db, a->connect_timeout_ms, reachable, version,
                                   sizeof(version), latency, error, sizeof(error))) {
            return false;
        }
        job_row(job, db->name, db->backend == DB_BACKEND_SQLITE ? "sqlite" : "postgresql",
                reachable, version[0] ? version : NULL, latency[0] ? latency : NULL,
                error[0] ? error : NULL);
        job_progress(job, (int)((i + 1) * 100 / a->n_dbs), "database %s: %s%s%s", db->name,
                     strcmp(reachable, "yes") == 0 ? "reachable" : "unreachable",
                     error[0] ? ": " : "", error);
    }
    return true;
}

void admin_check(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                 struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct check_arg *a;
    char err[128];
    int id;

    if (cmd->n_words != 1 || strcmp(cmd->words[0], "databases") != 0) {
        admin_result_error(r, "42601", "bad arguments: use CHECK DATABASES");
        return;
    }
    a = xcalloc(1, sizeof(*a));
    a->connect_timeout_ms =
        cfg->server_connect_timeout_ms > 0 ? cfg->server_connect_timeout_ms : 15000;
    a->dbs = xcalloc(cfg->n_dbs ? cfg->n_dbs : 1, sizeof(*a->dbs));
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        const struct db_config *db = &cfg->dbs[i];
        struct check_db *c;
        if (db->backend == DB_BACKEND_ADMIN)
            continue;
        c = &a->dbs[a->n_dbs++];
        c->name = xstrdup(db->name);
        c->backend = db->backend;
        c->host = check_dup(db->host);
        c->dbname = check_dup(db->dbname ? db->dbname : db->name);
        c->port = db->port > 0 ? db->port : 5432;
        c->sqlite_path = check_dup(db->sqlite_path);
        if (db->backend == DB_BACKEND_POSTGRES) {
            const char *user, *password;
            if (config_login_credentials(cfg, db, &user, &password)) {
                c->user = xstrdup(user);
                c->password = xstrdup(password);
            }
        }
    }
    id = jobs_submit("check databases", NULL, check_run, a, check_arg_free, err, sizeof(err));
    if (id < 0) {
        admin_result_error(r, "57P01", "%s", err);
        return;
    }
    admin_submitted(ctx, r, id);
}
