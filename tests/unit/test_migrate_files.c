/*
 * Unit tests for src/migrate/migrate_files.c: a migration folder written into a temporary
 * directory and read back with mig_scan (names, order, overrides per dialect, duplicates,
 * directives, up and down sections, checksums against known SHA-256 values, error lines), and
 * mig_split, mig_version_cmp and mig_version_normalize on their own.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/migrate.h"

/* printf 'SELECT 1;\n' | sha256sum */
#define SHA256_SELECT_1 "b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd"
/* printf 'CREATE TABLE t (id int);\n' | sha256sum */
#define SHA256_CREATE_T "12c83f983b0c94b9c7010dcc92149589d5fb01a3d32af8f6d699545d95db9040"

static char dir[64];

static void dir_create(void)
{
    snprintf(dir, sizeof(dir), "/tmp/myrmex-migfiles-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove the folder and what the tests put in it (files and empty folders). */
static void dir_remove(void)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
}

static void drop(const char *name)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    ck_assert_int_eq(unlink(p), 0);
}

static void scan_ok(enum mig_dialect d, struct mig_set *set)
{
    char err[1024] = "";
    bool ok = mig_scan(dir, d, set, err, sizeof(err));
    ck_assert_msg(ok, "mig_scan: %s", err);
}

/* mig_scan's error, which must be one. */
static void scan_err(enum mig_dialect d, char *err, size_t errlen)
{
    struct mig_set set = {(void *)1, 99};
    err[0] = '\0';
    ck_assert(!mig_scan(dir, d, &set, err, errlen));
    ck_assert_ptr_null(set.files);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_str_ne(err, "");
}

static const char *path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

START_TEST(test_version_normalize)
{
    static const struct {
        const char *in, *out;
    } good[] = {
        {"1", "1"},
        {"01", "1"},
        {"1_1", "1.1"},
        {"2.3", "2.3"},
        {"1_2", "1.2"},
        {"20240101120000", "20240101120000"},
        {"001.010_0", "1.10.0"},
        {"0", "0"},
        {"000", "0"},
        {"1.0.0", "1.0.0"},
        {"10_00_1", "10.0.1"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(mig_version_normalize(good[i].in, out, sizeof(out)), "%s", good[i].in);
        ck_assert_str_eq(out, good[i].out);
    }
    static const char *const bad[] = {"1a", "",   "1..2", "_1", "1.", ".1",  "1__2",
                                      "a",  "1_", "1 2",  "-1", "+1", "1.-2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!mig_version_normalize(bad[i], out, sizeof(out)), "accepted \"%s\"", bad[i]);
    /* The output must fit, terminator included. */
    ck_assert(!mig_version_normalize("123", out, 3));
    ck_assert(mig_version_normalize("123", out, 4));
    ck_assert_str_eq(out, "123");
    ck_assert(mig_version_normalize("0001", out, 2));
    ck_assert_str_eq(out, "1");
}
END_TEST

START_TEST(test_version_cmp)
{
    ck_assert_int_gt(mig_version_cmp("1.10", "1.9"), 0);
    ck_assert_int_lt(mig_version_cmp("1.9", "1.10"), 0);
    ck_assert_int_lt(mig_version_cmp("1", "1.0.1"), 0);
    ck_assert_int_gt(mig_version_cmp("1.0.1", "1"), 0);
    /* "1" and "1.0" are different versions, "1" first. */
    ck_assert_int_lt(mig_version_cmp("1", "1.0"), 0);
    ck_assert_int_gt(mig_version_cmp("1.0", "1"), 0);
    ck_assert_int_eq(mig_version_cmp("1.0", "1.0"), 0);
    ck_assert_int_eq(mig_version_cmp("7", "7"), 0);
    ck_assert_int_gt(mig_version_cmp("10", "9"), 0);
    ck_assert_int_gt(mig_version_cmp("2", "1.9.9"), 0);
    ck_assert_int_gt(mig_version_cmp("20240101120000", "2"), 0);
    /* Parts longer than any integer type. */
    ck_assert_int_gt(mig_version_cmp("123456789012345678901234567890", "99999999999999999999"), 0);
    ck_assert_int_lt(
        mig_version_cmp("1.123456789012345678901234567890", "1.123456789012345678901234567891"), 0);
}
END_TEST

START_TEST(test_order)
{
    dir_create();
    put("V10__ten.sql", "SELECT 10;\n");
    put("V2__two.sql", "SELECT 2;\n");
    put("V1_2__one_two.sql", "SELECT 12;\n");
    put("V1__first_one.sql", "SELECT 1;\n");
    put("V1.1__one_one.sql", "SELECT 11;\n");
    put("V020240101120000__stamp.sql", "SELECT 3;\n");
    put("R__zeta.sql", "SELECT 'z';\n");
    put("R__alpha_view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
    put("README.md", "not a migration\n");
    put("notes.txt", "nor this\n");
    put(".hidden.sql", "not read at all: SELEC\n");
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/old.sql", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);

    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 8);
    static const char *const versions[] = {"1", "1.1", "1.2", "2", "10", "20240101120000"};
    static const char *const scripts[] = {"V1__first_one.sql", "V1.1__one_one.sql",
                                          "V1_2__one_two.sql", "V2__two.sql",
                                          "V10__ten.sql",      "V020240101120000__stamp.sql"};
    static const char *const descs[] = {"first one", "one one", "one two", "two", "ten", "stamp"};
    for (size_t i = 0; i < 6; i++) {
        const struct mig_file *f = &set.files[i];
        ck_assert_int_eq(f->kind, MIG_VERSIONED);
        ck_assert_str_eq(f->version, versions[i]);
        ck_assert_str_eq(f->script, scripts[i]);
        ck_assert_str_eq(f->description, descs[i]);
        ck_assert_str_eq(f->path, path_of(scripts[i]));
        ck_assert(!f->native);
        ck_assert(!f->no_transaction);
        ck_assert(!f->has_down);
        ck_assert_uint_eq(f->n_up, 1);
        ck_assert_uint_eq(f->n_down, 0);
        ck_assert_int_eq(f->up[0].line, 1);
    }
    ck_assert_str_eq(set.files[1].up[0].sql, "SELECT 11");
    ck_assert_int_eq(set.files[6].kind, MIG_REPEATABLE);
    ck_assert_ptr_null(set.files[6].version);
    ck_assert_str_eq(set.files[6].description, "alpha view");
    ck_assert_str_eq(set.files[6].script, "R__alpha_view.sql");
    ck_assert_int_eq(set.files[7].kind, MIG_REPEATABLE);
    ck_assert_str_eq(set.files[7].description, "zeta");
    mig_set_free(&set);
    ck_assert_ptr_null(set.files);
    ck_assert_uint_eq(set.n, 0);

    /* A trailing '/' on the folder does not double the separator. */
    char slash[128];
    char err[1024];
    snprintf(slash, sizeof(slash), "%s/", dir);
    ck_assert(mig_scan(slash, MIG_DIALECT_SQLITE, &set, err, sizeof(err)));
    ck_assert_str_eq(set.files[0].path, path_of("V1__first_one.sql"));
    mig_set_free(&set);
    dir_remove();
}
END_TEST

START_TEST(test_overrides)
{
    dir_create();
    put("V1__init.sql", "CREATE TABLE t (id int);\n");
    put("V2__add_x.sql", "ALTER TABLE t ADD COLUMN x int;\n");
    /* Different descriptions from the plain file: the version is what is overridden. */
    put("V2__add_x_for_sqlite.sqlite.sql", "PRAGMA user_version = 2;\nALTER TABLE t ADD x;\n");
    put("V2__add_x_for_pg.postgres.sql", "ALTER TABLE t ADD COLUMN x bigint;\n");
    put("V3__only_sqlite.sqlite.sql", "PRAGMA foreign_keys = on;\n");
    put("V4__only_pg.postgres.sql", "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n");
    put("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
    put("R__view.sqlite.sql", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT 2;\n");
    put("R__view.postgres.sql", "CREATE OR REPLACE VIEW v AS SELECT 3;\n");
    put("R__plain.sql", "SELECT 1;\n");

    struct mig_set set;
    scan_ok(MIG_DIALECT_SQLITE, &set);
    ck_assert_uint_eq(set.n, 5);
    ck_assert_str_eq(set.files[0].script, "V1__init.sql");
    ck_assert(!set.files[0].native);
    ck_assert_str_eq(set.files[1].version, "2");
    ck_assert_str_eq(set.files[1].script, "V2__add_x_for_sqlite.sqlite.sql");
    ck_assert_str_eq(set.files[1].description, "add x for sqlite");
    ck_assert(set.files[1].native);
    ck_assert_uint_eq(set.files[1].n_up, 2);
    ck_assert_str_eq(set.files[1].up[0].sql, "PRAGMA user_version = 2");
    ck_assert_str_eq(set.files[1].up[1].sql, "ALTER TABLE t ADD x");
    ck_assert_int_eq(set.files[1].up[1].line, 2);
    ck_assert_str_eq(set.files[2].script, "V3__only_sqlite.sqlite.sql");
    ck_assert(set.files[2].native);
    ck_assert_str_eq(set.files[3].script, "R__plain.sql");
    ck_assert(!set.files[3].native);
    ck_assert_str_eq(set.files[4].script, "R__view.sqlite.sql");
    ck_assert_str_eq(set.files[4].description, "view");
    ck_assert(set.files[4].native);
    ck_assert_uint_eq(set.files[4].n_up, 2);
    mig_set_free(&set);

    /* PostgreSQL: the .sqlite.sql files (PRAGMA does not parse there) are not even read. */
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 5);
    ck_assert_str_eq(set.files[0].script, "V1__init.sql");
    ck_assert_str_eq(set.files[1].script, "V2__add_x_for_pg.postgres.sql");
    ck_assert_str_eq(set.files[1].description, "add x for pg");
    ck_assert(!set.files[1].native);
    ck_assert_str_eq(set.files[1].up[0].sql, "ALTER TABLE t ADD COLUMN x bigint");
    ck_assert_str_eq(set.files[2].script, "V4__only_pg.postgres.sql");
    ck_assert_str_eq(set.files[2].version, "4");
    ck_assert_str_eq(set.files[3].script, "R__plain.sql");
    ck_assert_str_eq(set.files[4].script, "R__view.postgres.sql");
    ck_assert(!set.files[4].native);
    ck_assert_str_eq(set.files[4].up[0].sql, "CREATE OR REPLACE VIEW v AS SELECT 3");
    mig_set_free(&set);

    /* Without the overrides, the plain files serve both dialects. */
    drop("V2__add_x_for_sqlite.sqlite.sql");
    drop("V2__add_x_for_pg.postgres.sql");
    for (int d = MIG_DIALECT_POSTGRES; d <= MIG_DIALECT_SQLITE; d++) {
        scan_ok((enum mig_dialect)d, &set);
        ck_assert_str_eq(set.files[1].script, "V2__add_x.sql");
        ck_assert(!set.files[1].native);
        mig_set_free(&set);
    }
    dir_remove();
}
END_TEST

START_TEST(test_duplicates)
{
    char err[1024];
    dir_create();
    put("V1__a.sql", "SELECT 1;\n");
    put("V01__b.sql", "SELECT 1;\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    ck_assert_msg(strstr(err, path_of("V1__a.sql")) != NULL, "%s", err);
    ck_assert_msg(strstr(err, path_of("V01__b.sql")) != NULL, "%s", err);
    ck_assert_msg(strstr(err, "duplicate version 1") != NULL, "%s", err);
    drop("V01__b.sql");

    /* Two overrides of one version for one dialect; the other dialect does not read them. */
    put("V2__a.sqlite.sql", "SELECT 2;\n");
    put("V2__b.sqlite.sql", "SELECT 2;\n");
    scan_err(MIG_DIALECT_SQLITE, err, sizeof(err));
    ck_assert_msg(strstr(err, path_of("V2__a.sqlite.sql")) != NULL, "%s", err);
    ck_assert_msg(strstr(err, path_of("V2__b.sqlite.sql")) != NULL, "%s", err);
    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 1);
    mig_set_free(&set);
    drop("V2__a.sqlite.sql");
    drop("V2__b.sqlite.sql");

    /* "1" and "1.0" are different versions. */
    put("V1.0__c.sql", "SELECT 1;\n");
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.files[0].version, "1");
    ck_assert_str_eq(set.files[1].version, "1.0");
    mig_set_free(&set);

    /* Repeatables with one description, as '_' reads. */
    put("R__a_b.sql", "SELECT 1;\n");
    put("R__a b.sql", "SELECT 1;\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    ck_assert_msg(strstr(err, path_of("R__a_b.sql")) != NULL, "%s", err);
    ck_assert_msg(strstr(err, path_of("R__a b.sql")) != NULL, "%s", err);
    dir_remove();
}
END_TEST

START_TEST(test_bad_names)
{
    static const char *const bad[] = {"foo.sql",   "V1a__x.sql",     "V1__.sql",   "V1_x.sql",
                                      "v1__x.sql", "R_x.sql",        "R__.sql",    "U1__undo.sql",
                                      "V__x.sql",  "V1..2__x.sql",   "V_1__x.sql", "R__.sqlite.sql",
                                      "V1.sql",    "V1__x.mysql.sql"};
    char err[1024], want[1024];
    dir_create();
    put("V1__ok.sql", "SELECT 1;\n");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put(bad[i], "SELECT 1;\n");
        scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
        /* V1__x.mysql.sql is a fine name: version 1, description "x.mysql", a duplicate. */
        if (strcmp(bad[i], "V1__x.mysql.sql") == 0) {
            ck_assert_msg(strstr(err, "duplicate version 1") != NULL, "%s", err);
        } else {
            snprintf(want, sizeof(want),
                     "%s: not a migration name: expected V<version>__<description>.sql or "
                     "R__<description>.sql",
                     path_of(bad[i]));
            ck_assert_str_eq(err, want);
        }
        drop(bad[i]);
    }
    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 1);
    mig_set_free(&set);
    dir_remove();
}
END_TEST

START_TEST(test_missing_and_empty)
{
    struct mig_set set = {(void *)1, 99};
    char err[1024] = "";
    ck_assert(
        mig_scan("/nonexistent/myrmex/migrations", MIG_DIALECT_POSTGRES, &set, err, sizeof(err)));
    ck_assert_ptr_null(set.files);
    ck_assert_uint_eq(set.n, 0);
    mig_set_free(&set);

    dir_create();
    scan_ok(MIG_DIALECT_SQLITE, &set);
    ck_assert_uint_eq(set.n, 0);
    mig_set_free(&set);

    /* A file where the folder should be is an error. */
    put("file", "x");
    ck_assert(!mig_scan(path_of("file"), MIG_DIALECT_POSTGRES, &set, err, sizeof(err)));
    ck_assert_msg(strstr(err, path_of("file")) == err, "%s", err);
    dir_remove();
}
END_TEST

START_TEST(test_no_transaction)
{
    dir_create();
    put("V1__a.sql", "-- MyRmex:No-Transaction  \t\nCREATE INDEX CONCURRENTLY i ON t (a);\n");
    put("V2__b.sql", "-- myrmex:no-transaction\r\nCREATE INDEX CONCURRENTLY j ON t (a);\r\n");
    put("V3__c.sql", "SELECT 1;\n-- myrmex:no-transaction\n");
    put("V4__d.sql", "  -- myrmex:no-transaction\nSELECT 1;\n");
    put("V5__e.sql", "-- myrmex:no-transactions\nSELECT 1;\n");
    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 5);
    ck_assert(set.files[0].no_transaction);
    ck_assert(set.files[1].no_transaction);
    ck_assert(!set.files[2].no_transaction);
    ck_assert(!set.files[3].no_transaction);
    ck_assert(!set.files[4].no_transaction);
    ck_assert_str_eq(set.files[0].up[0].sql, "CREATE INDEX CONCURRENTLY i ON t (a)");
    ck_assert_int_eq(set.files[0].up[0].line, 2);
    mig_set_free(&set);

    /* The directive alone is no migration. */
    char err[1024], want[1024];
    put("V6__f.sql", "-- myrmex:no-transaction");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:1: no statements", path_of("V6__f.sql"));
    ck_assert_str_eq(err, want);
    dir_remove();
}
END_TEST

START_TEST(test_down_section)
{
    dir_create();
    put("V1__t.sql", "-- migrate:up\n"
                     "CREATE TABLE t (id int);\n"
                     "\n"
                     "CREATE INDEX t_i ON t (id);\n"
                     "  -- Migrate:Down  \n"
                     "-- drop them\n"
                     "DROP INDEX t_i;\n"
                     "DROP TABLE t;\n");
    put("V2__no_down.sql", "SELECT 1;\n");
    put("V3__empty_down.sql", "SELECT 1;\n-- migrate:down\n\n-- nothing to undo\n");
    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 3);
    const struct mig_file *f = &set.files[0];
    ck_assert_uint_eq(f->n_up, 2);
    ck_assert_str_eq(f->up[0].sql, "CREATE TABLE t (id int)");
    ck_assert_int_eq(f->up[0].line, 2);
    ck_assert_str_eq(f->up[1].sql, "CREATE INDEX t_i ON t (id)");
    ck_assert_int_eq(f->up[1].line, 4);
    ck_assert(f->has_down);
    ck_assert_uint_eq(f->n_down, 2);
    ck_assert_str_eq(f->down[0].sql, "DROP INDEX t_i");
    ck_assert_int_eq(f->down[0].line, 7);
    ck_assert_str_eq(f->down[1].sql, "DROP TABLE t");
    ck_assert_int_eq(f->down[1].line, 8);
    ck_assert(!set.files[1].has_down);
    ck_assert_uint_eq(set.files[1].n_down, 0);
    ck_assert_ptr_null(set.files[1].down);
    ck_assert(set.files[2].has_down);
    ck_assert_uint_eq(set.files[2].n_down, 0);
    mig_set_free(&set);

    /* A second marker, and markers that are not ours. */
    char err[1024], want[1024];
    put("V4__twice.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n\n-- migrate:down\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:5: a second -- migrate:down (the first is on line 2)",
             path_of("V4__twice.sql"));
    ck_assert_str_eq(err, want);
    drop("V4__twice.sql");
    put("V4__opt.sql", "-- migrate:up transaction:false\nSELECT 1;\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:1: unknown marker", path_of("V4__opt.sql"));
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    drop("V4__opt.sql");
    put("V4__late_up.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:up\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:4: ", path_of("V4__late_up.sql"));
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    drop("V4__late_up.sql");

    /* An up section without statements. */
    put("V4__only_down.sql", "-- migrate:up\n-- nothing\n-- migrate:down\nSELECT 1;\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:1: no statements", path_of("V4__only_down.sql"));
    ck_assert_str_eq(err, want);
    dir_remove();
}
END_TEST

START_TEST(test_checksum)
{
    dir_create();
    put("V1__lf.sql", "SELECT 1;\n");
    put("V2__crlf.sql", "SELECT 1;\r\n");
    put("V3__down_a.sql", "SELECT 1;\n-- migrate:down\nSELECT 2;\n");
    put("V4__down_b.sql", "SELECT 1;\r\n-- migrate:down\r\nDROP TABLE whatever;\r\n");
    put("V5__up_changed.sql", "SELECT 2;\n-- migrate:down\nSELECT 2;\n");
    put("V6__bom.sql", "\xEF\xBB\xBF"
                       "SELECT 1;\n");
    put("V7__create.sql", "CREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n");
    put("V8__no_newline.sql", "SELECT 1;");
    struct mig_set set;
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_uint_eq(set.n, 8);
    for (size_t i = 0; i < set.n; i++)
        ck_assert_uint_eq(strlen(set.files[i].checksum), 64);
    ck_assert_str_eq(set.files[0].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[1].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[2].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[3].checksum, SHA256_SELECT_1);
    ck_assert_str_ne(set.files[4].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[5].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[6].checksum, SHA256_CREATE_T);
    ck_assert_str_ne(set.files[7].checksum, SHA256_SELECT_1);
    ck_assert_str_eq(set.files[7].up[0].sql, "SELECT 1");
    mig_set_free(&set);

    /* Editing the down section of a file keeps its checksum; editing the up section does not. */
    char before[65];
    put("V3__down_a.sql", "SELECT 1;\n-- migrate:down\nSELECT 3;\nSELECT 4;\n");
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_str_eq(set.files[2].checksum, SHA256_SELECT_1);
    ck_assert_uint_eq(set.files[2].n_down, 2);
    memcpy(before, set.files[2].checksum, sizeof(before));
    mig_set_free(&set);
    put("V3__down_a.sql", "SELECT 1 ;\n-- migrate:down\nSELECT 3;\nSELECT 4;\n");
    scan_ok(MIG_DIALECT_POSTGRES, &set);
    ck_assert_str_ne(set.files[2].checksum, before);
    mig_set_free(&set);
    dir_remove();
}
END_TEST

START_TEST(test_syntax_errors)
{
    char err[1024], want[1024];
    dir_create();
    put("V1__ok.sql", "CREATE TABLE a (id int);\n");
    put("V2__bad.sql", "CREATE TABLE b (id int);\n\n-- comment\nSELEC 1;\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:4: syntax error at or near \"SELEC\"", path_of("V2__bad.sql"));
    ck_assert_str_eq(err, want);
    drop("V2__bad.sql");

    /* In the down section, with CRLF lines: the file's own line. */
    put("V2__bad_down.sql", "SELECT 1;\r\n-- migrate:down\r\nSELECT 1;\r\nDROP TABLE;\r\n");
    scan_err(MIG_DIALECT_POSTGRES, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:4: syntax error at or near \";\"",
             path_of("V2__bad_down.sql"));
    ck_assert_str_eq(err, want);
    drop("V2__bad_down.sql");

    /* A native file that never ends its trigger. */
    put("V2__trigger.sqlite.sql", "CREATE TABLE t (a);\n\nCREATE TRIGGER tr AFTER INSERT ON t "
                                  "BEGIN\n  SELECT 1;\n");
    scan_err(MIG_DIALECT_SQLITE, err, sizeof(err));
    snprintf(want, sizeof(want), "%s:3: incomplete statement", path_of("V2__trigger.sqlite.sql"));
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    dir_remove();

    /* mig_split's own form, with characters of several bytes before the error. */
    struct mig_stmt *st;
    size_t n;
    ck_assert(!mig_split("SELECT 'ééé';\nSELEC 1;\n", false, 1, &st, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "line 2: syntax error at or near \"SELEC\"");
    ck_assert_ptr_null(st);
    ck_assert_uint_eq(n, 0);
    ck_assert(
        !mig_split("SELECT 'ééé', 'ü';\n\n  SELECT 1 +;", false, 10, &st, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "line 12: syntax error at or near \";\"");
    /* At the end of the text: the line of the last thing written. */
    ck_assert(!mig_split("SELECT 1;\nSELECT (\n\n\n", false, 1, &st, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "line 2: syntax error at end of input");
    ck_assert(!mig_split("SELECT 1;\n\nSELECT 'abc\n", false, 5, &st, &n, err, sizeof(err)));
    ck_assert_str_eq(err, "line 7: unterminated quoted string at or near \"'abc\n\"");
}
END_TEST

START_TEST(test_native_split)
{
    struct mig_stmt *st;
    size_t n;
    char err[1024];
    const char *text = "CREATE TABLE t (a);\n"
                       "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
                       "  INSERT INTO log VALUES ('x;y');\n"
                       "  UPDATE t SET a = 1; -- why; not\n"
                       "END;\n"
                       "/* a comment; with a semicolon */\n"
                       "INSERT INTO t VALUES (';');;\n"
                       "\n"
                       "SELECT 2";
    ck_assert_msg(mig_split(text, true, 1, &st, &n, err, sizeof(err)), "%s", err);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(st[0].sql, "CREATE TABLE t (a)");
    ck_assert_int_eq(st[0].line, 1);
    ck_assert_str_eq(st[1].sql, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
                                "  INSERT INTO log VALUES ('x;y');\n"
                                "  UPDATE t SET a = 1; -- why; not\n"
                                "END");
    ck_assert_int_eq(st[1].line, 2);
    ck_assert_str_eq(st[2].sql, "INSERT INTO t VALUES (';')");
    ck_assert_int_eq(st[2].line, 7);
    ck_assert_str_eq(st[3].sql, "SELECT 2");
    ck_assert_int_eq(st[3].line, 9);
    mig_stmts_free(st, n);

    /* Comments only: nothing. */
    ck_assert(
        mig_split("-- nothing;\n/* here; either */\n;\n", true, 1, &st, &n, err, sizeof(err)));
    ck_assert_uint_eq(n, 0);
    mig_stmts_free(st, n);

    /* Through mig_scan: a .sqlite.sql file is native. */
    dir_create();
    put("V1__trigger.sqlite.sql", text);
    struct mig_set set;
    scan_ok(MIG_DIALECT_SQLITE, &set);
    ck_assert_uint_eq(set.n, 1);
    ck_assert(set.files[0].native);
    ck_assert_uint_eq(set.files[0].n_up, 4);
    ck_assert_int_eq(set.files[0].up[3].line, 9);
    mig_set_free(&set);
    dir_remove();
}
END_TEST

START_TEST(test_pg_split)
{
    struct mig_stmt *st;
    size_t n;
    char err[1024];
    const char *text = "-- header\n"
                       "\n"
                       "/* block /* nested; */ still; */\n"
                       "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                       "BEGIN\n"
                       "  PERFORM 1;\n"
                       "  RETURN 1;\n"
                       "END\n"
                       "$$;\n"
                       "SELECT f(); ; -- done\n"
                       "  SELECT ';' -- last, no semicolon\n";
    ck_assert_msg(mig_split(text, false, 1, &st, &n, err, sizeof(err)), "%s", err);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(st[0].sql, "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
                                "BEGIN\n"
                                "  PERFORM 1;\n"
                                "  RETURN 1;\n"
                                "END\n"
                                "$$");
    ck_assert_int_eq(st[0].line, 4);
    ck_assert_str_eq(st[1].sql, "SELECT f()");
    ck_assert_int_eq(st[1].line, 10);
    ck_assert_str_eq(st[2].sql, "SELECT ';' -- last, no semicolon");
    ck_assert_int_eq(st[2].line, 11);
    mig_stmts_free(st, n);

    /* first_line shifts every line. */
    ck_assert(mig_split("\n\nSELECT 1;\nSELECT 2;", false, 20, &st, &n, err, sizeof(err)));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(st[0].line, 22);
    ck_assert_int_eq(st[1].line, 23);
    mig_stmts_free(st, n);

    ck_assert(mig_split("  \n-- only a comment\n", false, 1, &st, &n, err, sizeof(err)));
    ck_assert_uint_eq(n, 0);
    mig_stmts_free(st, n);
    ck_assert(mig_split("", false, 1, &st, &n, err, sizeof(err)));
    ck_assert_uint_eq(n, 0);
    mig_stmts_free(st, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("migrate_files");
    TCase *tc = tcase_create("migrate_files");
    tcase_add_test(tc, test_version_normalize);
    tcase_add_test(tc, test_version_cmp);
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_bad_names);
    tcase_add_test(tc, test_missing_and_empty);
    tcase_add_test(tc, test_no_transaction);
    tcase_add_test(tc, test_down_section);
    tcase_add_test(tc, test_checksum);
    tcase_add_test(tc, test_syntax_errors);
    tcase_add_test(tc, test_native_split);
    tcase_add_test(tc, test_pg_split);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
