/*
 * pgclient: a libpq client for the integration tests, for what psql cannot do: many concurrent
 * sessions, cancel timing, large COPY with checksums, session-state checks across pooled
 * servers, extended protocol and prepared statements, and SQLSTATEs of failed logins.
 *
 * Usage: pgclient [-t SECONDS] CONNINFO COMMAND [ARGS]   (see usage() below)
 *
 * Every wait is bounded (-t, default 30 s per query): a hang prints TIMEOUT and exits 4.
 * Built by tests/lib/harness.sh (pgclient_build); not part of the proxy's build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *g_conninfo;
static int g_timeout_ms = 30000;
static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void out(const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&g_out_lock);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    pthread_mutex_unlock(&g_out_lock);
}

/* One line of text: newlines and '|' replaced so that output stays one record per line. */
static char *one_line(const char *s, char *buf, size_t len)
{
    size_t i = 0;
    for (; s && *s && i + 1 < len; s++) {
        char c = *s;
        buf[i++] = (c == '\n' || c == '\r' || c == '|') ? ' ' : c;
    }
    while (i > 0 && buf[i - 1] == ' ')
        i--;
    buf[i] = '\0';
    return buf;
}

/* The SQLSTATE in a verbose error message ("FATAL:  28P01: ..."), or NOSTATE. */
static void sqlstate_from_message(const char *msg, char state[8])
{
    strcpy(state, "NOSTATE");
    static const char *const sev[] = {"FATAL:  ", "ERROR:  ", "PANIC:  "};
    for (size_t k = 0; k < sizeof sev / sizeof sev[0]; k++) {
        const char *p = msg ? strstr(msg, sev[k]) : NULL;
        if (p) {
            p += strlen(sev[k]);
            if (strlen(p) >= 6 && p[5] == ':') {
                memcpy(state, p, 5);
                state[5] = '\0';
            }
            return;
        }
    }
}

/* Wait until the socket of conn is ready in the given direction, up to deadline. */
static bool wait_socket(PGconn *conn, bool for_write, int64_t deadline)
{
    int64_t left = deadline - now_ms();
    if (left <= 0)
        return false;
    struct pollfd pfd = {.fd = PQsocket(conn), .events = for_write ? POLLOUT : POLLIN};
    int r = poll(&pfd, 1, (int)left);
    return r > 0 || (r < 0 && errno == EINTR);
}

/*
 * Connect with verbose error messages so that a failed login shows its SQLSTATE. On failure
 * returns NULL and fills state/msg.
 */
static PGconn *connect_to(const char *conninfo, char state[8], char *msg, size_t msglen)
{
    PGconn *conn = PQconnectStart(conninfo);
    strcpy(state, "NOSTATE");
    if (!conn) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
    int64_t deadline = now_ms() + g_timeout_ms;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
           st != PGRES_POLLING_FAILED) {
        if (!wait_socket(conn, st == PGRES_POLLING_WRITING, deadline)) {
            snprintf(msg, msglen, "TIMEOUT connecting");
            strcpy(state, "TIMEOUT");
            PQfinish(conn);
            return NULL;
        }
        st = PQconnectPoll(conn);
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        one_line(PQerrorMessage(conn), msg, msglen);
        sqlstate_from_message(PQerrorMessage(conn), state);
        PQfinish(conn);
        return NULL;
    }
    PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
    return conn;
}

static PGconn *connect_or_die(const char *conninfo)
{
    char state[8], msg[1024];
    PGconn *c = connect_to(conninfo, state, msg, sizeof msg);
    if (!c) {
        out("CONNERR|%s|%s\n", state, msg);
        exit(2);
    }
    return c;
}

/* Wait (bounded) until a result is ready; false on timeout or lost connection. */
static bool wait_ready(PGconn *conn, int64_t deadline)
{
    for (;;) {
        if (!PQconsumeInput(conn))
            return true; /* PQgetResult reports the error */
        if (!PQisBusy(conn))
            return true;
        if (!wait_socket(conn, false, deadline))
            return false;
    }
}

struct res {
    ExecStatusType status;
    char state[8];
    char msg[512];
    char tag[64];
    char value[4096]; /* rows ';'-separated, fields ','-separated */
    int nrows;
    bool timeout;
};

/* Send a simple query and collect the last result (or the first error). Bounded. */
static void run(PGconn *conn, const char *sql, struct res *r)
{
    memset(r, 0, sizeof *r);
    r->status = PGRES_FATAL_ERROR;
    strcpy(r->state, "NOSTATE");
    if (!PQsendQuery(conn, sql)) {
        one_line(PQerrorMessage(conn), r->msg, sizeof r->msg);
        return;
    }
    int64_t deadline = now_ms() + g_timeout_ms;
    bool have_error = false, have_result = false;
    for (;;) {
        if (!wait_ready(conn, deadline)) {
            r->timeout = true;
            snprintf(r->msg, sizeof r->msg, "TIMEOUT");
            return;
        }
        PGresult *pr = PQgetResult(conn);
        if (!pr)
            break;
        ExecStatusType st = PQresultStatus(pr);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            /* Not used by scripts: end the copy so the connection stays in sync. */
            if (st == PGRES_COPY_IN)
                PQputCopyEnd(conn, "pgclient script does not feed COPY");
            PQclear(pr);
            continue;
        }
        if (have_error) {
            PQclear(pr);
            continue;
        }
        have_result = true;
        r->status = st;
        if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            const char *s = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
            snprintf(r->state, sizeof r->state, "%s", s ? s : "NOSTATE");
            one_line(PQresultErrorField(pr, PG_DIAG_MESSAGE_PRIMARY)
                         ? PQresultErrorField(pr, PG_DIAG_MESSAGE_PRIMARY)
                         : PQerrorMessage(conn),
                     r->msg, sizeof r->msg);
            r->status = PGRES_FATAL_ERROR;
            have_error = true;
        } else {
            snprintf(r->tag, sizeof r->tag, "%s", PQcmdStatus(pr));
            r->value[0] = '\0';
            r->nrows = PQntuples(pr);
            size_t used = 0;
            for (int i = 0; i < PQntuples(pr); i++)
                for (int j = 0; j < PQnfields(pr); j++) {
                    const char *sep = (j > 0) ? "," : (i > 0 ? ";" : "");
                    int n = snprintf(r->value + used, sizeof r->value - used, "%s%s", sep,
                                     PQgetisnull(pr, i, j) ? "NULL" : PQgetvalue(pr, i, j));
                    if (n > 0 && (size_t)n < sizeof r->value - used)
                        used += (size_t)n;
                }
        }
        PQclear(pr);
    }
    /* A result that arrived before the connection closed still counts (a COMMIT answered just
     * before a draining proxy closes the session); only a query that got none failed. */
    if (!have_result && PQstatus(conn) == CONNECTION_BAD) {
        r->status = PGRES_FATAL_ERROR;
        one_line(PQerrorMessage(conn), r->msg, sizeof r->msg);
    }
}

static bool run_ok(PGconn *conn, const char *sql, struct res *r)
{
    run(conn, sql, r);
    return r->status == PGRES_COMMAND_OK || r->status == PGRES_TUPLES_OK ||
           r->status == PGRES_EMPTY_QUERY;
}

static void must(PGconn *conn, const char *sql)
{
    struct res r;
    if (!run_ok(conn, sql, &r)) {
        out("FAIL|%s|%s|%s\n", sql, r.state, r.msg);
        exit(1);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* script: one statement per stdin line; prints OK|tag|values or ERR|sqlstate|message per line. */

static int cmd_script(void)
{
    PGconn *first = connect_or_die(g_conninfo), *second = NULL, *conn;
    out("CONNECTED\n");
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || strncmp(s, "--", 2) == 0)
            continue;
        /* "@2 SQL" runs on a second session, opened on first use. */
        conn = first;
        if (strncmp(s, "@2 ", 3) == 0) {
            if (!second)
                second = connect_or_die(g_conninfo);
            conn = second;
            s += 3;
        }
        if (strncmp(s, "\\sleep ", 7) == 0) {
            sleep_ms(atoi(s + 7));
            continue;
        }
        if (strncmp(s, "\\echo ", 6) == 0) {
            out("%s\n", s + 6);
            continue;
        }
        if (strncmp(s, "\\param ", 7) == 0) {
            const char *v = PQparameterStatus(conn, s + 7);
            out("PARAM|%s|%s\n", s + 7, v ? v : "NULL");
            continue;
        }
        if (strcmp(s, "\\close") == 0)
            break;
        struct res r;
        int64_t t0 = now_ms();
        run(conn, s, &r);
        long ms = (long)(now_ms() - t0);
        if (r.timeout) {
            out("TIMEOUT|%s\n", s);
            PQfinish(first);
            if (second)
                PQfinish(second);
            return 4;
        }
        if (r.status == PGRES_FATAL_ERROR)
            out("ERR|%s|%s|%ldms\n", r.state, r.msg, ms);
        else
            out("OK|%s|%s|%ldms\n", r.tag, r.value, ms);
        if (PQstatus(conn) == CONNECTION_BAD) {
            out("CONNBAD\n");
            PQfinish(first);
            if (second)
                PQfinish(second);
            return 3;
        }
    }
    PQfinish(first);
    if (second)
        PQfinish(second);
    out("DONE\n");
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* concurrent N ITER [SLEEP_MS]: N sessions run ITER transactions each and check their results. */

struct conc_thread {
    pthread_t tid;
    int id, iters, sleep_ms;
    int tx_ok, errors;
    int npids;
    int pids[4096];
};

static pthread_barrier_t g_barrier;

static void add_pid(int *pids, int *npids, int max, int pid)
{
    for (int i = 0; i < *npids; i++)
        if (pids[i] == pid)
            return;
    if (*npids < max)
        pids[(*npids)++] = pid;
}

static void *conc_main(void *arg)
{
    struct conc_thread *t = arg;
    char state[8], msg[1024];
    PGconn *conn = connect_to(g_conninfo, state, msg, sizeof msg);
    pthread_barrier_wait(&g_barrier);
    if (!conn) {
        out("ERROR thread %d connect: %s %s\n", t->id, state, msg);
        t->errors++;
        return NULL;
    }
    for (int i = 0; i < t->iters; i++) {
        struct res r;
        char sql[512];
        bool ok = run_ok(conn, "BEGIN", &r);
        snprintf(sql, sizeof sql, "INSERT INTO myrmex_conc(thread, iter) VALUES (%d, %d)", t->id,
                 i);
        ok = ok && run_ok(conn, sql, &r);
        snprintf(sql, sizeof sql,
                 "SELECT pg_backend_pid(), (SELECT count(*) FROM myrmex_conc WHERE thread = %d)",
                 t->id);
        ok = ok && run_ok(conn, sql, &r);
        int pid1 = 0, count = -1;
        if (ok && sscanf(r.value, "%d,%d", &pid1, &count) != 2)
            ok = false;
        if (ok && count != i + 1) {
            out("ERROR thread %d iter %d: sees %d of its rows, expected %d\n", t->id, i, count,
                i + 1);
            ok = false;
        }
        if (ok && t->sleep_ms > 0) {
            snprintf(sql, sizeof sql, "SELECT pg_sleep(%f)", t->sleep_ms / 1000.0);
            ok = run_ok(conn, sql, &r);
        }
        ok = ok && run_ok(conn, "SELECT pg_backend_pid()", &r);
        if (ok && atoi(r.value) != pid1) {
            out("ERROR thread %d iter %d: backend changed inside a transaction (%d -> %s)\n", t->id,
                i, pid1, r.value);
            ok = false;
        }
        ok = ok && run_ok(conn, "COMMIT", &r);
        if (ok && strcmp(r.tag, "COMMIT") != 0) {
            out("ERROR thread %d iter %d: COMMIT returned %s\n", t->id, i, r.tag);
            ok = false;
        }
        if (ok) {
            t->tx_ok++;
            add_pid(t->pids, &t->npids, 4096, pid1);
        } else {
            if (r.status == PGRES_FATAL_ERROR)
                out("ERROR thread %d iter %d: %s %s\n", t->id, i, r.state, r.msg);
            t->errors++;
            if (PQstatus(conn) == CONNECTION_BAD)
                break;
            run(conn, "ROLLBACK", &r);
        }
    }
    PQfinish(conn);
    return NULL;
}

static int cmd_concurrent(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 10;
    int iters = argc > 1 ? atoi(argv[1]) : 10;
    int sleep_for = argc > 2 ? atoi(argv[2]) : 0;
    if (n < 1 || n > 1000 || iters < 1 || iters > 4096)
        return 64;
    PGconn *conn = connect_or_die(g_conninfo);
    must(conn, "DROP TABLE IF EXISTS myrmex_conc");
    must(conn,
         "CREATE TABLE myrmex_conc(id serial PRIMARY KEY, thread int NOT NULL, iter int NOT NULL)");
    PQfinish(conn);

    struct conc_thread *ts = calloc((size_t)n, sizeof *ts);
    pthread_barrier_init(&g_barrier, NULL, (unsigned)n);
    int64_t t0 = now_ms();
    for (int i = 0; i < n; i++) {
        ts[i].id = i;
        ts[i].iters = iters;
        ts[i].sleep_ms = sleep_for;
        pthread_create(&ts[i].tid, NULL, conc_main, &ts[i]);
    }
    int tx_ok = 0, errors = 0, npids = 0;
    static int pids[65536];
    for (int i = 0; i < n; i++) {
        pthread_join(ts[i].tid, NULL);
        tx_ok += ts[i].tx_ok;
        errors += ts[i].errors;
        for (int k = 0; k < ts[i].npids; k++)
            add_pid(pids, &npids, 65536, ts[i].pids[k]);
    }
    long elapsed = (long)(now_ms() - t0);

    conn = connect_or_die(g_conninfo);
    struct res r;
    must(conn, "SELECT 1");
    run(conn, "SELECT count(*), count(DISTINCT (thread, iter)) FROM myrmex_conc", &r);
    char expect[64];
    snprintf(expect, sizeof expect, "%d,%d", tx_ok, tx_ok);
    if (strcmp(r.value, expect) != 0) {
        out("ERROR committed rows: got %s, expected %s\n", r.value, expect);
        errors++;
    }
    PQfinish(conn);
    out("clients=%d tx_ok=%d errors=%d distinct_pids=%d elapsed_ms=%ld\n", n, tx_ok, errors, npids,
        elapsed);
    out("pids=");
    for (int i = 0; i < npids; i++)
        out("%s%d", i ? "," : "", pids[i]);
    out("\n");
    free(ts);
    return (errors == 0 && tx_ok == n * iters) ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------ */
/*
 * settings N ITER: session state in transaction mode. Thread i sets its own client_encoding,
 * DateStyle, TimeZone, IntervalStyle, application_name and search_path (mode 0 partly through
 * startup parameters, mode 1 with SET) or sets nothing (mode 2); every query checks that the
 * server it got shows exactly that state, and that ParameterStatus agrees.
 */

static const char *const k_datestyles[] = {"SQL, DMY", "German, DMY", "Postgres, MDY", "ISO, DMY",
                                           "SQL, MDY"};
static const char *const k_timezones[] = {"America/New_York", "Europe/Berlin", "Asia/Tokyo",
                                          "Australia/Sydney", "America/Sao_Paulo"};
static const char *const k_encodings[] = {"LATIN1", "WIN1252", "LATIN2", "LATIN9", "SQL_ASCII"};
static const char *const k_intervalstyles[] = {"sql_standard", "iso_8601", "postgres_verbose"};

struct expect_state {
    char datestyle[64], timezone[64], appname[64], search_path[64], encoding[32], intervalstyle[32];
    int marker;
};

static struct expect_state g_defaults;

struct set_thread {
    pthread_t tid;
    int id, iters;
    int errors, mismatches, npids, queries;
    int pids[1024];
};

#define K_ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *k_state_sql =
    "SELECT current_setting('DateStyle'), current_setting('TimeZone'), "
    "current_setting('application_name'), current_setting('search_path'), "
    "current_setting('client_encoding'), current_setting('IntervalStyle'), "
    "(SELECT v FROM marker), pg_backend_pid()";

static int check_state(PGconn *conn, struct set_thread *t, int iter, const struct expect_state *e,
                       int *pid_out)
{
    struct res r;
    if (!run_ok(conn, k_state_sql, &r)) {
        out("ERROR thread %d iter %d: %s %s\n", t->id, iter, r.state, r.msg);
        t->errors++;
        return -1;
    }
    t->queries++;
    char expect[1024];
    int pid = 0;
    const char *p = strrchr(r.value, ',');
    if (p)
        pid = atoi(p + 1);
    *pid_out = pid;
    /* Values contain ", " (DateStyle, search_path): compare the whole prefix. */
    snprintf(expect, sizeof expect, "%s,%s,%s,%s,%s,%s,%d,", e->datestyle, e->timezone, e->appname,
             e->search_path, e->encoding, e->intervalstyle, e->marker);
    int bad = 0;
    if (strncmp(r.value, expect, strlen(expect)) != 0) {
        out("MISMATCH thread %d iter %d backend %d: got '%s', expected '%s...'\n", t->id, iter, pid,
            r.value, expect);
        bad++;
    }
    struct {
        const char *name, *want;
    } ps[] = {{"DateStyle", e->datestyle},
              {"TimeZone", e->timezone},
              {"application_name", e->appname},
              {"client_encoding", e->encoding},
              {"IntervalStyle", e->intervalstyle}};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        const char *v = PQparameterStatus(conn, ps[k].name);
        if (!v || strcmp(v, ps[k].want) != 0) {
            out("MISMATCH thread %d iter %d: ParameterStatus %s is '%s', expected '%s'\n", t->id,
                iter, ps[k].name, v ? v : "(none)", ps[k].want);
            bad++;
        }
    }
    if (bad)
        t->mismatches++;
    return bad;
}

static void *settings_main(void *arg)
{
    struct set_thread *t = arg;
    int mode = t->id % 3;
    struct expect_state e = g_defaults;
    char ci[2048], state[8], msg[1024], sql[512];
    struct res r;
    if (mode != 2) {
        snprintf(e.datestyle, sizeof e.datestyle, "%s",
                 k_datestyles[t->id % K_ARRAY_LEN(k_datestyles)]);
        snprintf(e.timezone, sizeof e.timezone, "%s",
                 k_timezones[t->id % K_ARRAY_LEN(k_timezones)]);
        snprintf(e.appname, sizeof e.appname, "client_%d", t->id);
        snprintf(e.search_path, sizeof e.search_path, "sch_%d, public", t->id);
        snprintf(e.encoding, sizeof e.encoding, "%s",
                 k_encodings[t->id % K_ARRAY_LEN(k_encodings)]);
        snprintf(e.intervalstyle, sizeof e.intervalstyle, "%s",
                 k_intervalstyles[t->id % K_ARRAY_LEN(k_intervalstyles)]);
        e.marker = t->id;
    }
    if (mode == 0)
        snprintf(ci, sizeof ci, "%s application_name=%s client_encoding=%s", g_conninfo, e.appname,
                 e.encoding);
    else
        snprintf(ci, sizeof ci, "%s", g_conninfo);
    PGconn *conn = connect_to(ci, state, msg, sizeof msg);
    pthread_barrier_wait(&g_barrier);
    if (!conn) {
        out("ERROR thread %d connect: %s %s\n", t->id, state, msg);
        t->errors++;
        return NULL;
    }
    bool ok = true;
    if (mode == 1) {
        snprintf(sql, sizeof sql, "SET client_encoding TO '%s'", e.encoding);
        ok = ok && run_ok(conn, sql, &r);
        snprintf(sql, sizeof sql, "SET application_name = '%s'", e.appname);
        ok = ok && run_ok(conn, sql, &r);
    }
    if (mode != 2) {
        snprintf(sql, sizeof sql, "SET DateStyle = '%s'", e.datestyle);
        ok = ok && run_ok(conn, sql, &r);
        snprintf(sql, sizeof sql, "SET TimeZone = '%s'", e.timezone);
        ok = ok && run_ok(conn, sql, &r);
        snprintf(sql, sizeof sql, "SET IntervalStyle = '%s'", e.intervalstyle);
        ok = ok && run_ok(conn, sql, &r);
        snprintf(sql, sizeof sql, "SET search_path = sch_%d, public", t->id);
        ok = ok && run_ok(conn, sql, &r);
    }
    if (!ok) {
        out("ERROR thread %d SET: %s %s\n", t->id, r.state, r.msg);
        t->errors++;
        PQfinish(conn);
        return NULL;
    }
    for (int i = 0; i < t->iters; i++) {
        int pid = 0;
        if (mode == 1 && i == t->iters / 2) {
            /* Change one setting mid-session: the new value must follow too. */
            snprintf(e.timezone, sizeof e.timezone, "%s",
                     k_timezones[(t->id + 1) % K_ARRAY_LEN(k_timezones)]);
            snprintf(sql, sizeof sql, "SET TimeZone = '%s'", e.timezone);
            if (!run_ok(conn, sql, &r)) {
                out("ERROR thread %d SET: %s %s\n", t->id, r.state, r.msg);
                t->errors++;
                break;
            }
        }
        bool in_tx = (i % 4 == 3);
        if (in_tx && !run_ok(conn, "BEGIN", &r)) {
            t->errors++;
            break;
        }
        if (check_state(conn, t, i, &e, &pid) < 0)
            break;
        add_pid(t->pids, &t->npids, 1024, pid);
        if (!run_ok(conn, "SELECT pg_sleep(0.003)", &r)) {
            t->errors++;
            break;
        }
        if (in_tx && !run_ok(conn, "COMMIT", &r)) {
            t->errors++;
            break;
        }
    }
    PQfinish(conn);
    return NULL;
}

static int cmd_settings(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 9;
    int iters = argc > 1 ? atoi(argv[1]) : 40;
    if (n < 1 || n > 200 || iters < 1)
        return 64;
    PGconn *conn = connect_or_die(g_conninfo);
    struct res r;
    must(conn, "CREATE TABLE IF NOT EXISTS public.marker(v int)");
    must(conn, "TRUNCATE public.marker");
    must(conn, "INSERT INTO public.marker VALUES (-1)");
    for (int i = 0; i < n; i++) {
        char sql[256];
        snprintf(
            sql, sizeof sql,
            "CREATE SCHEMA IF NOT EXISTS sch_%d; CREATE TABLE IF NOT EXISTS sch_%d.marker(v int); "
            "TRUNCATE sch_%d.marker; INSERT INTO sch_%d.marker VALUES (%d)",
            i, i, i, i, i);
        must(conn, sql);
    }
    PQfinish(conn);
    /* Read the defaults one by one: DateStyle and search_path contain ", ". */
    {
        PGconn *c2 = connect_or_die(g_conninfo);
        const char *names[] = {"DateStyle",   "TimeZone",        "application_name",
                               "search_path", "client_encoding", "IntervalStyle"};
        char *dst[] = {g_defaults.datestyle,   g_defaults.timezone, g_defaults.appname,
                       g_defaults.search_path, g_defaults.encoding, g_defaults.intervalstyle};
        size_t len[] = {sizeof g_defaults.datestyle, sizeof g_defaults.timezone,
                        sizeof g_defaults.appname,   sizeof g_defaults.search_path,
                        sizeof g_defaults.encoding,  sizeof g_defaults.intervalstyle};
        for (int k = 0; k < 6; k++) {
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT current_setting('%s')", names[k]);
            if (!run_ok(c2, sql, &r)) {
                out("FAIL reading default %s: %s\n", names[k], r.msg);
                return 1;
            }
            snprintf(dst[k], len[k], "%s", r.value);
        }
        g_defaults.marker = -1;
        PQfinish(c2);
    }
    out("defaults: DateStyle='%s' TimeZone='%s' application_name='%s' search_path='%s' "
        "client_encoding='%s' IntervalStyle='%s'\n",
        g_defaults.datestyle, g_defaults.timezone, g_defaults.appname, g_defaults.search_path,
        g_defaults.encoding, g_defaults.intervalstyle);

    struct set_thread *ts = calloc((size_t)n, sizeof *ts);
    pthread_barrier_init(&g_barrier, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        ts[i].id = i;
        ts[i].iters = iters;
        pthread_create(&ts[i].tid, NULL, settings_main, &ts[i]);
    }
    int errors = 0, mismatches = 0, switched = 0, queries = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(ts[i].tid, NULL);
        errors += ts[i].errors;
        mismatches += ts[i].mismatches;
        queries += ts[i].queries;
        if (ts[i].npids > 1)
            switched++;
    }
    out("clients=%d queries=%d errors=%d mismatches=%d switched_clients=%d\n", n, queries, errors,
        mismatches, switched);
    free(ts);
    return (errors == 0 && mismatches == 0 && queries == n * iters) ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------ */
/*
 * cancel [ROUNDS]: A runs SELECT pg_sleep(30); 300 ms later PQcancel; A must get 57014 within
 * 1 s of the cancel and stay usable. B, running pg_sleep(1.5) meanwhile, must be unaffected.
 */

static int cmd_cancel(int argc, char **argv)
{
    int rounds = argc > 0 ? atoi(argv[0]) : 3;
    int failures = 0;
    PGconn *a = connect_or_die(g_conninfo);
    PGconn *b = connect_or_die(g_conninfo);
    for (int round = 0; round < rounds; round++) {
        if (!PQsendQuery(b, "SELECT pg_sleep(1.5), 42") ||
            !PQsendQuery(a, "SELECT pg_sleep(30), 'not cancelled'")) {
            out("FAIL round %d: send: %s%s\n", round, PQerrorMessage(a), PQerrorMessage(b));
            return 1;
        }
        sleep_ms(300);
        char errbuf[256] = "";
        PGcancel *cn = PQgetCancel(a);
        int64_t t_cancel = now_ms();
        int sent = cn ? PQcancel(cn, errbuf, sizeof errbuf) : 0;
        PQfreeCancel(cn);
        if (!sent) {
            out("FAIL round %d: PQcancel: %s\n", round, errbuf);
            failures++;
        }
        /* A: error 57014 within 1 s. */
        int64_t deadline = t_cancel + 5000;
        char state[8] = "NONE";
        int64_t t_err = -1;
        bool done = false;
        while (!done) {
            if (!wait_ready(a, deadline)) {
                out("FAIL round %d: A still running 5 s after the cancel\n", round);
                return 1;
            }
            PGresult *pr = PQgetResult(a);
            if (!pr) {
                done = true;
                break;
            }
            if (PQresultStatus(pr) == PGRES_FATAL_ERROR && t_err < 0) {
                const char *s = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
                snprintf(state, sizeof state, "%s", s ? s : "NOSTATE");
                t_err = now_ms();
            } else if (PQresultStatus(pr) == PGRES_TUPLES_OK) {
                out("FAIL round %d: A's query was not cancelled (%s)\n", round,
                    PQgetvalue(pr, 0, 1));
                failures++;
            }
            PQclear(pr);
        }
        long cancel_ms = t_err >= 0 ? (long)(t_err - t_cancel) : -1;
        out("round %d: A sqlstate=%s after %ld ms\n", round, state, cancel_ms);
        if (strcmp(state, "57014") != 0 || cancel_ms < 0 || cancel_ms > 1000) {
            out("FAIL round %d: expected 57014 within 1000 ms, got %s after %ld ms\n", round, state,
                cancel_ms);
            failures++;
        }
        /* B: finishes normally. */
        deadline = now_ms() + 10000;
        bool b_ok = false;
        for (;;) {
            if (!wait_ready(b, deadline)) {
                out("FAIL round %d: B did not finish\n", round);
                return 1;
            }
            PGresult *pr = PQgetResult(b);
            if (!pr)
                break;
            if (PQresultStatus(pr) == PGRES_TUPLES_OK && strcmp(PQgetvalue(pr, 0, 1), "42") == 0)
                b_ok = true;
            else if (PQresultStatus(pr) == PGRES_FATAL_ERROR)
                out("FAIL round %d: B got an error: %s %s\n", round,
                    PQresultErrorField(pr, PG_DIAG_SQLSTATE), PQresultErrorMessage(pr));
            PQclear(pr);
        }
        out("round %d: B %s\n", round, b_ok ? "ok" : "FAILED");
        if (!b_ok)
            failures++;
        /* Both stay usable. */
        struct res r;
        if (!run_ok(a, "SELECT 'a usable'", &r) || !run_ok(b, "SELECT 'b usable'", &r)) {
            out("FAIL round %d: connection unusable after cancel: %s %s\n", round, r.state, r.msg);
            failures++;
        }
    }
    PQfinish(a);
    PQfinish(b);
    out("cancel: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* copy MB: COPY FROM STDIN of MB megabytes of generated rows, COPY TO STDOUT, compare. */

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int copy_error_checks(PGconn *conn)
{
    int failures = 0;
    struct res r;
    /* Bad data: the server rejects it with 22P02; the session stays usable. */
    PGresult *pr = PQexec(conn, "COPY myrmex_copy FROM STDIN");
    if (PQresultStatus(pr) != PGRES_COPY_IN) {
        out("FAIL copy-in not started: %s\n", PQresultErrorMessage(pr));
        return 1;
    }
    PQclear(pr);
    const char *bad = "1\tok\nnot-a-number\tbad\n";
    PQputCopyData(conn, bad, (int)strlen(bad));
    PQputCopyEnd(conn, NULL);
    pr = PQgetResult(conn);
    const char *st = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
    out("copy bad data: sqlstate=%s\n", st ? st : "none");
    if (!st || strcmp(st, "22P02") != 0)
        failures++;
    PQclear(pr);
    while ((pr = PQgetResult(conn)))
        PQclear(pr);
    if (!run_ok(conn, "SELECT count(*) FROM myrmex_copy", &r)) {
        out("FAIL session unusable after a failed COPY: %s %s\n", r.state, r.msg);
        failures++;
    }
    /* Client-side abort (CopyFail): error 57014, session usable. */
    pr = PQexec(conn, "COPY myrmex_copy FROM STDIN");
    if (PQresultStatus(pr) != PGRES_COPY_IN) {
        out("FAIL copy-in not started: %s\n", PQresultErrorMessage(pr));
        return 1;
    }
    PQclear(pr);
    PQputCopyData(conn, "99999999\tx\n", 11);
    PQputCopyEnd(conn, "client aborted the copy");
    pr = PQgetResult(conn);
    st = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
    out("copy fail message: sqlstate=%s\n", st ? st : "none");
    if (!st || strcmp(st, "57014") != 0)
        failures++;
    PQclear(pr);
    while ((pr = PQgetResult(conn)))
        PQclear(pr);
    if (!run_ok(conn, "SELECT count(*) FROM myrmex_copy WHERE id = 99999999", &r) ||
        strcmp(r.value, "0") != 0) {
        out("FAIL after CopyFail: %s %s value=%s\n", r.state, r.msg, r.value);
        failures++;
    }
    return failures;
}

/*
 * copy_extended [HOLD_MS]: COPY FROM STDIN by the extended protocol (PQexecParams: libpq sends
 * a Sync right after the Execute, which the server ignores while it copies), then a query;
 * prints "copy_extended: COPY 2, then 2 rows" and keeps the connection HOLD_MS more.
 */
static int cmd_copy_extended(int argc, char **argv)
{
    int hold_ms = argc > 0 ? atoi(argv[0]) : 0;
    PGconn *conn = connect_or_die(g_conninfo);
    PGresult *r;
    char tag[64] = "";

    must(conn, "DROP TABLE IF EXISTS myrmex_xcopy");
    must(conn, "CREATE TABLE myrmex_xcopy(x int)");
    r = PQexecParams(conn, "COPY myrmex_xcopy FROM STDIN", 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        out("FAIL extended COPY: %s\n", PQresultErrorMessage(r));
        return 1;
    }
    PQclear(r);
    if (PQputCopyData(conn, "1\n2\n", 4) != 1 || PQputCopyEnd(conn, NULL) != 1) {
        out("FAIL copy data: %s\n", PQerrorMessage(conn));
        return 1;
    }
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            out("FAIL copy end: %s\n", PQresultErrorMessage(r));
            return 1;
        }
        snprintf(tag, sizeof(tag), "%s", PQcmdStatus(r));
        PQclear(r);
    }
    r = PQexec(conn, "SELECT count(*) FROM myrmex_xcopy");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        out("FAIL count: %s\n", PQresultErrorMessage(r));
        return 1;
    }
    out("copy_extended: %s, then %s rows\n", tag, PQgetvalue(r, 0, 0));
    PQclear(r);
    if (hold_ms > 0)
        usleep((useconds_t)hold_ms * 1000);
    PQfinish(conn);
    return 0;
}

static int cmd_copy(int argc, char **argv)
{
    long mb = argc > 0 ? atol(argv[0]) : 10;
    if (mb < 1 || mb > 1024)
        return 64;
    PGconn *conn = connect_or_die(g_conninfo);
    must(conn, "DROP TABLE IF EXISTS myrmex_copy");
    must(conn, "CREATE TABLE myrmex_copy(id int PRIMARY KEY, payload text NOT NULL)");
    int64_t t0 = now_ms();
    PGresult *pr = PQexec(conn, "COPY myrmex_copy FROM STDIN");
    if (PQresultStatus(pr) != PGRES_COPY_IN) {
        out("FAIL COPY FROM STDIN: %s\n", PQresultErrorMessage(pr));
        return 1;
    }
    PQclear(pr);
    const size_t target = (size_t)mb * 1024 * 1024;
    size_t total = 0;
    long rows = 0;
    uint64_t h_in = 1469598103934665603ULL, x = 88172645463325252ULL;
    char *chunk = malloc(65536 + 512);
    while (total < target) {
        size_t used = 0;
        while (used < 65536 && total + used < target) {
            char payload[200];
            int plen = 20 + (int)(rows % 150);
            for (int k = 0; k < plen; k++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                payload[k] =
                    "0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"[x % 63];
            }
            payload[plen] = '\0';
            used += (size_t)sprintf(chunk + used, "%ld\t%s\n", rows + 1, payload);
            rows++;
        }
        h_in = fnv1a(h_in, chunk, used);
        total += used;
        if (PQputCopyData(conn, chunk, (int)used) != 1) {
            out("FAIL PQputCopyData: %s\n", PQerrorMessage(conn));
            return 1;
        }
    }
    free(chunk);
    if (PQputCopyEnd(conn, NULL) != 1) {
        out("FAIL PQputCopyEnd: %s\n", PQerrorMessage(conn));
        return 1;
    }
    int64_t deadline = now_ms() + 60000;
    if (!wait_ready(conn, deadline)) {
        out("TIMEOUT waiting for COPY FROM STDIN to complete\n");
        return 4;
    }
    pr = PQgetResult(conn);
    if (PQresultStatus(pr) != PGRES_COMMAND_OK || atol(PQcmdTuples(pr)) != rows) {
        out("FAIL COPY FROM STDIN result: %s %s (tuples %s, expected %ld)\n",
            PQresStatus(PQresultStatus(pr)), PQresultErrorMessage(pr), PQcmdTuples(pr), rows);
        return 1;
    }
    PQclear(pr);
    while ((pr = PQgetResult(conn)))
        PQclear(pr);
    int64_t t1 = now_ms();

    pr = PQexec(conn, "COPY (SELECT id, payload FROM myrmex_copy ORDER BY id) TO STDOUT");
    if (PQresultStatus(pr) != PGRES_COPY_OUT) {
        out("FAIL COPY TO STDOUT: %s\n", PQresultErrorMessage(pr));
        return 1;
    }
    PQclear(pr);
    uint64_t h_out = 1469598103934665603ULL;
    size_t total_out = 0;
    long rows_out = 0;
    for (;;) {
        char *buf = NULL;
        int n = PQgetCopyData(conn, &buf, 0);
        if (n == -1)
            break;
        if (n < 0) {
            out("FAIL PQgetCopyData: %s\n", PQerrorMessage(conn));
            return 1;
        }
        h_out = fnv1a(h_out, buf, (size_t)n);
        total_out += (size_t)n;
        rows_out++;
        PQfreemem(buf);
    }
    pr = PQgetResult(conn);
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
        out("FAIL COPY TO STDOUT end: %s\n", PQresultErrorMessage(pr));
        return 1;
    }
    PQclear(pr);
    while ((pr = PQgetResult(conn)))
        PQclear(pr);
    int64_t t2 = now_ms();
    out("copy_in rows=%ld bytes=%zu hash=%016" PRIx64 " ms=%ld\n", rows, total, h_in,
        (long)(t1 - t0));
    out("copy_out rows=%ld bytes=%zu hash=%016" PRIx64 " ms=%ld\n", rows_out, total_out, h_out,
        (long)(t2 - t1));
    int failures = 0;
    if (h_in != h_out || total != total_out || rows != rows_out) {
        out("FAIL copy round trip differs\n");
        failures++;
    }
    failures += copy_error_checks(conn);
    PQfinish(conn);
    out("copy: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/*
 * extended N ITER [notx]: unnamed statements (PQexecParams) from N threads, text and binary
 * results, every third one inside BEGIN/COMMIT unless notx.
 */

struct ext_thread {
    pthread_t tid;
    int id, iters, errors, ok;
    bool use_tx;
};

static void *ext_main(void *arg)
{
    struct ext_thread *t = arg;
    char state[8], msg[1024];
    PGconn *conn = connect_to(g_conninfo, state, msg, sizeof msg);
    pthread_barrier_wait(&g_barrier);
    if (!conn) {
        out("ERROR thread %d connect: %s %s\n", t->id, state, msg);
        t->errors++;
        return NULL;
    }
    for (int i = 0; i < t->iters; i++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%d", t->id * 1000);
        snprintf(b, sizeof b, "%d", i);
        const char *params[2] = {a, b};
        bool in_tx = t->use_tx && (i % 3 == 2);
        if (in_tx) {
            PGresult *pr = PQexecParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
            if (PQresultStatus(pr) != PGRES_COMMAND_OK)
                t->errors++;
            PQclear(pr);
        }
        int fmt = i % 2; /* alternate text and binary results */
        PGresult *pr = PQexecParams(conn, "SELECT $1::int4 + $2::int4, $2::text || '-x'", 2, NULL,
                                    params, NULL, NULL, fmt);
        if (PQresultStatus(pr) != PGRES_TUPLES_OK || PQntuples(pr) != 1) {
            out("ERROR thread %d iter %d: %s %s\n", t->id, i,
                PQresultErrorField(pr, PG_DIAG_SQLSTATE) ? PQresultErrorField(pr, PG_DIAG_SQLSTATE)
                                                         : "",
                PQresultErrorMessage(pr));
            t->errors++;
        } else {
            long got;
            if (fmt == 1) {
                const unsigned char *v = (const unsigned char *)PQgetvalue(pr, 0, 0);
                got = (long)(int32_t)((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
                                      (uint32_t)v[2] << 8 | v[3]);
            } else {
                got = atol(PQgetvalue(pr, 0, 0));
            }
            char want2[40];
            snprintf(want2, sizeof want2, "%d-x", i);
            if (got != t->id * 1000 + i || PQgetlength(pr, 0, 1) != (int)strlen(want2) ||
                memcmp(PQgetvalue(pr, 0, 1), want2, strlen(want2)) != 0) {
                out("ERROR thread %d iter %d: wrong result %ld\n", t->id, i, got);
                t->errors++;
            } else {
                t->ok++;
            }
        }
        PQclear(pr);
        if (in_tx) {
            pr = PQexecParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
            if (PQresultStatus(pr) != PGRES_COMMAND_OK)
                t->errors++;
            PQclear(pr);
        }
        if (PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    /* An error inside the extended protocol must leave the session usable. */
    PGresult *pr =
        PQexecParams(conn, "SELECT 1/$1::int", 1, NULL, (const char *[]){"0"}, NULL, NULL, 0);
    const char *st = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
    if (!st || strcmp(st, "22012") != 0) {
        out("ERROR thread %d: expected 22012, got %s\n", t->id, st ? st : "none");
        t->errors++;
    }
    PQclear(pr);
    pr = PQexecParams(conn, "SELECT $1::text", 1, NULL, (const char *[]){"after-error"}, NULL, NULL,
                      0);
    if (PQresultStatus(pr) != PGRES_TUPLES_OK || strcmp(PQgetvalue(pr, 0, 0), "after-error") != 0) {
        out("ERROR thread %d: session unusable after an error: %s\n", t->id,
            PQresultErrorMessage(pr));
        t->errors++;
    }
    PQclear(pr);
    PQfinish(conn);
    return NULL;
}

static int cmd_extended(int argc, char **argv)
{
    int n = argc > 0 ? atoi(argv[0]) : 8;
    int iters = argc > 1 ? atoi(argv[1]) : 100;
    bool use_tx = !(argc > 2 && strcmp(argv[2], "notx") == 0);
    if (n < 1 || n > 500 || iters < 1)
        return 64;
    struct ext_thread *ts = calloc((size_t)n, sizeof *ts);
    pthread_barrier_init(&g_barrier, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        ts[i].id = i;
        ts[i].iters = iters;
        ts[i].use_tx = use_tx;
        pthread_create(&ts[i].tid, NULL, ext_main, &ts[i]);
    }
    int errors = 0, ok = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(ts[i].tid, NULL);
        errors += ts[i].errors;
        ok += ts[i].ok;
    }
    free(ts);
    out("extended: clients=%d ok=%d errors=%d\n", n, ok, errors);
    return (errors == 0 && ok == n * iters) ? 0 : 1;
}

/* ------------------------------------------------------------------------------------------ */
/*
 * prepared ITER: a named prepared statement in transaction mode, executed ITER times while
 * noise threads keep the pool busy (so executions land on different servers). Prints either
 * "prepared: refused|SQLSTATE|message" (and whether the session is still usable), or
 * "prepared: ok" when every execution returned the right answer. Anything else fails.
 */

static volatile int g_noise_stop;

static void *noise_main(void *arg)
{
    (void)arg;
    char state[8], msg[1024];
    PGconn *conn = connect_to(g_conninfo, state, msg, sizeof msg);
    if (!conn)
        return NULL;
    struct res r;
    for (int i = 0; i < 2000 && !__atomic_load_n(&g_noise_stop, __ATOMIC_RELAXED); i++)
        if (!run_ok(conn, "SELECT pg_sleep(0.002)", &r))
            break;
    PQfinish(conn);
    return NULL;
}

static int cmd_prepared(int argc, char **argv)
{
    int iters = argc > 0 ? atoi(argv[0]) : 50;
    PGconn *conn = connect_or_die(g_conninfo);
    pthread_t noise[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&noise[i], NULL, noise_main, NULL);
    int rc = 0;
    PGresult *pr = PQprepare(conn, "myrmex_stmt", "SELECT $1::int * 2, pg_backend_pid()", 1, NULL);
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
        char m[512];
        const char *st = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
        out("prepared: refused|%s|%s\n", st ? st : "NOSTATE",
            one_line(PQresultErrorMessage(pr), m, sizeof m));
        PQclear(pr);
        struct res r;
        bool usable =
            run_ok(conn, "SELECT 'still usable'", &r) && strcmp(r.value, "still usable") == 0;
        out("session: %s\n", usable ? "usable" : "closed");
        goto done;
    }
    PQclear(pr);
    int pids[256], npids = 0, good = 0;
    for (int i = 0; i < iters; i++) {
        char a[32];
        snprintf(a, sizeof a, "%d", i);
        const char *params[1] = {a};
        bool in_tx = (i % 5 == 4);
        if (in_tx)
            PQclear(PQexec(conn, "BEGIN"));
        pr = PQexecPrepared(conn, "myrmex_stmt", 1, params, NULL, NULL, 0);
        if (PQresultStatus(pr) == PGRES_TUPLES_OK && atoi(PQgetvalue(pr, 0, 0)) == 2 * i) {
            good++;
            add_pid(pids, &npids, 256, atoi(PQgetvalue(pr, 0, 1)));
        } else {
            const char *st = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
            char m[512];
            out("prepared: execution %d failed|%s|%s\n", i, st ? st : "NOSTATE",
                one_line(PQresultErrorMessage(pr), m, sizeof m));
            rc = 1;
        }
        PQclear(pr);
        if (in_tx)
            PQclear(PQexec(conn, "COMMIT"));
        if (PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    /* Describe and deallocate must work as well. */
    pr = PQdescribePrepared(conn, "myrmex_stmt");
    if (PQresultStatus(pr) != PGRES_COMMAND_OK || PQnparams(pr) != 1 || PQnfields(pr) != 2) {
        out("prepared: describe failed: %s\n", PQresultErrorMessage(pr));
        rc = 1;
    }
    PQclear(pr);
    pr = PQexec(conn, "DEALLOCATE myrmex_stmt");
    if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
        out("prepared: DEALLOCATE failed: %s\n", PQresultErrorMessage(pr));
        rc = 1;
    }
    PQclear(pr);
    out("prepared: %s executions=%d good=%d servers=%d\n", rc ? "FAILED" : "ok", iters, good,
        npids);
    if (good != iters)
        rc = 1;
done:
    __atomic_store_n(&g_noise_stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 4; i++)
        pthread_join(noise[i], NULL);
    PQfinish(conn);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* describe SQL: RowDescription fields (name, table OID, attnum, type) from a simple query
 * and from Describe of a prepared statement; both must agree. */

static int cmd_describe(int argc, char **argv)
{
    if (argc < 1)
        return 64;
    PGconn *conn = connect_or_die(g_conninfo);
    PGresult *r = PQexec(conn, argv[0]);
    PGresult *d = NULL;
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        out("describe: query failed: %s\n", PQresultErrorMessage(r));
        rc = 1;
        goto done;
    }
    PGresult *p = PQprepare(conn, "describe_stmt", argv[0], 0, NULL);
    PQclear(p);
    d = PQdescribePrepared(conn, "describe_stmt");
    if (PQresultStatus(d) != PGRES_COMMAND_OK || PQnfields(d) != PQnfields(r)) {
        out("describe: Describe failed: %s\n", PQresultErrorMessage(d));
        rc = 1;
        goto done;
    }
    for (int i = 0; i < PQnfields(r); i++) {
        out("%s table=%u attnum=%d type=%u\n", PQfname(r, i), PQftable(r, i), PQftablecol(r, i),
            PQftype(r, i));
        if (PQftable(r, i) != PQftable(d, i) || PQftablecol(r, i) != PQftablecol(d, i)) {
            out("describe: Describe gives table=%u attnum=%d for %s\n", PQftable(d, i),
                PQftablecol(d, i), PQfname(r, i));
            rc = 1;
        }
    }
done:
    PQclear(r);
    PQclear(d);
    PQfinish(conn);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------ */
/* binary: per stdin line "TYPE<TAB>LITERAL": SELECT $1::TYPE (text parameter) with a binary
 * result, then the same bytes sent back as a binary parameter of that type and returned as
 * text. Prints TYPE|oid|hex|text, TYPE|oid|hex|ERR|sqlstate when the parameter is refused,
 * or TYPE|ERR|sqlstate|binary result. */

/* Send one extended-protocol query and return its (last) result; bounded. NULL on timeout. */
static PGresult *exec_params_bounded(PGconn *conn, const char *sql, int n, const Oid *types,
                                     const char *const *values, const int *lengths,
                                     const int *formats, int result_format)
{
    if (!PQsendQueryParams(conn, sql, n, types, values, lengths, formats, result_format))
        return NULL;
    int64_t deadline = now_ms() + g_timeout_ms;
    PGresult *last = NULL;
    for (;;) {
        if (!wait_ready(conn, deadline)) {
            PQclear(last);
            return NULL;
        }
        PGresult *r = PQgetResult(conn);
        if (!r)
            return last;
        PQclear(last);
        last = r;
    }
}

static void print_result_error(const char *type, PGresult *r, const char *step)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    out("%s|ERR|%s|%s\n", type, state ? state : (r ? "NOSTATE" : "TIMEOUT"), step);
}

/* A "query<TAB>SQL" line of binary: the first row of SQL in binary and in text, printed as
 * query|oid:hex,...|text,...; 1 on failure. */
static int binary_query(PGconn *conn, const char *sql)
{
    PGresult *bin = exec_params_bounded(conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    PGresult *txt = exec_params_bounded(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    int failed = 0;
    if (!bin || !txt || PQresultStatus(bin) != PGRES_TUPLES_OK ||
        PQresultStatus(txt) != PGRES_TUPLES_OK || PQntuples(bin) < 1 || PQntuples(txt) < 1) {
        print_result_error("query", bin && PQresultStatus(bin) != PGRES_TUPLES_OK ? bin : txt, sql);
        failed = 1;
    } else {
        out("query");
        for (int c = 0; c < PQnfields(bin); c++) {
            out("%s%u:", c ? "," : "|", (unsigned)PQftype(bin, c));
            for (int i = 0; i < PQgetlength(bin, 0, c); i++)
                out("%02x", (unsigned char)PQgetvalue(bin, 0, c)[i]);
        }
        for (int c = 0; c < PQnfields(txt); c++)
            out("%s%s", c ? "," : "|", PQgetvalue(txt, 0, c));
        out("\n");
    }
    PQclear(bin);
    PQclear(txt);
    return failed;
}

static int cmd_binary(void)
{
    PGconn *conn = connect_or_die(g_conninfo);
    char line[8192];
    int failures = 0;
    for (int lineno = 0; lineno < 10000 && fgets(line, sizeof line, stdin); lineno++) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!line[0] || line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        const char *type = line, *literal = tab + 1;
        if (strcmp(type, "query") == 0) {
            failures += binary_query(conn, literal);
            continue;
        }
        char sql[sizeof line + 32];
        snprintf(sql, sizeof sql, "SELECT $1::%s", type);
        const char *vals[1] = {literal};
        PGresult *r = exec_params_bounded(conn, sql, 1, NULL, vals, NULL, NULL, 1);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            print_result_error(type, r, "binary result");
            PQclear(r);
            failures++;
            continue;
        }
        Oid oid = PQftype(r, 0);
        int len = PQgetlength(r, 0, 0);
        char *bytes = malloc((size_t)len + 1);
        memcpy(bytes, PQgetvalue(r, 0, 0), (size_t)len);
        char *hex = malloc((size_t)len * 2 + 1);
        for (int i = 0; i < len; i++)
            sprintf(hex + 2 * i, "%02x", (unsigned char)bytes[i]);
        hex[2 * len] = '\0';
        PQclear(r);

        snprintf(sql, sizeof sql, "SELECT ($1::%s)::text", type);
        const char *bvals[1] = {bytes};
        int lens[1] = {len}, fmts[1] = {1};
        Oid types[1] = {oid};
        r = exec_params_bounded(conn, sql, 1, types, bvals, lens, fmts, 0);
        if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
            out("%s|%u|%s|ERR|%s\n", type, (unsigned)oid, hex,
                state ? state : (r ? "NOSTATE" : "TIMEOUT"));
            failures++;
        } else {
            char buf[4096];
            out("%s|%u|%s|%s\n", type, (unsigned)oid, hex,
                one_line(PQgetvalue(r, 0, 0), buf, sizeof buf));
        }
        PQclear(r);
        free(hex);
        free(bytes);
    }
    PQfinish(conn);
    return failures ? 1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* pipeline: libpq pipeline mode over a table pipe(id int primary key) that the caller created
 * empty. Prints one line per result (status and tag or SQLSTATE) and the final count|sum, so
 * that two servers can be compared: statements before a Sync form one implicit transaction. */

static PGresult *next_result_bounded(PGconn *conn, int64_t deadline)
{
    if (!wait_ready(conn, deadline))
        return NULL;
    return PQgetResult(conn);
}

static void pipeline_send(PGconn *conn, const char *sql)
{
    if (!PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
        out("SENDFAIL|%s\n", PQerrorMessage(conn));
        exit(1);
    }
}

/* Read the results of n queries and one Sync; print them. */
static void pipeline_collect(PGconn *conn, int n)
{
    int64_t deadline = now_ms() + g_timeout_ms;
    PQflush(conn);
    for (int i = 0; i < n + 1; i++) {
        PGresult *r = next_result_bounded(conn, deadline);
        if (!r) {
            out("TIMEOUT\n");
            exit(4);
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            out("ERR|%s\n", state ? state : "NOSTATE");
        } else if (st == PGRES_PIPELINE_SYNC) {
            out("SYNC|%c\n", PQtransactionStatus(conn) == PQTRANS_IDLE      ? 'I'
                             : PQtransactionStatus(conn) == PQTRANS_INTRANS ? 'T'
                                                                            : 'E');
        } else {
            out("%s|%s\n", PQresStatus(st), PQcmdStatus(r));
        }
        if (st != PGRES_PIPELINE_SYNC) {
            PQclear(r);
            r = next_result_bounded(conn, deadline); /* the NULL that ends a query's results */
            if (r) {
                out("EXTRA|%s\n", PQresStatus(PQresultStatus(r)));
                PQclear(r);
            }
        } else {
            PQclear(r);
        }
    }
}

static int cmd_pipeline(void)
{
    PGconn *conn = connect_or_die(g_conninfo);
    if (!PQenterPipelineMode(conn)) {
        out("NOPIPELINE\n");
        return 1;
    }
    pipeline_send(conn, "INSERT INTO pipe VALUES (1)");
    pipeline_send(conn, "INSERT INTO pipe VALUES (2)");
    PQpipelineSync(conn);
    pipeline_collect(conn, 2);
    /* A failure undoes what came before it up to the Sync and skips what follows. */
    pipeline_send(conn, "INSERT INTO pipe VALUES (3)");
    pipeline_send(conn, "INSERT INTO pipe VALUES (1)");
    pipeline_send(conn, "INSERT INTO pipe VALUES (4)");
    PQpipelineSync(conn);
    pipeline_collect(conn, 3);
    /* An explicit block spans Syncs. */
    pipeline_send(conn, "BEGIN");
    pipeline_send(conn, "INSERT INTO pipe VALUES (5)");
    PQpipelineSync(conn);
    pipeline_collect(conn, 2);
    pipeline_send(conn, "INSERT INTO pipe VALUES (6)");
    pipeline_send(conn, "COMMIT");
    PQpipelineSync(conn);
    pipeline_collect(conn, 2);
    /* Reads and writes mixed before one Sync see each other. */
    pipeline_send(conn, "INSERT INTO pipe VALUES (7)");
    pipeline_send(conn, "SELECT count(*) FROM pipe");
    pipeline_send(conn, "DELETE FROM pipe WHERE id = 7");
    PQpipelineSync(conn);
    pipeline_collect(conn, 3);
    PQexitPipelineMode(conn);
    struct res r;
    if (!run_ok(conn, "SELECT count(*), sum(id) FROM pipe", &r)) {
        out("ERR|%s\n", r.state);
        return 1;
    }
    out("FINAL|%s\n", r.value);
    PQfinish(conn);
    return 0;
}
/*
 * corpus FILE TARGET [extended]: run each statement of FILE and print one normalised record per
 * statement, for diffing the answers of two servers (tests/integration/19_sqlite_diff.sh):
 *   "== N: SQL"                            the statement (first line, at most 160 characters)
 *   "error SQLSTATE"  or  "tag TAG"        the error's SQLSTATE, or the command tag
 *   "cols NAME:OID NAME:OID ..."           result columns (PQfname / PQftype)
 *   "row V|V|..."                          rows, NULL as \N, with newlines and '|' escaped
 * A statement ends with a line ending in ';'. Lines starting with "--" are comments; two of
 * them tag the next statement:
 *   "-- refused: REASON"  TARGET sqlite must answer 0A000; both targets then print
 *                         "refused: REASON" (anything else on sqlite prints the record, which
 *                         the diff then shows);
 *   "-- differs: REASON"  a known difference: every line of the record starts with "~ ", for
 *                         the diff to ignore (diff -I '^~') and the test to count;
 *   "-- params: V|V|..."  the statement has parameters, given these text values (\N: NULL):
 *                         in either mode it is prepared unnamed, described and executed
 *                         (PQsendPrepare / PQsendDescribePrepared / PQsendQueryPrepared), and
 *                         the record has two more lines after the statement: "params OID ..."
 *                         (ParameterDescription) and "dcols NAME:OID ..." (the statement's
 *                         RowDescription, before any row);
 *   "-- ptypes: OID|OID"  with "-- params:": the parameter types Parse gives (0: unspecified).
 * With "extended", statements go through the extended protocol (Parse/Bind/Describe/Execute).
 */

static void corpus_escape(const char *v, char *buf, size_t cap)
{
    size_t n = 0;
    for (; *v && n + 3 < cap; v++) {
        if (*v == '\n' || *v == '\r' || *v == '|' || *v == '\\') {
            buf[n++] = '\\';
            buf[n++] = *v == '\n' ? 'n' : *v == '\r' ? 'r' : *v;
        } else {
            buf[n++] = *v;
        }
    }
    buf[n] = '\0';
}

/*
 * Run one statement and print its record, each line prefixed with pfx. For a statement tagged
 * refused (reason), print "refused: reason" instead when not on sqlite or when the answer is
 * 0A000. Returns 0, or 3/4 when the connection broke or timed out.
 */
/* The results of what was sent, the last one into *last (NULL when none) and the first error's
 * SQLSTATE into state[8] ("" when none); false on timeout (then TIMEOUT was printed). */
static bool corpus_results(PGconn *conn, const char *sql, PGresult **last, char *state)
{
    int64_t deadline = now_ms() + g_timeout_ms;
    *last = NULL;
    state[0] = '\0';
    for (;;) {
        if (!wait_ready(conn, deadline)) {
            out("TIMEOUT|%s\n", sql);
            if (*last)
                PQclear(*last);
            *last = NULL;
            return false;
        }
        PGresult *pr = PQgetResult(conn);
        if (!pr)
            return true;
        ExecStatusType st = PQresultStatus(pr);
        if (st == PGRES_COPY_IN)
            PQputCopyEnd(conn, "pgclient corpus does not feed COPY");
        if (st == PGRES_FATAL_ERROR && !state[0]) {
            const char *s = PQresultErrorField(pr, PG_DIAG_SQLSTATE);
            snprintf(state, 8, "%s", s ? s : "NOSTATE");
        }
        if (*last)
            PQclear(*last);
        *last = pr;
    }
}

/* "-- params:" statements: prepare and describe the unnamed statement, printing its parameter
 * types and columns; false with state set when the server refused it. */
static int corpus_prepare(PGconn *conn, const char *sql, const char *pfx, char *state,
                          const Oid *types, int n_types)
{
    PGresult *last;
    char line[8192], esc[1024];
    size_t used;
    if (!PQsendPrepare(conn, "", sql, n_types, types)) {
        out("%serror NOSEND %s", pfx, PQerrorMessage(conn));
        return 3;
    }
    if (!corpus_results(conn, sql, &last, state))
        return 4;
    if (last)
        PQclear(last);
    if (state[0])
        return 0;
    if (!PQsendDescribePrepared(conn, "")) {
        out("%serror NOSEND %s", pfx, PQerrorMessage(conn));
        return 3;
    }
    if (!corpus_results(conn, sql, &last, state))
        return 4;
    if (!state[0] && last) {
        used = (size_t)snprintf(line, sizeof line, "%sparams", pfx);
        for (int j = 0; j < PQnparams(last) && used < sizeof line; j++)
            used += (size_t)snprintf(line + used, sizeof line - used, " %u", PQparamtype(last, j));
        out("%s\n", line);
        used = (size_t)snprintf(line, sizeof line, "%sdcols", pfx);
        for (int j = 0; j < PQnfields(last) && used < sizeof line; j++) {
            corpus_escape(PQfname(last, j), esc, sizeof esc);
            used +=
                (size_t)snprintf(line + used, sizeof line - used, " %s:%u", esc, PQftype(last, j));
        }
        out("%s\n", line);
    }
    if (last)
        PQclear(last);
    return 0;
}

static int corpus_run(PGconn *conn, const char *sql, bool extended, const char *pfx,
                      const char *refused, bool sqlite, char *params, const char *ptypes)
{
    char state[8];
    const char *vals[64];
    Oid types[64];
    int n_vals = 0, n_types = 0, sent;
    state[0] = '\0';
    for (const char *p = ptypes; p && *p && n_types < 64; n_types++) {
        char *end;
        types[n_types] = (Oid)strtoul(p, &end, 10);
        p = *end == '|' ? end + 1 : NULL;
    }
    if (params) {
        for (char *v = params; v && n_vals < 64; n_vals++) {
            char *bar = strchr(v, '|');
            if (bar)
                *bar = '\0';
            vals[n_vals] = strcmp(v, "\\N") == 0 ? NULL : v;
            v = bar ? bar + 1 : NULL;
        }
        int rc = corpus_prepare(conn, sql, pfx, state, n_types ? types : NULL, n_types);
        if (rc)
            return rc;
        sent = state[0] ? 1 : PQsendQueryPrepared(conn, "", n_vals, vals, NULL, NULL, 0);
    } else {
        sent = extended ? PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0)
                        : PQsendQuery(conn, sql);
    }
    if (!sent) {
        out("%serror NOSEND %s", pfx, PQerrorMessage(conn));
        return 3;
    }
    PGresult *last = NULL;
    if (!state[0] && !corpus_results(conn, sql, &last, state))
        return 4;
    bool as_refused = refused && (!sqlite || strcmp(state, "0A000") == 0);
    if (as_refused)
        out("refused: %s\n", refused);
    else if (refused)
        out("NOT REFUSED (expected 0A000: %s)\n", refused);
    if (as_refused) {
        /* the record is the refusal */
    } else if (state[0]) {
        out("%serror %s\n", pfx, state);
    } else if (last) {
        char line[65536], esc[8192];
        size_t used;
        out("%stag %s\n", pfx, PQcmdStatus(last));
        if (PQresultStatus(last) == PGRES_TUPLES_OK) {
            used = (size_t)snprintf(line, sizeof line, "%scols", pfx);
            for (int j = 0; j < PQnfields(last) && used < sizeof line; j++) {
                corpus_escape(PQfname(last, j), esc, sizeof esc);
                used += (size_t)snprintf(line + used, sizeof line - used, " %s:%u", esc,
                                         PQftype(last, j));
            }
            out("%s\n", line);
            for (int i = 0; i < PQntuples(last); i++) {
                used = (size_t)snprintf(line, sizeof line, "%srow ", pfx);
                for (int j = 0; j < PQnfields(last) && used < sizeof line; j++) {
                    if (PQgetisnull(last, i, j))
                        snprintf(esc, sizeof esc, "\\N");
                    else
                        corpus_escape(PQgetvalue(last, i, j), esc, sizeof esc);
                    used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", j ? "|" : "",
                                             esc);
                }
                out("%s\n", line);
            }
        }
    }
    if (last)
        PQclear(last);
    return PQstatus(conn) == CONNECTION_BAD ? 3 : 0;
}

static int cmd_corpus(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "sqlite") != 0 && strcmp(argv[1], "pg") != 0)) {
        fprintf(stderr, "corpus FILE sqlite|pg [extended]\n");
        return 64;
    }
    bool sqlite = strcmp(argv[1], "sqlite") == 0;
    bool extended = argc > 2 && strcmp(argv[2], "extended") == 0;
    FILE *f = fopen(argv[0], "r");
    if (!f) {
        perror(argv[0]);
        return 2;
    }
    PGconn *conn = connect_or_die(g_conninfo);
    static char sql[262144];
    char line[65536], refused[512] = "", differs[512] = "", params[4096] = "", ptypes[512] = "";
    size_t len = 0;
    int n = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' '))
            line[--l] = '\0';
        if (len == 0 && (l == 0 || strncmp(line, "--", 2) == 0)) {
            if (strncmp(line, "-- refused:", 11) == 0)
                snprintf(refused, sizeof refused, "%.500s", line + 12);
            else if (strncmp(line, "-- differs:", 11) == 0)
                snprintf(differs, sizeof differs, "%.500s", line + 12);
            else if (strncmp(line, "-- params:", 10) == 0)
                snprintf(params, sizeof params, "%.4000s", line + 11);
            else if (strncmp(line, "-- ptypes:", 10) == 0)
                snprintf(ptypes, sizeof ptypes, "%.500s", line + 11);
            continue;
        }
        if (len + l + 2 >= sizeof sql) {
            fprintf(stderr, "statement too long near line: %s\n", line);
            rc = 2;
            break;
        }
        if (len)
            sql[len++] = '\n';
        memcpy(sql + len, line, l + 1);
        len += l;
        if (l == 0 || line[l - 1] != ';')
            continue;
        sql[--len] = '\0'; /* the statement, without its ';' */
        char head[200];
        const char *pfx = differs[0] ? "~ " : "";
        n++;
        snprintf(head, sizeof head, "%.160s", sql);
        for (char *p = head; *p; p++)
            if (*p == '\n')
                *p = ' ';
        out("%s== %d: %s\n", pfx, n, head);
        rc = corpus_run(conn, sql, extended, pfx, refused[0] ? refused : NULL, sqlite,
                        params[0] ? params : NULL, ptypes);
        refused[0] = differs[0] = params[0] = ptypes[0] = '\0';
        len = 0;
    }
    fclose(f);
    PQfinish(conn);
    if (len)
        fprintf(stderr, "unterminated statement at the end of %s\n", argv[0]);
    out("DONE %d statements\n", n);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(
        stderr,
        "usage: pgclient [-t SECONDS] CONNINFO COMMAND [ARGS]\n"
        "  script               stdin: one SQL statement per line, or \\sleep MS, \\echo TEXT,\n"
        "                       \\param NAME, \\close; a line \"@2 ...\" runs on a second "
        "session;\n"
        "                       prints CONNECTED, then per statement\n"
        "                       OK|tag|values|time or ERR|sqlstate|message|time; "
        "CONNERR|state|msg\n"
        "  concurrent N ITER [SLEEP_MS]   N sessions x ITER checked transactions; distinct pids\n"
        "  settings N ITER      session state (GUC) tracking across pooled servers\n"
        "  cancel [ROUNDS]      cancel pg_sleep(30) within 1 s; a concurrent query unaffected\n"
        "  copy MB              COPY FROM STDIN / TO STDOUT round trip with checksums\n"
        "  copy_extended [HOLD_MS]  COPY FROM STDIN by PQexecParams, a query, then hold\n"
        "  extended N ITER [notx]  unnamed extended-protocol statements from N sessions\n"
        "  prepared ITER        named prepared statement: refused clearly, or correct\n"
        "  binary               stdin: TYPE<TAB>LITERAL lines; binary result and parameter\n"
        "                       round trip: TYPE|oid|hex|text; query<TAB>SQL: the first row\n"
        "                       in binary and text: query|oid:hex,...|text,...\n"
        "  pipeline             libpq pipeline mode on an empty table pipe(id int primary key)\n"
        "  describe SQL         table OID / attnum / type of each result column\n"
        "  corpus FILE sqlite|pg [extended]  one normalised record per statement of FILE\n"
        "                       (tag or SQLSTATE, column names and type OIDs, rows)\n");
}

int main(int argc, char **argv)
{
    int opt;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((opt = getopt(argc, argv, "+t:")) != -1) {
        if (opt == 't')
            g_timeout_ms = atoi(optarg) * 1000;
        else {
            usage();
            return 64;
        }
    }
    if (argc - optind < 2) {
        usage();
        return 64;
    }
    g_conninfo = argv[optind];
    const char *cmd = argv[optind + 1];
    int rest = argc - optind - 2;
    char **args = argv + optind + 2;
    if (strcmp(cmd, "script") == 0)
        return cmd_script();
    if (strcmp(cmd, "concurrent") == 0)
        return cmd_concurrent(rest, args);
    if (strcmp(cmd, "settings") == 0)
        return cmd_settings(rest, args);
    if (strcmp(cmd, "cancel") == 0)
        return cmd_cancel(rest, args);
    if (strcmp(cmd, "copy") == 0)
        return cmd_copy(rest, args);
    if (strcmp(cmd, "copy_extended") == 0)
        return cmd_copy_extended(rest, args);
    if (strcmp(cmd, "extended") == 0)
        return cmd_extended(rest, args);
    if (strcmp(cmd, "prepared") == 0)
        return cmd_prepared(rest, args);
    if (strcmp(cmd, "binary") == 0)
        return cmd_binary();
    if (strcmp(cmd, "pipeline") == 0)
        return cmd_pipeline();
    if (strcmp(cmd, "describe") == 0)
        return cmd_describe(rest, args);
    if (strcmp(cmd, "corpus") == 0)
        return cmd_corpus(rest, args);
    usage();
    return 64;
}
