/* libpq against one target: tests/clients/libpq.sh. Parameters in text and binary, results in
 * text and binary, a rolled back transaction, errors on a connection that goes on, PQprepare /
 * PQdescribePrepared / PQexecPrepared re-executed, and pipeline mode with a named statement and an
 * error inside the pipeline. Connection parameters come from the environment client_run sets.
 * Prints "ok <step>" per step, or "FAIL <step>: <what>" and exits 1. */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPEAT 12
#define NCOLS  15

static const char *step = "start";
static PGconn *conn;
static char table[128];
static char *big;
static char bytes[259];
static const char *cols[NCOLS] = {"id",  "t", "i2", "i4", "i8", "n", "f8", "b",
                                  "nul", "u", "by", "ts", "uu", "j", "big"};
static const char UNI[] =
    "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
    "\xf0\x9f\x90\x9c";
static const char JSON[] = "{\"a\": [1, 2, {\"b\": null}], \"c\": \"\xc3\xbc\", \"d\": 1.5}";
static const char TS[] = "2024-02-29 12:34:56.789+00";

static void fail(const char *fmt, ...)
{
    va_list ap;
    printf("FAIL %s: ", step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit(1);
}

static void ok(void)
{
    printf("ok %s\n", step);
    fflush(stdout);
}

static PGresult *check(PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) != want) {
        const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        fail("%s: %s [%s] %s", what, PQresStatus(PQresultStatus(r)), st ? st : "",
             r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
    }
    return r;
}

static void exec_ok(const char *sql)
{
    PQclear(check(PQexec(conn, sql), PGRES_COMMAND_OK, sql));
}

static void expect_str(const char *want, const char *got, const char *what)
{
    if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
        fail("%s: got '%.200s', want '%.200s'", what, got ? got : "(null)", want ? want : "(null)");
}

static void expect_state(PGresult *r, const char *code, const char *what)
{
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) != PGRES_FATAL_ERROR || !st || strcmp(st, code) != 0)
        fail("%s: want an error %s, got %s [%s] %s", what, code, PQresStatus(PQresultStatus(r)),
             st ? st : "", PQresultErrorMessage(r));
    PQclear(r);
}

/* The values of row id, as text (bytea as raw bytes, sent in binary). */
static void values_of(int id, const char **v, int *len, int *fmt, char *idbuf, char *tbuf)
{
    snprintf(idbuf, 16, "%d", id);
    snprintf(tbuf, 64, "plain text %d", id);
    const char *vals[NCOLS] = {idbuf,
                               tbuf,
                               "-32768",
                               "2147483647",
                               "9007199254740993",
                               "-1234567890.12345",
                               "0.1",
                               "t",
                               NULL,
                               UNI,
                               bytes,
                               TS,
                               "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                               JSON,
                               big};
    for (int i = 0; i < NCOLS; i++) {
        v[i] = vals[i];
        len[i] = i == 10 ? (int)sizeof bytes : 0;
        fmt[i] = i == 10 ? 1 : 0;
    }
}

static PGresult *insert(int id)
{
    const char *v[NCOLS];
    int len[NCOLS], fmt[NCOLS];
    char idbuf[16], tbuf[64], sql[512];
    values_of(id, v, len, fmt, idbuf, tbuf);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (id, t, i2, i4, i8, n, f8, b, nul, u, by, ts, uu, j, big) VALUES "
             "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
             table);
    return PQexecParams(conn, sql, NCOLS, NULL, v, len, fmt, 0);
}

static void check_row(PGresult *r, int id, int binary)
{
    const char *v[NCOLS];
    int len[NCOLS], fmt[NCOLS];
    char idbuf[16], tbuf[64], what[64];
    values_of(id, v, len, fmt, idbuf, tbuf);
    if (PQntuples(r) != 1 || PQnfields(r) != NCOLS + 1)
        fail("row %d: %d rows of %d columns", id, PQntuples(r), PQnfields(r));
    for (int i = 0; i < NCOLS; i++) {
        const char *g = PQgetisnull(r, 0, i) ? NULL : PQgetvalue(r, 0, i);
        snprintf(what, sizeof what, "column %s (%s)", cols[i], binary ? "binary" : "text");
        if (i == 11 || (binary && (i == 5 || i == 6)))
            continue; /* ts compared by the server below; numeric/float8 binary forms skipped */
        if (i == 10) {
            size_t n = 0;
            unsigned char *b = binary ? NULL : PQunescapeBytea((const unsigned char *)g, &n);
            const void *gb = binary ? (const void *)g : b;
            n = binary ? (size_t)PQgetlength(r, 0, i) : n;
            if (n != sizeof bytes || memcmp(gb, bytes, n) != 0)
                fail("%s: %zu bytes differ", what, n);
            PQfreemem(b);
            continue;
        }
        if (binary && g) {
            char buf[64];
            uint32_t u32;
            uint16_t u16;
            if (i == 0 || i == 3) {
                memcpy(&u32, g, 4);
                snprintf(buf, sizeof buf, "%d", (int32_t)ntohl(u32));
                g = buf;
            } else if (i == 2) {
                memcpy(&u16, g, 2);
                snprintf(buf, sizeof buf, "%d", (int16_t)ntohs(u16));
                g = buf;
            } else if (i == 4) {
                uint32_t hi, lo;
                memcpy(&hi, g, 4);
                memcpy(&lo, g + 4, 4);
                snprintf(buf, sizeof buf, "%lld",
                         (long long)(((uint64_t)ntohl(hi) << 32) | ntohl(lo)));
                g = buf;
            } else if (i == 7) {
                g = g[0] == 1 ? "t" : "f";
            } else if (i == 12) {
                const unsigned char *p = (const unsigned char *)g;
                int k = 0;
                for (int j = 0; j < 16; j++) {
                    k += snprintf(buf + k, sizeof buf - k, "%02x", p[j]);
                    if (j == 3 || j == 5 || j == 7 || j == 9)
                        buf[k++] = '-';
                }
                buf[k] = 0;
                g = buf;
            }
            expect_str(v[i], g, what);
            continue;
        }
        expect_str(v[i], g, what);
    }
    const char *tsok = PQgetvalue(r, 0, NCOLS);
    if (!(binary ? tsok[0] == 1 : strcmp(tsok, "t") == 0))
        fail("column ts: %s", PQgetvalue(r, 0, 11));
}

static PGresult *select_row(int id, int binary)
{
    char sql[256], idbuf[16];
    snprintf(sql, sizeof sql,
             "SELECT id, t, i2, i4, i8, n, f8, b, nul, u, by, ts, uu, j, big, ts = $1::timestamptz "
             "FROM %s WHERE id = $2",
             table);
    snprintf(idbuf, sizeof idbuf, "%d", id);
    const char *p[2] = {TS, idbuf};
    return check(PQexecParams(conn, sql, 2, NULL, p, NULL, NULL, binary), PGRES_TUPLES_OK, sql);
}

static long count_rows(void)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    PGresult *r = check(PQexec(conn, sql), PGRES_TUPLES_OK, sql);
    long n = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

static PGresult *next_result(ExecStatusType want, const char *what)
{
    PGresult *r = PQgetResult(conn);
    if (!r)
        fail("%s: no result", what);
    return check(r, want, what);
}

static void end_of_query(const char *what)
{
    PGresult *r = PQgetResult(conn);
    if (r)
        fail("%s: a further result %s", what, PQresStatus(PQresultStatus(r)));
}

int main(void)
{
    char conninfo[512], sql[512], buf[64];
    const char *e[5] = {getenv("MX_HOST"), getenv("MX_PORT"), getenv("MX_USER"),
                        getenv("MX_PASSWORD"), getenv("MX_DBNAME")};
    for (int i = 0; i < 5; i++)
        if (!e[i])
            fail("MX_HOST, MX_PORT, MX_USER, MX_PASSWORD, MX_DBNAME, MX_TABLE must be set");
    snprintf(table, sizeof table, "%s", getenv("MX_TABLE") ? getenv("MX_TABLE") : "t_libpq");
    big = malloc(1 << 20 | 1);
    for (int i = 0; i < 1 << 20; i++)
        big[i] = (char)('a' + (i % 1024) % 26);
    big[1 << 20] = 0;
    for (int i = 0; i < 256; i++)
        bytes[i] = (char)i;
    memcpy(bytes + 256, "\0\\'", 3);

    step = "connect with SCRAM";
    snprintf(conninfo, sizeof conninfo,
             "host=%s port=%s user=%s password=%s dbname=%s connect_timeout=10", e[0], e[1], e[2],
             e[3], e[4]);
    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK)
        fail("%s", PQerrorMessage(conn));
    ok();

    step = "create table";
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", table);
    exec_ok(sql);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, "
             "n numeric, f8 double precision, b boolean, nul text, u text, by bytea, ts "
             "timestamptz, uu uuid, j json, big text)",
             table);
    exec_ok(sql);
    ok();

    step = "insert and select with parameters (text and binary results)";
    PQclear(check(insert(1), PGRES_COMMAND_OK, "insert"));
    PGresult *r = select_row(1, 0);
    check_row(r, 1, 0);
    PQclear(r);
    r = select_row(1, 1);
    check_row(r, 1, 1);
    PQclear(r);
    ok();

    step = "transaction rolled back";
    exec_ok("BEGIN");
    PQclear(check(insert(2), PGRES_COMMAND_OK, "insert"));
    if (count_rows() != 2)
        fail("rows inside the transaction: %ld", count_rows());
    exec_ok("ROLLBACK");
    if (count_rows() != 1)
        fail("rows after ROLLBACK: %ld", count_rows());
    ok();

    step = "error then the same connection goes on";
    expect_state(insert(1), "23505", "duplicate key");
    const char *zero[1] = {"0"};
    expect_state(PQexecParams(conn, "SELECT 1 / $1::int", 1, NULL, zero, NULL, NULL, 0), "22012",
                 "1 / 0");
    exec_ok("BEGIN");
    expect_state(PQexec(conn, "SELECT 1 / 0"), "22012", "1 / 0 in a transaction");
    expect_state(PQexec(conn, "SELECT 1"), "25P02", "a failed transaction");
    exec_ok("ROLLBACK");
    if (count_rows() != 1)
        fail("query after the errors");
    ok();

    step = "PQprepare, PQdescribePrepared, PQexecPrepared re-executed";
    snprintf(sql, sizeof sql, "SELECT i4 - $1, u || $2, n + $3 FROM %s WHERE id = $4", table);
    Oid types[4] = {23, 25, 0, 0};
    PQclear(check(PQprepare(conn, "calc", sql, 4, types), PGRES_COMMAND_OK, "PQprepare calc"));
    PQclear(check(PQprepare(conn, "echo", "SELECT $1::text || 'x', $2::int * 2", 2, NULL),
                  PGRES_COMMAND_OK, "PQprepare echo"));
    r = check(PQdescribePrepared(conn, "calc"), PGRES_COMMAND_OK, "PQdescribePrepared");
    if (PQnparams(r) != 4 || PQparamtype(r, 0) != 23 || PQparamtype(r, 1) != 25 ||
        PQparamtype(r, 2) != 1700 || PQparamtype(r, 3) != 23)
        fail("parameters of calc: %d: %u %u %u %u", PQnparams(r), PQparamtype(r, 0),
             PQparamtype(r, 1), PQparamtype(r, 2), PQparamtype(r, 3));
    if (PQnfields(r) != 3 || PQftype(r, 0) != 23 || PQftype(r, 1) != 25 || PQftype(r, 2) != 1700)
        fail("columns of calc: %d: %u %u %u", PQnfields(r), PQftype(r, 0), PQftype(r, 1),
             PQftype(r, 2));
    PQclear(r);
    for (int i = 0; i < REPEAT; i++) {
        char is[16], want[3][128];
        snprintf(is, sizeof is, "%d", i);
        const char *p[4] = {is, is, is, "1"};
        r = check(PQexecPrepared(conn, "calc", 4, p, NULL, NULL, 0), PGRES_TUPLES_OK, "calc");
        snprintf(want[0], sizeof want[0], "%d", 2147483647 - i);
        snprintf(want[1], sizeof want[1], "%s%d", UNI, i);
        snprintf(want[2], sizeof want[2], "%.5f", -1234567890.12345 + i);
        for (int k = 0; k < 3; k++)
            expect_str(want[k], PQntuples(r) == 1 ? PQgetvalue(r, 0, k) : NULL, "calc result");
        PQclear(r);
        snprintf(buf, sizeof buf, "s%d", i);
        const char *p2[2] = {buf, is};
        r = check(PQexecPrepared(conn, "echo", 2, p2, NULL, NULL, 1), PGRES_TUPLES_OK, "echo");
        uint32_t v;
        memcpy(&v, PQgetvalue(r, 0, 1), 4);
        snprintf(want[0], sizeof want[0], "s%dx", i);
        expect_str(want[0], PQgetvalue(r, 0, 0), "echo result");
        if ((int32_t)ntohl(v) != 2 * i)
            fail("echo result %d: %d", i, (int32_t)ntohl(v));
        PQclear(r);
    }
    ok();

    step = "pipeline mode";
    if (!PQenterPipelineMode(conn))
        fail("PQenterPipelineMode: %s", PQerrorMessage(conn));
    if (!PQsendPrepare(conn, "pipe", "SELECT $1::int * 10, $2::text", 2, NULL))
        fail("PQsendPrepare: %s", PQerrorMessage(conn));
    for (int i = 0; i < 5; i++) {
        char is[16];
        snprintf(is, sizeof is, "%d", i);
        const char *p[2] = {is, is};
        if (!PQsendQueryPrepared(conn, "pipe", 2, p, NULL, NULL, i % 2))
            fail("PQsendQueryPrepared: %s", PQerrorMessage(conn));
    }
    const char *p1[1] = {"1"};
    PQsendQueryPrepared(conn, "calc", 4, (const char *[]){"1", "1", "1", "1"}, NULL, NULL, 0);
    PQsendQueryParams(conn, "SELECT 1 / ($1::int - 1)", 1, NULL, p1, NULL, NULL, 0);
    PQsendQueryPrepared(conn, "pipe", 2, (const char *[]){"7", "x"}, NULL, NULL, 0);
    PQpipelineSync(conn);
    PQsendQueryPrepared(conn, "pipe", 2, (const char *[]){"8", "y"}, NULL, NULL, 0);
    PQsendDescribePrepared(conn, "pipe");
    PQpipelineSync(conn);
    PQclear(next_result(PGRES_COMMAND_OK, "pipelined Parse"));
    end_of_query("pipelined Parse");
    for (int i = 0; i < 5; i++) {
        r = next_result(PGRES_TUPLES_OK, "pipelined execution");
        int got;
        if (i % 2) {
            uint32_t v;
            memcpy(&v, PQgetvalue(r, 0, 0), 4);
            got = (int32_t)ntohl(v);
        } else {
            got = atoi(PQgetvalue(r, 0, 0));
        }
        snprintf(buf, sizeof buf, "%d", i);
        if (got != 10 * i || strcmp(PQgetvalue(r, 0, 1), buf) != 0)
            fail("pipelined execution %d: %d, %s", i, got, PQgetvalue(r, 0, 1));
        PQclear(r);
        end_of_query("pipelined execution");
    }
    r = next_result(PGRES_TUPLES_OK, "pipelined calc");
    expect_str("2147483646", PQgetvalue(r, 0, 0), "pipelined calc");
    PQclear(r);
    end_of_query("pipelined calc");
    expect_state(PQgetResult(conn), "22012", "error in the pipeline");
    end_of_query("error in the pipeline");
    PQclear(next_result(PGRES_PIPELINE_ABORTED, "statement after the error"));
    end_of_query("statement after the error");
    PQclear(next_result(PGRES_PIPELINE_SYNC, "first sync"));
    r = next_result(PGRES_TUPLES_OK, "execution after the sync");
    expect_str("80", PQgetvalue(r, 0, 0), "execution after the sync");
    PQclear(r);
    end_of_query("execution after the sync");
    r = next_result(PGRES_COMMAND_OK, "pipelined describe");
    if (PQnparams(r) != 2 || PQparamtype(r, 0) != 23 || PQnfields(r) != 2)
        fail("pipelined describe: %d params, %d fields", PQnparams(r), PQnfields(r));
    PQclear(r);
    end_of_query("pipelined describe");
    PQclear(next_result(PGRES_PIPELINE_SYNC, "second sync"));
    if (!PQexitPipelineMode(conn))
        fail("PQexitPipelineMode: %s", PQerrorMessage(conn));
    ok();

    step = "deallocate and close";
    PQclear(check(PQexec(conn, "DEALLOCATE echo"), PGRES_COMMAND_OK, "DEALLOCATE echo"));
    expect_state(PQexecPrepared(conn, "echo", 2, (const char *[]){"a", "1"}, NULL, NULL, 0),
                 "26000", "a deallocated statement");
    r = check(PQexecPrepared(conn, "calc", 4, (const char *[]){"0", "", "0", "1"}, NULL, NULL, 0),
              PGRES_TUPLES_OK, "calc after DEALLOCATE echo");
    expect_str("2147483647", PQgetvalue(r, 0, 0), "calc after DEALLOCATE echo");
    PQclear(r);
    PQfinish(conn);
    free(big);
    ok();
    return 0;
}
