/*
 * Unit tests for src/admin/admin_parse.c: splitting a console query string into statements
 * and reading each one's shape (WORD [WORD], SET key = value), as PgBouncer's console does.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_parse.h"

/* The statements of sql joined with '|'. */
static void split(const char *sql, char *out, size_t cap)
{
    size_t pos = 0;
    char *stmt;
    int n = 0;
    out[0] = '\0';
    while ((stmt = admin_parse_next(sql, &pos))) {
        if (n++ > 0)
            strncat(out, "|", cap - strlen(out) - 1);
        strncat(out, stmt, cap - strlen(out) - 1);
        free(stmt);
    }
}

static struct admin_parse_cmd parse(const char *stmt)
{
    struct admin_parse_cmd c;
    admin_parse_command(stmt, &c);
    return c;
}

START_TEST(test_split)
{
    char out[256];

    split("SHOW POOLS", out, sizeof out);
    ck_assert_str_eq(out, "SHOW POOLS");
    split("SHOW POOLS; show clients;", out, sizeof out);
    ck_assert_str_eq(out, "SHOW POOLS| show clients");
    split("", out, sizeof out);
    ck_assert_str_eq(out, "");
    split(";;", out, sizeof out);
    ck_assert_str_eq(out, "|");
    /* A ';' inside quotes or comments does not end a statement. */
    split("SET a = 'x;y'; SHOW \"we;ird\" -- c;\n; /* ; */ SHOW x", out, sizeof out);
    ck_assert_str_eq(out, "SET a = 'x;y'| SHOW \"we;ird\" -- c;\n| /* ; */ SHOW x");
    /* An unterminated quote runs to the end (the statement is then invalid). */
    split("SHOW 'a; b", out, sizeof out);
    ck_assert_str_eq(out, "SHOW 'a; b");
}
END_TEST

START_TEST(test_commands)
{
    struct admin_parse_cmd c;

    c = parse("SHOW POOLS");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.verb, "show");
    ck_assert_str_eq(c.arg, "pools");
    c = parse("  \n\tshow\tStats_Totals  ");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.arg, "stats_totals");
    c = parse("RELOAD");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.verb, "reload");
    ck_assert_str_eq(c.arg, "");
    c = parse("KILL_CLIENT 42");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.arg, "42");
    /* A quoted word keeps its case; "" inside is one quote. */
    c = parse("PAUSE \"My\"\"Db\"");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.arg, "My\"Db");
    c = parse("/* hello */ SHOW -- trailing\n HELP");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.arg, "help");
    c = parse("  -- only a comment");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_EMPTY);
    c = parse("");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_EMPTY);
}
END_TEST

START_TEST(test_invalid)
{
    ck_assert_int_eq(parse("SELECT * FROM pools").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SELECT 1").kind, ADMIN_PARSE_COMMAND); /* a shape; the verb decides */
    ck_assert_int_eq(parse("'show'").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SHOW \"pools").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SHOW \"\"").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SHOW pools()").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("= =").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("a b c d e f g h i j k l").kind, ADMIN_PARSE_INVALID); /* 12 tokens */
    ck_assert_int_eq(parse("KILL = app").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET x").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET x = ").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET x == 1").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET x = 1 2").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("SET 'x' = 1").kind, ADMIN_PARSE_INVALID);
}
END_TEST

START_TEST(test_words)
{
    struct admin_parse_cmd c = parse("SHOW QUERIES app ORDER BY p99 LIMIT 5");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.verb, "show");
    ck_assert_str_eq(c.arg, "queries");
    ck_assert_int_eq(c.n_words, 7);
    ck_assert_str_eq(c.words[0], "queries");
    ck_assert_str_eq(c.words[4], "p99");
    ck_assert_str_eq(c.words[6], "5");
    ck_assert(!c.string[6]);
    c = parse("BACKUP app LABEL 'before ''v2'''");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_int_eq(c.n_words, 3);
    ck_assert_str_eq(c.words[2], "before 'v2'");
    ck_assert(c.string[2]);
    /* A 'string' is never the arg: SHOW 'pools' is not SHOW POOLS. */
    c = parse("SHOW 'pools'");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_str_eq(c.arg, "");
    ck_assert_int_eq(c.n_words, 1);
    ck_assert(c.string[0]);
    c = parse("SHOW POOLS NOW");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_int_eq(c.n_words, 2);
    /* A version: dots between digits stay in the word; elsewhere a dot is not a word. */
    c = parse("MIGRATE app TO 1.10.2 DRY RUN");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_int_eq(c.n_words, 5);
    ck_assert_str_eq(c.words[2], "1.10.2");
    ck_assert_int_eq(parse("MIGRATE app TO 1.").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("MIGRATE app.x").kind, ADMIN_PARSE_INVALID);
    /* Hyphens inside a word: a backup id (kept as written, folded to lower case). */
    c = parse("VERIFY BACKUP app-20261125T101500Z-3f2a");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_int_eq(c.n_words, 2);
    ck_assert_str_eq(c.words[1], "app-20261125t101500z-3f2a");
    ck_assert_int_eq(parse("VERIFY BACKUP -x").kind, ADMIN_PARSE_INVALID);
    ck_assert_int_eq(parse("VERIFY BACKUP x-").kind, ADMIN_PARSE_INVALID);
    c = parse("a b c d e f g h i j k"); /* the verb and ten words */
    ck_assert_int_eq(c.kind, ADMIN_PARSE_COMMAND);
    ck_assert_int_eq(c.n_words, 10);
}
END_TEST

START_TEST(test_set)
{
    struct admin_parse_cmd c;

    c = parse("SET default_pool_size = 40");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_SET);
    ck_assert_str_eq(c.verb, "set");
    ck_assert_str_eq(c.arg, "default_pool_size");
    ck_assert_str_eq(c.value, "40");
    c = parse("set Client_Encoding TO 'UTF8'");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_SET);
    ck_assert_str_eq(c.arg, "client_encoding");
    ck_assert_str_eq(c.value, "UTF8");
    c = parse("SET server_reset_query='DISCARD ALL; SELECT ''x'''");
    ck_assert_int_eq(c.kind, ADMIN_PARSE_SET);
    ck_assert_str_eq(c.value, "DISCARD ALL; SELECT 'x'");
}
END_TEST

START_TEST(test_limits)
{
    char stmt[600];

    memset(stmt, 'a', sizeof stmt);
    stmt[sizeof stmt - 1] = '\0';
    ck_assert_int_eq(parse(stmt).kind, ADMIN_PARSE_TOO_LONG);
    memcpy(stmt, "SHOW ", 5);
    memset(stmt + 5, 'b', 100);
    stmt[105] = '\0';
    ck_assert_int_eq(parse(stmt).kind, ADMIN_PARSE_TOO_LONG);
    /* A word of 63 characters fits, 64 does not. */
    memset(stmt + 5, 'c', 63);
    stmt[68] = '\0';
    ck_assert_int_eq(parse(stmt).kind, ADMIN_PARSE_COMMAND);
    stmt[68] = 'c';
    stmt[69] = '\0';
    ck_assert_int_eq(parse(stmt).kind, ADMIN_PARSE_TOO_LONG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("admin_parse");
    TCase *tc = tcase_create("admin_parse");
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_commands);
    tcase_add_test(tc, test_invalid);
    tcase_add_test(tc, test_words);
    tcase_add_test(tc, test_set);
    tcase_add_test(tc, test_limits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
