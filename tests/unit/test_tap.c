/*
 * Unit tests for the monitor's protocol tap (src/monitor/tap.c) and its tables
 * (src/monitor/monitor.c): which statement each reply completes, for simple queries with
 * several statements, errors part way, extended-protocol pipelines, named statements and
 * portals, empty queries and pipelines deeper than the ring; rows from CommandComplete tags;
 * the slow list and log with parameters; eviction of the least used entries; RESET.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "monitor/fingerprint.h"
#include "monitor/monitor.h"

static char tmpdir[] = "/tmp/myrmex-test-tap.XXXXXX";
static char slow_path[256];

/* Load a configuration of the [myrmex] lines given, and apply it to the monitor. */
static void configure(const char *lines)
{
    char path[300], err[512];
    FILE *f;
    struct config *cfg;

    snprintf(path, sizeof(path), "%s/myrmex.ini", tmpdir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "[myrmex]\nslow_query_log = %s\n%s\n[databases]\napp = sqlite:///tmp/x.db\n",
            slow_path, lines);
    fclose(f);
    cfg = config_load(path, err, sizeof(err));
    ck_assert_msg(cfg != NULL, "%s", err);
    monitor_configure(cfg);
    config_destroy(cfg);
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(slow_path, sizeof(slow_path), "%s/slow.log", tmpdir);
    configure("slow_query_threshold = 0");
    mon_reset(0);
}

static void teardown(void)
{
    char cmd[300];
    mon_thread_exit();
    mon_reset(0);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    strcpy(tmpdir, "/tmp/myrmex-test-tap.XXXXXX");
}

/* Message bodies ------------------------------------------------------------------------ */

static void fe(struct mon_tap *t, char type, const void *body, size_t len)
{
    mon_tap_frontend(t, (uint8_t)type, body, len, true);
}

static void query(struct mon_tap *t, const char *sql)
{
    fe(t, 'Q', sql, strlen(sql) + 1);
}

static void parse(struct mon_tap *t, const char *name, const char *sql)
{
    char b[512];
    size_t n = strlen(name) + 1, m = strlen(sql) + 1;
    memcpy(b, name, n);
    memcpy(b + n, sql, m);
    memset(b + n + m, 0, 2); /* no parameter types */
    fe(t, 'P', b, n + m + 2);
}

/* Bind portal to stmt with text parameters (NULL for a NULL). */
static void bind(struct mon_tap *t, const char *portal, const char *stmt, int np,
                 const char *const *params)
{
    uint8_t b[1024];
    size_t n = 0;
    n += (size_t)sprintf((char *)b, "%s", portal) + 1;
    n += (size_t)sprintf((char *)b + n, "%s", stmt) + 1;
    b[n++] = 0;
    b[n++] = 0; /* all text */
    b[n++] = (uint8_t)(np >> 8);
    b[n++] = (uint8_t)np;
    for (int i = 0; i < np; i++) {
        int32_t len = params[i] ? (int32_t)strlen(params[i]) : -1;
        b[n++] = (uint8_t)((uint32_t)len >> 24);
        b[n++] = (uint8_t)((uint32_t)len >> 16);
        b[n++] = (uint8_t)((uint32_t)len >> 8);
        b[n++] = (uint8_t)len;
        if (len > 0) {
            memcpy(b + n, params[i], (size_t)len);
            n += (size_t)len;
        }
    }
    b[n++] = 0;
    b[n++] = 0;
    fe(t, 'B', b, n);
}

static void execute(struct mon_tap *t, const char *portal)
{
    char b[128];
    size_t n = (size_t)sprintf(b, "%s", portal) + 1;
    memset(b + n, 0, 4);
    fe(t, 'E', b, n + 4);
}

static void sync_(struct mon_tap *t)
{
    fe(t, 'S', "", 0);
}

static void close_stmt(struct mon_tap *t, const char *name)
{
    char b[128];
    b[0] = 'S';
    size_t n = (size_t)sprintf(b + 1, "%s", name) + 2;
    fe(t, 'C', b, n);
}

static void be_ready(struct mon_tap *t, char status)
{
    mon_tap_backend(t, 'Z', (const uint8_t *)&status, 1);
}

static void be(struct mon_tap *t, char type, const char *text)
{
    mon_tap_backend(t, (uint8_t)type, (const uint8_t *)(text ? text : ""),
                    text ? strlen(text) + 1 : 0);
}

static void be_error(struct mon_tap *t, const char *sqlstate)
{
    char b[64];
    size_t n = (size_t)sprintf(b, "SERROR") + 1;
    n += (size_t)sprintf(b + n, "C%s", sqlstate) + 1;
    n += (size_t)sprintf(b + n, "Mboom") + 1;
    b[n++] = 0;
    mon_tap_backend(t, 'E', (const uint8_t *)b, n);
}

static uint64_t fp_of(const char *sql)
{
    struct fp_statement st[1];
    int n = fp_compute(sql, strlen(sql), st, 1);
    uint64_t fp;
    ck_assert_int_eq(n, 1);
    fp = st[0].fp;
    fp_statements_free(st, 1);
    return fp;
}

/* The row of fp in the shared table (after folding this thread's counts), or NULL. */
static struct mon_row found;
static const struct mon_row *row_of(uint64_t fp)
{
    struct mon_row *rows;
    int n;
    bool hit = false;

    mon_thread_flush();
    n = mon_snapshot(&rows, NULL);
    ck_assert_int_ge(n, 0);
    for (int i = 0; i < n; i++)
        if (rows[i].fp == fp) {
            free(found.query);
            found = rows[i];
            found.query = strdup(rows[i].query);
            memset(&found.hist, 0, sizeof(found.hist));
            hit = true;
        }
    mon_rows_free(rows, n);
    return hit ? &found : NULL;
}

static int n_rows(void)
{
    struct mon_row *rows;
    int n;
    mon_thread_flush();
    n = mon_snapshot(&rows, NULL);
    mon_rows_free(rows, n);
    return n;
}

/* Tests ---------------------------------------------------------------------------------- */

START_TEST(test_simple_statements)
{
    struct mon_tap t;
    const struct mon_row *r;

    mon_tap_init(&t, "app", "alice", "127.0.0.1:5555", 7);
    query(&t, "SELECT 1; SELECT 2");
    be(&t, 'C', "SELECT 1");
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    r = row_of(fp_of("SELECT 5"));
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->calls, 2);
    ck_assert_uint_eq(r->rows, 2);
    ck_assert_uint_eq(r->errors, 0);
    ck_assert_str_eq(r->db, "app");
    ck_assert_str_eq(r->user, "alice");

    /* An error part way: the failing statement counts as an error, the rest did not run. */
    query(&t, "SELECT 1; SELECT 1/0; UPDATE t SET a = 1");
    be(&t, 'C', "SELECT 1");
    be_error(&t, "22012");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT 5"))->calls, 3);
    r = row_of(fp_of("SELECT 1/0"));
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->calls, 1);
    ck_assert_uint_eq(r->errors, 1);
    ck_assert_ptr_null(row_of(fp_of("UPDATE t SET a = 1")));

    /* Rows from tags. */
    query(&t, "INSERT INTO t VALUES (1), (2), (3)");
    be(&t, 'C', "INSERT 0 3");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("INSERT INTO t VALUES (1)"))->rows, 3);
    query(&t, "CREATE TABLE u (a int)");
    be(&t, 'C', "CREATE TABLE");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("CREATE TABLE u (a int)"))->rows, 0);

    /* An empty query is answered by EmptyQueryResponse and records nothing; what follows
     * still pairs up. */
    query(&t, "");
    be(&t, 'I', NULL);
    be(&t, 'Z', NULL);
    query(&t, "SELECT 9");
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT 5"))->calls, 4);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_extended_pipeline)
{
    struct mon_tap t;
    const char *p1[] = {"1"};

    mon_tap_init(&t, "app", "bob", "", 8);
    /* Two statements in one Sync, the second an update. */
    parse(&t, "", "SELECT $1::int");
    bind(&t, "", "", 1, p1);
    execute(&t, "");
    parse(&t, "", "UPDATE t SET a = $1");
    bind(&t, "", "", 1, p1);
    execute(&t, "");
    sync_(&t);
    be(&t, '1', NULL);
    be(&t, '2', NULL);
    be(&t, 'C', "SELECT 1");
    be(&t, '1', NULL);
    be(&t, '2', NULL);
    be(&t, 'C', "UPDATE 4");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT $1::int"))->calls, 1);
    ck_assert_uint_eq(row_of(fp_of("UPDATE t SET a = $1"))->rows, 4);

    /* An error on the first Execute: the server skips to Sync, the second never runs. */
    parse(&t, "", "SELECT $1::int");
    bind(&t, "", "", 1, p1);
    execute(&t, "");
    parse(&t, "", "DELETE FROM t");
    bind(&t, "", "", 0, NULL);
    execute(&t, "");
    sync_(&t);
    be_error(&t, "22P02");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT $1::int"))->errors, 1);
    ck_assert_ptr_null(row_of(fp_of("DELETE FROM t")));

    /* A named statement prepared in one round trip, run in later ones. */
    parse(&t, "s1", "SELECT * FROM t WHERE a = $1");
    sync_(&t);
    be(&t, '1', NULL);
    be(&t, 'Z', NULL);
    for (int i = 0; i < 3; i++) {
        bind(&t, "", "s1", 1, p1);
        execute(&t, "");
        sync_(&t);
        be(&t, '2', NULL);
        be(&t, 'C', "SELECT 2");
        be(&t, 'Z', NULL);
    }
    ck_assert_uint_eq(row_of(fp_of("SELECT * FROM t WHERE a = 7"))->calls, 3);
    ck_assert_uint_eq(row_of(fp_of("SELECT * FROM t WHERE a = 7"))->rows, 6);
    /* Closed, its name no longer says what runs. */
    close_stmt(&t, "s1");
    bind(&t, "", "s1", 1, p1);
    execute(&t, "");
    sync_(&t);
    be_error(&t, "26000");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT * FROM t WHERE a = 7"))->calls, 3);

    /* A portal suspended and resumed: each Execute is a call. */
    parse(&t, "", "SELECT generate_series(1, 10)");
    bind(&t, "c1", "", 0, NULL);
    execute(&t, "c1");
    execute(&t, "c1");
    sync_(&t);
    be(&t, 's', NULL);
    be(&t, 'C', "SELECT 5");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT generate_series(1, 10)"))->calls, 2);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_pipelined_queries)
{
    struct mon_tap t;

    mon_tap_init(&t, "app", "carol", "", 9);
    /* Deeper than the ring: the ones beyond are not timed, the rest pair up, and so does
     * everything after. */
    for (int i = 0; i < MON_TAP_QUEUE + 10; i++)
        query(&t, "SELECT 1");
    for (int i = 0; i < MON_TAP_QUEUE + 10; i++) {
        be(&t, 'C', "SELECT 1");
        be(&t, 'Z', NULL);
    }
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, MON_TAP_QUEUE);
    query(&t, "SELECT 1");
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, MON_TAP_QUEUE + 1);
    /* Replies nothing asked for (an ErrorResponse at the end of a session) change nothing. */
    be_error(&t, "57P01");
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->errors, 0);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_slow_log)
{
    struct mon_tap t;
    struct mon_slow *slow;
    const char *params[] = {"42", NULL, "it's"};
    char buf[4096];
    FILE *f;
    size_t n;
    int k;

    configure("slow_query_threshold = 0.001\nslow_query_log_parameters = 1");
    mon_tap_init(&t, "app", "dave", "[::1]:5432", 12);
    mon_tap_set_app(&t, "psql");
    query(&t, "SELECT pg_sleep(0.01)");
    usleep(2000);
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    parse(&t, "q", "SELECT $1, $2, $3");
    bind(&t, "", "q", 3, params);
    execute(&t, "");
    sync_(&t);
    usleep(2000);
    be_error(&t, "42P01");
    be(&t, 'Z', NULL);

    k = mon_slow_list(&slow, NULL, 10);
    ck_assert_int_eq(k, 2);
    /* Newest first. */
    ck_assert_str_eq(slow[0].text, "SELECT $1, $2, $3");
    ck_assert_str_eq(slow[0].params, "$1 = '42', $2 = NULL, $3 = 'it''s'");
    ck_assert_str_eq(slow[0].sqlstate, "42P01");
    ck_assert_str_eq(slow[1].text, "SELECT pg_sleep(0.01)");
    ck_assert_ptr_null(slow[1].params);
    ck_assert_str_eq(slow[1].sqlstate, "");
    ck_assert(slow[1].ms >= 2.0);
    ck_assert_str_eq(slow[1].addr, "::1");
    ck_assert_str_eq(slow[1].app, "psql");
    mon_slow_free(slow, k);
    ck_assert_int_eq(mon_slow_list(&slow, "other", 10), 0);
    mon_slow_free(slow, 0);

    f = fopen(slow_path, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(buf, " UTC [12]: user=dave,db=app,app=psql,client=::1 LOG:  duration: ") !=
                      NULL,
                  "%s", buf);
    ck_assert_msg(strstr(buf, " ms  statement: SELECT pg_sleep(0.01)\n") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, " ms  execute q: SELECT $1, $2, $3\n") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "client=::1 DETAIL:  parameters: $1 = '42', $2 = NULL, "
                              "$3 = 'it''s'\n") != NULL,
                  "%s", buf);

    /* Without slow_query_log_parameters, none. */
    configure("slow_query_threshold = 0.001");
    bind(&t, "", "q", 3, params);
    execute(&t, "");
    sync_(&t);
    usleep(2000);
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    k = mon_slow_list(&slow, NULL, 1);
    ck_assert_int_eq(k, 1);
    ck_assert_str_eq(slow[0].sqlstate, "");
    ck_assert_ptr_null(slow[0].params);
    mon_slow_free(slow, k);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_eviction_and_reset)
{
    struct mon_tap t;
    char sql[64];

    configure("slow_query_threshold = 0\nmonitor_max_fingerprints = 40");
    mon_tap_init(&t, "app", "erin", "", 13);
    /* A busy statement, then many used once: the busy one stays. */
    for (int i = 0; i < 50; i++) {
        query(&t, "SELECT 1");
        be(&t, 'C', "SELECT 1");
        be(&t, 'Z', NULL);
    }
    mon_thread_flush();
    for (int i = 0; i < 100; i++) {
        snprintf(sql, sizeof(sql), "SELECT * FROM table_%d", i);
        query(&t, sql);
        be(&t, 'C', "SELECT 0");
        be(&t, 'Z', NULL);
        mon_thread_flush();
    }
    ck_assert_int_le(n_rows(), 40);
    ck_assert_ptr_nonnull(row_of(fp_of("SELECT 1")));
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, 50);
    ck_assert_ptr_nonnull(row_of(fp_of("SELECT * FROM table_99")));

    ck_assert_int_eq(mon_reset(fp_of("SELECT 1")), 1);
    ck_assert_ptr_null(row_of(fp_of("SELECT 1")));
    ck_assert_int_gt(mon_reset(0), 0);
    ck_assert_int_eq(n_rows(), 0);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_monitor_off)
{
    struct mon_tap t;

    configure("monitor = 0");
    mon_tap_init(&t, "app", "fred", "", 14);
    query(&t, "SELECT 1");
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    ck_assert_int_eq(n_rows(), 0);
    /* Turned on between a query and its reply: the reply does not complete a later one. */
    query(&t, "SELECT 1");
    configure("monitor = 1");
    query(&t, "SELECT 2");
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    ck_assert_int_eq(n_rows(), 0);
    be(&t, 'C', "SELECT 1");
    be(&t, 'Z', NULL);
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, 1);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_copy_in_extended)
{
    struct mon_tap t;

    mon_tap_init(&t, "app", "gina", "", 15);
    /* libpq's PQexecParams("COPY t FROM STDIN"): a Sync right after the Execute, another after
     * CopyDone; the server ignores the first (it is in copy-in mode) and answers one
     * ReadyForQuery. */
    parse(&t, "", "COPY t FROM STDIN");
    bind(&t, "", "", 0, NULL);
    execute(&t, "");
    sync_(&t);
    be(&t, '1', NULL);
    be(&t, '2', NULL);
    be(&t, 'G', NULL);
    fe(&t, 'd', "1\n", 2);
    fe(&t, 'd', "2\n", 2);
    fe(&t, 'c', "", 0);
    sync_(&t);
    be(&t, 'C', "COPY 2");
    be_ready(&t, 'I');
    /* What follows pairs with its own replies. */
    query(&t, "SELECT 1");
    be(&t, 'C', "SELECT 1");
    be_ready(&t, 'I');
    query(&t, "SELECT count(*) FROM t");
    be(&t, 'C', "SELECT 1");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("COPY t FROM STDIN"))->rows, 2);
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, 1);
    ck_assert_uint_eq(row_of(fp_of("SELECT count(*) FROM t"))->calls, 1);

    /* The simple protocol's COPY: one group from the Query. */
    query(&t, "COPY t FROM STDIN");
    be(&t, 'G', NULL);
    fe(&t, 'd', "3\n", 2);
    fe(&t, 'c', "", 0);
    be(&t, 'C', "COPY 1");
    be_ready(&t, 'I');
    query(&t, "SELECT 1");
    be(&t, 'C', "SELECT 1");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("COPY t FROM STDIN"))->calls, 2);
    ck_assert_uint_eq(row_of(fp_of("SELECT 1"))->calls, 2);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_ring_full_mid_group)
{
    struct mon_tap t;

    mon_tap_init(&t, "app", "hank", "", 16);
    parse(&t, "", "UPDATE t SET a = 1");
    for (int i = 0; i < MON_TAP_QUEUE; i++) {
        bind(&t, "", "", 0, NULL);
        execute(&t, "");
    }
    /* The ring is full: this one is not followed, nor is any later one of the same Sync, even
     * once a reply has made room (its reply would pair with the wrong statement). */
    parse(&t, "", "DELETE FROM t");
    bind(&t, "", "", 0, NULL);
    execute(&t, "");
    be(&t, 'C', "UPDATE 7");
    bind(&t, "", "", 0, NULL);
    execute(&t, "");
    sync_(&t);
    for (int i = 1; i < MON_TAP_QUEUE; i++)
        be(&t, 'C', "UPDATE 7");
    be(&t, 'C', "DELETE 3");
    be(&t, 'C', "DELETE 3");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("UPDATE t SET a = 1"))->calls, MON_TAP_QUEUE);
    ck_assert_uint_eq(row_of(fp_of("UPDATE t SET a = 1"))->rows, 7 * MON_TAP_QUEUE);
    ck_assert_ptr_null(row_of(fp_of("DELETE FROM t")));
    /* The next Sync's statements are followed again. */
    bind(&t, "", "", 0, NULL);
    execute(&t, "");
    sync_(&t);
    be(&t, 'C', "DELETE 3");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("DELETE FROM t"))->calls, 1);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_many_names)
{
    struct mon_tap t;
    char portal[32], stmt[32];

    mon_tap_init(&t, "app", "ivan", "", 17);
    parse(&t, "s0", "SELECT * FROM t WHERE a = $1");
    /* More portals than names are kept (a driver naming a portal per cursor): making room
     * for them forgets portals, never the statement being bound (ASan checks the reads). */
    for (int i = 0; i < 3000; i++) {
        snprintf(portal, sizeof(portal), "p%d", i);
        bind(&t, portal, "s0", 0, NULL);
    }
    bind(&t, "last", "s0", 0, NULL);
    execute(&t, "last");
    sync_(&t);
    be(&t, 'C', "SELECT 1");
    be_ready(&t, 'T');
    ck_assert_uint_eq(row_of(fp_of("SELECT * FROM t WHERE a = 1"))->calls, 1);
    /* The transaction's end destroys its portals. */
    query(&t, "COMMIT");
    be(&t, 'C', "COMMIT");
    be_ready(&t, 'I');
    execute(&t, "last");
    sync_(&t);
    be_error(&t, "34000");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("SELECT * FROM t WHERE a = 1"))->errors, 0);
    /* More statements than names are kept: some are forgotten, the table stays bounded, and
     * a statement prepared last still counts. */
    for (int i = 0; i < 3000; i++) {
        snprintf(stmt, sizeof(stmt), "s%d", i + 1);
        parse(&t, stmt, "SELECT 2");
    }
    bind(&t, "", "s3000", 0, NULL);
    execute(&t, "");
    sync_(&t);
    be(&t, 'C', "SELECT 1");
    be_ready(&t, 'I');
    ck_assert_uint_eq(row_of(fp_of("SELECT 2"))->calls, 1);
    mon_tap_fini(&t);
}
END_TEST

START_TEST(test_fp_text)
{
    uint64_t fp = 0;
    char s[17];

    mon_fp_format(0x00ab12cd34ef5678ULL, s);
    ck_assert_str_eq(s, "00ab12cd34ef5678");
    ck_assert(mon_fp_parse(s, &fp));
    ck_assert_uint_eq(fp, 0x00ab12cd34ef5678ULL);
    ck_assert(mon_fp_parse("AB", &fp));
    ck_assert_uint_eq(fp, 0xab);
    ck_assert(!mon_fp_parse("", &fp));
    ck_assert(!mon_fp_parse("12345678901234567", &fp));
    ck_assert(!mon_fp_parse("xyz", &fp));
}
END_TEST

static Suite *tap_suite(void)
{
    Suite *s = suite_create("tap");
    TCase *tc = tcase_create("tap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_simple_statements);
    tcase_add_test(tc, test_extended_pipeline);
    tcase_add_test(tc, test_pipelined_queries);
    tcase_add_test(tc, test_slow_log);
    tcase_add_test(tc, test_eviction_and_reset);
    tcase_add_test(tc, test_monitor_off);
    tcase_add_test(tc, test_copy_in_extended);
    tcase_add_test(tc, test_ring_full_mid_group);
    tcase_add_test(tc, test_many_names);
    tcase_add_test(tc, test_fp_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tap_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
