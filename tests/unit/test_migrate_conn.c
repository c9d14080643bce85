/*
 * Unit tests for the migration engine's connection layer (src/migrate/migrate_conn.c) on a
 * real embedded SQLite session in a temporary directory: PostgreSQL-dialect results as text,
 * errors with SQLSTATE and position, notices, native SQLite SQL inside and outside a
 * transaction block (rollback, commit, failure, several statements, refused transaction
 * control), the catalog seeing native DDL, interrupt, and that a client's session refuses the
 * native message.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../src/migrate/migrate_int.h"
#include "config/config.h"
#include "core/proxy.h"
#include "sqlite/sqlite_server.h"
#include "wire/proto.h"

static char basedir[PATH_MAX / 4]; /* made by main, removed when every test has run */
static char dbpath[PATH_MAX / 2];  /* each test's own database file */
static struct mig_target target;
static struct mig_conn *conn;

static char notices[8][256];
static int n_notices;

static void on_notice(void *arg, const char *message)
{
    ck_assert_ptr_eq(arg, &n_notices);
    if (n_notices < 8)
        snprintf(notices[n_notices++], sizeof(notices[0]), "%s", message);
}

static struct mig_conn *open_conn(void)
{
    char err[256] = "";
    struct mig_conn *c = mig_connect(&target, "myrmex-migrate", err, sizeof(err));
    ck_assert_msg(c != NULL, "connect: %s", err);
    return c;
}

static void setup(void)
{
    char dir[PATH_MAX / 4 + 16];
    snprintf(dir, sizeof(dir), "%s/t.XXXXXX", basedir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(dbpath, sizeof(dbpath), "%s/app.db", dir);
    target = (struct mig_target){
        .database = "app", .backend = MIG_BACKEND_SQLITE, .sqlite_path = dbpath};
    n_notices = 0;
    conn = open_conn();
    mig_set_notice(conn, on_notice, &n_notices);
}

static void teardown(void)
{
    mig_disconnect(conn);
    conn = NULL;
    sqlite_server_shutdown(5000); /* the session threads end once their sockets close */
}

/* Run sql, which must succeed; the result is the caller's to clear. */
static void run_ok(struct mig_conn *c, const char *sql, struct mig_res *r)
{
    ck_assert_msg(mig_exec(c, sql, r), "connection lost: %s", r->message);
    ck_assert_msg(r->ok, "%s: %s %s", sql, r->sqlstate, r->message);
}

static void native_ok(struct mig_conn *c, const char *sql, struct mig_res *r)
{
    ck_assert_msg(mig_exec_native(c, sql, r), "connection lost: %s", r->message);
    ck_assert_msg(r->ok, "%s: %s %s", sql, r->sqlstate, r->message);
}

static void run_tag(struct mig_conn *c, const char *sql, const char *tag)
{
    struct mig_res r;
    run_ok(c, sql, &r);
    ck_assert_str_eq(r.tag, tag);
    mig_res_clear(&r);
}

/* Run sql, which must fail with sqlstate (the connection stays usable). */
static void run_fails(struct mig_conn *c, bool native, const char *sql, const char *sqlstate,
                      struct mig_res *r)
{
    bool alive = native ? mig_exec_native(c, sql, r) : mig_exec(c, sql, r);
    ck_assert_msg(alive, "connection lost: %s", r->message);
    ck_assert_msg(!r->ok, "%s succeeded", sql);
    ck_assert_str_eq(r->sqlstate, sqlstate);
    ck_assert_ptr_nonnull(r->message);
    ck_assert_int_eq(r->n_cols, 0);
    ck_assert_uint_eq(r->n_rows, 0);
}

/* The number of rows of a query that must succeed. */
static size_t count_rows(struct mig_conn *c, const char *sql)
{
    struct mig_res r;
    run_ok(c, sql, &r);
    size_t n = r.n_rows;
    mig_res_clear(&r);
    return n;
}

START_TEST(test_pg_dialect_results)
{
    struct mig_res r;
    run_tag(conn,
            "CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL, active boolean DEFAULT "
            "true, created timestamptz DEFAULT now())",
            "CREATE TABLE");
    run_tag(conn, "INSERT INTO t (name) VALUES ('a'), ('b')", "INSERT 0 2");
    run_tag(conn, "INSERT INTO t (name, active) VALUES ('c''s', false)", "INSERT 0 1");

    run_ok(conn,
           "SELECT id, name, active, created IS NOT NULL AS has_created, NULL::text AS nothing "
           "FROM t ORDER BY id",
           &r);
    ck_assert_str_eq(r.tag, "SELECT 3");
    ck_assert_int_eq(r.n_cols, 5);
    ck_assert_str_eq(r.names[0], "id");
    ck_assert_str_eq(r.names[1], "name");
    ck_assert_str_eq(r.names[2], "active");
    ck_assert_str_eq(r.names[3], "has_created");
    ck_assert_str_eq(r.names[4], "nothing");
    ck_assert_uint_eq(r.n_rows, 3);
    ck_assert_str_eq(mig_res_get(&r, 0, 0), "1");
    ck_assert_str_eq(mig_res_get(&r, 0, 1), "a");
    ck_assert_str_eq(mig_res_get(&r, 0, 2), "t");
    ck_assert_str_eq(mig_res_get(&r, 0, 3), "t");
    ck_assert_ptr_null(mig_res_get(&r, 0, 4));
    ck_assert_str_eq(mig_res_get(&r, 1, 0), "2");
    ck_assert_str_eq(mig_res_get(&r, 2, 0), "3");
    ck_assert_str_eq(mig_res_get(&r, 2, 1), "c's");
    ck_assert_str_eq(mig_res_get(&r, 2, 2), "f");
    /* Outside the result: NULL, not a read past it. */
    ck_assert_ptr_null(mig_res_get(&r, 3, 0));
    ck_assert_ptr_null(mig_res_get(&r, 0, 5));
    ck_assert_ptr_null(mig_res_get(&r, 0, -1));
    mig_res_clear(&r);
    ck_assert_ptr_null(r.names);
    ck_assert_uint_eq(r.n_rows, 0);

    /* created was filled by now() as a timestamptz text. */
    run_ok(conn, "SELECT created FROM t WHERE id = 1", &r);
    ck_assert_uint_eq(r.n_rows, 1);
    ck_assert_msg(strlen(mig_res_get(&r, 0, 0)) >= 19 && mig_res_get(&r, 0, 0)[4] == '-',
                  "created: %s", mig_res_get(&r, 0, 0));
    mig_res_clear(&r);

    /* Several statements: the last one's result. */
    run_ok(conn, "SELECT 1 AS one; UPDATE t SET active = false WHERE id = 2", &r);
    ck_assert_str_eq(r.tag, "UPDATE 1");
    ck_assert_int_eq(r.n_cols, 0);
    ck_assert_uint_eq(r.n_rows, 0);
    mig_res_clear(&r);
    run_ok(conn, "UPDATE t SET active = true; SELECT count(*) AS n FROM t WHERE active", &r);
    ck_assert_str_eq(r.tag, "SELECT 1");
    ck_assert_str_eq(r.names[0], "n");
    ck_assert_str_eq(mig_res_get(&r, 0, 0), "3");
    mig_res_clear(&r);

    /* An empty text. */
    run_ok(conn, "", &r);
    ck_assert_ptr_null(r.tag);
    mig_res_clear(&r);
}
END_TEST

START_TEST(test_errors)
{
    struct mig_res r;
    run_fails(conn, false, "SELECT * FROM missing_table", "42P01", &r);
    ck_assert_msg(strstr(r.message, "\"missing_table\""), "%s", r.message);
    mig_res_clear(&r);

    /* As PostgreSQL: the position just past the end of the text. */
    run_fails(conn, false, "SELECT * FROM x WHERE", "42601", &r);
    ck_assert_int_eq(r.position, 22);
    mig_res_clear(&r);

    /* An error wins over an earlier statement's result, and stops the text. */
    run_tag(conn, "CREATE TABLE e (x int)", "CREATE TABLE");
    run_fails(conn, false, "SELECT 1; SELECT * FROM nope; INSERT INTO e VALUES (1)", "42P01", &r);
    ck_assert_ptr_null(r.tag);
    mig_res_clear(&r);
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM e"), 0);

    /* The connection goes on. */
    run_tag(conn, "SELECT 1", "SELECT 1");
}
END_TEST

START_TEST(test_notices)
{
    run_tag(conn, "DROP TABLE IF EXISTS nosuch_table", "DROP TABLE");
    ck_assert_int_eq(n_notices, 1);
    ck_assert_msg(strstr(notices[0], "nosuch_table"), "%s", notices[0]);
    mig_set_notice(conn, NULL, NULL);
    run_tag(conn, "DROP TABLE IF EXISTS nosuch_table", "DROP TABLE");
    ck_assert_int_eq(n_notices, 1);
}
END_TEST

START_TEST(test_native_rollback)
{
    struct mig_res r;
    run_tag(conn, "BEGIN", "BEGIN");
    native_ok(conn, "CREATE TABLE n (x INTEGER)", &r);
    ck_assert_str_eq(r.tag, "CREATE TABLE");
    mig_res_clear(&r);
    native_ok(conn, "INSERT INTO n VALUES (1)", &r);
    ck_assert_str_eq(r.tag, "INSERT 0 1");
    mig_res_clear(&r);
    /* Inside the block, PostgreSQL-dialect SQL sees it. */
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM n"), 1);
    run_tag(conn, "ROLLBACK", "ROLLBACK");

    run_fails(conn, false, "SELECT x FROM n", "42P01", &r);
    mig_res_clear(&r);
    native_ok(conn, "SELECT name FROM sqlite_schema WHERE name = 'n'", &r);
    ck_assert_uint_eq(r.n_rows, 0);
    mig_res_clear(&r);
}
END_TEST

START_TEST(test_native_commit)
{
    struct mig_res r;
    /* The catalog is read (and cached) before the native DDL ... */
    ck_assert_uint_eq(count_rows(conn, "SELECT table_name FROM information_schema.tables WHERE "
                                       "table_name = 'n'"),
                      0);
    run_tag(conn, "BEGIN", "BEGIN");
    native_ok(conn, "CREATE TABLE n (x INTEGER, label TEXT)", &r);
    mig_res_clear(&r);
    native_ok(conn, "INSERT INTO n VALUES (1, 'one'), (2, NULL)", &r);
    ck_assert_str_eq(r.tag, "INSERT 0 2");
    mig_res_clear(&r);
    run_tag(conn, "COMMIT", "COMMIT");

    /* ... and sees it after. */
    ck_assert_uint_eq(count_rows(conn, "SELECT table_name FROM information_schema.tables WHERE "
                                       "table_name = 'n'"),
                      1);
    run_ok(conn, "SELECT x, label FROM n ORDER BY x", &r);
    ck_assert_uint_eq(r.n_rows, 2);
    ck_assert_str_eq(r.names[1], "label");
    ck_assert_str_eq(mig_res_get(&r, 0, 1), "one");
    ck_assert_ptr_null(mig_res_get(&r, 1, 1));
    mig_res_clear(&r);

    /* Native DDL outside a block commits on its own; result columns follow it. */
    native_ok(conn, "ALTER TABLE n ADD COLUMN extra TEXT DEFAULT 'e'", &r);
    mig_res_clear(&r);
    run_ok(conn, "SELECT * FROM n ORDER BY x", &r);
    ck_assert_int_eq(r.n_cols, 3);
    ck_assert_str_eq(r.names[2], "extra");
    ck_assert_str_eq(mig_res_get(&r, 0, 2), "e");
    mig_res_clear(&r);

    /* Another session sees the committed table. */
    struct mig_conn *other = open_conn();
    ck_assert_uint_eq(count_rows(other, "SELECT x FROM n"), 2);
    mig_disconnect(other);
}
END_TEST

START_TEST(test_native_failure_in_block)
{
    struct mig_res r;
    run_tag(conn, "CREATE TABLE k (x int)", "CREATE TABLE");
    run_tag(conn, "BEGIN", "BEGIN");
    native_ok(conn, "INSERT INTO k VALUES (1)", &r);
    mig_res_clear(&r);
    run_fails(conn, true, "INSERT INTO nosuch VALUES (1)", "42P01", &r);
    mig_res_clear(&r);
    /* The block is failed for both kinds of SQL until ROLLBACK. */
    run_fails(conn, false, "SELECT 1", "25P02", &r);
    mig_res_clear(&r);
    run_fails(conn, true, "SELECT 1", "25P02", &r);
    mig_res_clear(&r);
    run_tag(conn, "ROLLBACK", "ROLLBACK");
    run_tag(conn, "SELECT 1", "SELECT 1");
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM k"), 0);

    /* A statement that would end the block's transaction is refused before it runs. */
    run_tag(conn, "BEGIN", "BEGIN");
    native_ok(conn, "INSERT INTO k VALUES (2)", &r);
    mig_res_clear(&r);
    run_fails(conn, true, "/* c */ COMMIT", "0A000", &r);
    mig_res_clear(&r);
    run_tag(conn, "ROLLBACK", "ROLLBACK");
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM k"), 0);

    /* A syntax error in native SQL, with its position in characters of the whole text. */
    run_fails(conn, true, "CREATE TABLEX z (a)", "42601", &r);
    ck_assert_int_eq(r.position, 8);
    mig_res_clear(&r);
    run_fails(conn, true, "SELECT 'é'; SELECT 1 FROM WHERE", "42601", &r);
    ck_assert_msg(strstr(r.message, "WHERE"), "%s", r.message);
    ck_assert_int_eq(r.position, 27);
    mig_res_clear(&r);
}
END_TEST

START_TEST(test_native_several_statements)
{
    struct mig_res r;
    native_ok(conn,
              "CREATE TABLE m (x INTEGER PRIMARY KEY, b BLOB);\n"
              "-- a comment between statements\n"
              "INSERT INTO m VALUES (1, x'00ff'), (2, NULL);\n"
              "SELECT x, b FROM m ORDER BY x;\n",
              &r);
    ck_assert_str_eq(r.tag, "SELECT 2");
    ck_assert_int_eq(r.n_cols, 2);
    ck_assert_str_eq(r.names[0], "x");
    ck_assert_str_eq(mig_res_get(&r, 0, 0), "1");
    ck_assert_str_eq(mig_res_get(&r, 0, 1), "\\x00ff");
    ck_assert_ptr_null(mig_res_get(&r, 1, 1));
    mig_res_clear(&r);

    /* Inside a block, both statements run in its transaction. */
    run_tag(conn, "BEGIN", "BEGIN");
    native_ok(conn, "INSERT INTO m (x) VALUES (3); INSERT INTO m (x) VALUES (4)", &r);
    ck_assert_str_eq(r.tag, "INSERT 0 1");
    mig_res_clear(&r);
    run_tag(conn, "ROLLBACK", "ROLLBACK");
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM m"), 2);

    /* Only a comment: an empty query. */
    native_ok(conn, "-- nothing", &r);
    ck_assert_ptr_null(r.tag);
    mig_res_clear(&r);
}
END_TEST

START_TEST(test_copy_refused)
{
    struct mig_res r;
    run_tag(conn, "CREATE TABLE c (x int)", "CREATE TABLE");
    /* The engine has no data to send: the COPY fails and nothing is inserted. */
    run_fails(conn, false, "COPY c FROM STDIN", "57014", &r);
    mig_res_clear(&r);
    run_tag(conn, "INSERT INTO c VALUES (1), (2)", "INSERT 0 2");
    run_fails(conn, false, "COPY c TO STDOUT", "0A000", &r);
    mig_res_clear(&r);
    ck_assert_uint_eq(count_rows(conn, "SELECT x FROM c"), 2);
}
END_TEST

struct interrupter {
    struct mig_conn *c;
    atomic_bool stop;
};

static void *interrupt_later(void *arg)
{
    struct interrupter *it = arg;
    /* Interrupt every 50 ms until the statement ends: the first may come before it starts. */
    for (int i = 0; i < 100 && !atomic_load(&it->stop); i++) {
        usleep(50000);
        mig_interrupt(it->c);
    }
    return NULL;
}

START_TEST(test_interrupt)
{
    struct mig_res r;
    struct interrupter it = {conn, false};
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, interrupt_later, &it), 0);
    /* Minutes of work when nothing interrupts it (the test's timeout would fail it). */
    bool alive = mig_exec_native(conn,
                                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                 "WHERE x < 4000000000) SELECT count(*) FROM c",
                                 &r);
    atomic_store(&it.stop, true);
    pthread_join(tid, NULL);
    ck_assert(alive);
    ck_assert(!r.ok);
    ck_assert_str_eq(r.sqlstate, "57014");
    mig_res_clear(&r);
    run_tag(conn, "SELECT 1", "SELECT 1");
}
END_TEST

START_TEST(test_connect_fails)
{
    char err[256] = "";
    struct mig_target t = target;
    t.sqlite_path = "/nonexistent-dir/sub/app.db";
    ck_assert_ptr_null(mig_connect(&t, "myrmex-migrate", err, sizeof(err)));
    ck_assert_msg(strstr(err, "could not open SQLite database"), "%s", err);
}
END_TEST

/* ---- a client's session, spoken to by hand ---- */

static bool recv_all(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = recv(fd, p + got, n - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    return true;
}

/* One message (the body in buf, at most cap bytes); false at EOF. */
static bool read_msg(int fd, uint8_t *type, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t head[5];
    if (!recv_all(fd, head, 5))
        return false;
    uint32_t n = proto_read_u32(head + 1);
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_le(n - 4, cap);
    *type = head[0];
    *len = n - 4;
    return recv_all(fd, buf, *len);
}

static void send_builder(int fd, struct proto_builder *b)
{
    ck_assert(!b->failed);
    ck_assert_int_eq(send(fd, b->data, b->len, MSG_NOSIGNAL), (ssize_t)b->len);
    proto_builder_reset(b);
}

START_TEST(test_client_session_refuses_native)
{
    struct db_config db = {.name = "app", .backend = DB_BACKEND_SQLITE, .sqlite_path = dbpath};
    const char *names[] = {"user", "database"}, *values[] = {"alice", "app"};
    char err[256];
    uint64_t token;
    int fd;
    uint8_t type, buf[4096];
    size_t len;
    struct proto_builder b;
    struct timeval tv = {10, 0};

    ck_assert_msg(sqlite_server_open(&db, &fd, &token, err, sizeof(err)), "%s", err);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) & ~O_NONBLOCK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    proto_builder_init(&b);
    proto_write_startup(&b, names, values, 2);
    send_builder(fd, &b);
    do
        ck_assert(read_msg(fd, &type, buf, sizeof(buf), &len));
    while (type != 'Z');

    proto_begin(&b, SQ_NATIVE_MSG);
    proto_put_str(&b, "CREATE TABLE evil (x)");
    proto_end(&b);
    send_builder(fd, &b);
    ck_assert(read_msg(fd, &type, buf, sizeof(buf), &len));
    ck_assert_int_eq(type, 'E');
    struct proto_error_fields f;
    ck_assert(proto_parse_error(buf, len, &f));
    ck_assert_str_eq(f.sqlstate, "08P01");
    /* The session closes the connection. */
    ck_assert(!read_msg(fd, &type, buf, sizeof(buf), &len));
    proto_builder_fini(&b);
    close(fd);

    /* Nothing ran. */
    struct mig_res r;
    native_ok(conn, "SELECT name FROM sqlite_schema WHERE name = 'evil'", &r);
    ck_assert_uint_eq(r.n_rows, 0);
    mig_res_clear(&r);
}
END_TEST

int main(void)
{
    char cmd[PATH_MAX];
    char err[256];
    const char *base = getenv("TMPDIR");

    snprintf(basedir, sizeof(basedir), "%s/test_migrate_conn.XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(basedir)) {
        perror("mkdtemp");
        return 1;
    }
    /* The SQLite sessions read sqlite_busy_timeout and sqlite_synchronous from it. */
    struct config *cfg = config_load(NULL, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "config_load: %s\n", err);
        return 1;
    }
    atomic_store(&proxy.cfg, cfg);

    Suite *s = suite_create("migrate_conn");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_pg_dialect_results);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_notices);
    tcase_add_test(tc, test_native_rollback);
    tcase_add_test(tc, test_native_commit);
    tcase_add_test(tc, test_native_failure_in_block);
    tcase_add_test(tc, test_native_several_statements);
    tcase_add_test(tc, test_copy_refused);
    tcase_add_test(tc, test_interrupt);
    tcase_add_test(tc, test_connect_fails);
    tcase_add_test(tc, test_client_session_refuses_native);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    atomic_store(&proxy.cfg, NULL);
    config_destroy(cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", basedir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", basedir);
    return failed == 0 ? 0 : 1;
}
