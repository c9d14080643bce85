/*
 * Unit tests for src/monitor/fingerprint.c: fp_compute's statements and fingerprints against
 * libpg_query, the fallback for texts the parser refuses, fp_shape's lexing, the property that
 * equal shapes mean equal fingerprints on generated texts, bounds (texts that are not
 * NUL-terminated), and concurrent use from several threads.
 */
#include <check.h>
#include <pg_query.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/fingerprint.h"

static int compute(const char *sql, struct fp_statement *out, int max)
{
    return fp_compute(sql, strlen(sql), out, max);
}

/* The fingerprint of a one-statement text. */
static uint64_t fp1(const char *sql)
{
    struct fp_statement s[2];
    int n = compute(sql, s, 2);
    ck_assert_msg(n == 1, "%s: %d statements", sql, n);
    ck_assert_uint_ne(s[0].fp, 0);
    ck_assert_ptr_nonnull(s[0].normalized);
    uint64_t fp = s[0].fp;
    fp_statements_free(s, 1);
    return fp;
}

static uint64_t shape(const char *sql)
{
    return fp_shape(sql, strlen(sql));
}

#define SAME_FP(a, b) ck_assert_msg(fp1(a) == fp1(b), "fingerprints differ: [%s] [%s]", a, b)
#define DIFF_FP(a, b) ck_assert_msg(fp1(a) != fp1(b), "fingerprints equal: [%s] [%s]", a, b)
#define SAME_SH(a, b) ck_assert_msg(shape(a) == shape(b), "shapes differ: [%s] [%s]", a, b)
#define DIFF_SH(a, b) ck_assert_msg(shape(a) != shape(b), "shapes equal: [%s] [%s]", a, b)

START_TEST(test_literals_do_not_count)
{
    SAME_FP("SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a = 42");
    SAME_FP("SELECT * FROM t WHERE a = 1.5", "SELECT * FROM t WHERE a = 2.75e3");
    SAME_FP("SELECT * FROM t WHERE a = 'x'", "SELECT * FROM t WHERE a = 'it''s'");
    SAME_FP("SELECT * FROM t WHERE a = E'a\\nb'", "SELECT * FROM t WHERE a = E'c\\'d'");
    SAME_FP("SELECT * FROM t WHERE a = $$x$$", "SELECT * FROM t WHERE a = $tag$y;$$z$tag$");
    SAME_FP("SELECT * FROM t WHERE a = 'x'", "SELECT * FROM t WHERE a = $$x$$");
    SAME_FP("SELECT * FROM t WHERE a = -1", "SELECT * FROM t WHERE a = -7");
    SAME_FP("SELECT * FROM t WHERE a = -1", "SELECT * FROM t WHERE a = 1");
    SAME_FP("SELECT * FROM t WHERE a IN (1, 2, 3)", "SELECT * FROM t WHERE a IN (4)");
    SAME_FP("INSERT INTO t (a, b) VALUES (1, 'x')", "INSERT INTO t (a, b) VALUES (2, 'y')");
    SAME_FP("SELECT x FROM t WHERE a NOT LIKE 'a%' ORDER BY x NULLS FIRST",
            "SELECT x FROM t WHERE a NOT LIKE 'b' ORDER BY x NULLS FIRST");
    SAME_FP("SELECT a, b FROM t WHERE x = 1 ORDER BY a",
            "  select a ,\n\tb /* the b */ FROM t -- c\n WHERE x=2 /* a /* nested */ one */ "
            "ORDER\nBY a  ");
}
END_TEST

START_TEST(test_structure_counts)
{
    DIFF_FP("SELECT a FROM t WHERE a = 1", "SELECT a FROM u WHERE a = 1");
    DIFF_FP("SELECT a FROM t WHERE a = 1", "SELECT b FROM t WHERE a = 1");
    DIFF_FP("SELECT a FROM t WHERE a = 1", "SELECT a FROM t WHERE a < 1");
    DIFF_FP("SELECT a FROM t WHERE a = 1", "DELETE FROM t WHERE a = 1");
    DIFF_FP("UPDATE t SET a = 1", "UPDATE t SET b = 1");
}
END_TEST

START_TEST(test_statements)
{
    struct fp_statement s[4];
    ck_assert_int_eq(compute("SELECT 1; SELECT 2", s, 4), 2);
    ck_assert_uint_eq(s[0].fp, s[1].fp);
    ck_assert_str_eq(s[0].normalized, "SELECT $1");
    fp_statements_free(s, 2);
    ck_assert_int_eq(compute("SELECT 1;;", s, 4), 1);
    fp_statements_free(s, 1);
    ck_assert_int_eq(compute("SELECT 1; /* nothing */ ;\n; DELETE FROM t ; ", s, 4), 2);
    ck_assert_uint_ne(s[0].fp, s[1].fp);
    ck_assert_str_eq(s[1].normalized, "DELETE FROM t");
    fp_statements_free(s, 2);
    ck_assert_int_eq(compute("", s, 4), 0);
    ck_assert_int_eq(compute(";", s, 4), 0);
    ck_assert_int_eq(compute("  ; -- c\n ; /* x */", s, 4), 0);
    /* More statements than room: the count of all, the first ones filled. */
    s[2].normalized = NULL;
    ck_assert_int_eq(compute("SELECT 1; SELECT a FROM t; SELECT 3", s, 2), 3);
    ck_assert_str_eq(s[1].normalized, "SELECT a FROM t");
    ck_assert_ptr_null(s[2].normalized);
    fp_statements_free(s, 2);
    ck_assert_int_eq(compute("SELECT 1; SELECT 2", s, 0), 2);
    /* A semicolon inside a rule's body does not split. */
    ck_assert_int_eq(compute("CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); "
                             "SELECT 3",
                             s, 4),
                     2);
    fp_statements_free(s, 2);
    /* A NUL ends the text, as it does for libpg_query. */
    ck_assert_int_eq(fp_compute("SELECT 1\0; SELECT 2", 19, s, 4), 1);
    fp_statements_free(s, 1);
    ck_assert_uint_eq(fp_shape("SELECT 1\0; SELECT 2", 19), shape("SELECT 1"));
}
END_TEST

START_TEST(test_parse_error_fallback)
{
    struct fp_statement s[2];
    uint64_t a = fp1("SELEC a FROM t WHERE b = 1"), b = fp1("SELEC a FROM t WHERE b = 22");
    ck_assert_uint_eq(a, b);
    ck_assert_uint_ne(a, fp1("SELEC a FROM u WHERE b = 1"));
    ck_assert_uint_ne(a, fp1("SELECT a FROM t WHERE b = 1"));
    ck_assert_int_eq(compute("SELEC  a FROM \"T\" WHERE b = 'x' AND c = $1 -- c", s, 2), 1);
    ck_assert_str_eq(s[0].normalized, "selec a from \"T\" where b = $2 and c = $1");
    fp_statements_free(s, 1);
    /* PostgreSQL runs nothing of a text it cannot parse: one entry for all of it. */
    ck_assert_int_eq(compute("SELECT 1; SELEC 2; SELECT 3", s, 2), 1);
    ck_assert_str_eq(s[0].normalized, "select $1; selec $2; select $3");
    fp_statements_free(s, 1);
    /* Lexer errors too, and an unterminated literal keeps its text. */
    SAME_FP("SELECT E'\\u12'", "SELECT E'\\u12'");
    ck_assert_int_eq(compute("SELECT 1 FROM t WHERE a = 'abc", s, 2), 1);
    ck_assert_str_eq(s[0].normalized, "select $1 from t where a = 'abc");
    fp_statements_free(s, 1);
    SAME_FP("SELECT 12abc", "SELECT 3abc");
}
END_TEST

START_TEST(test_shape)
{
    SAME_SH("SELECT a FROM t WHERE b = 1 AND c = 'x'", "SELECT a FROM t WHERE b = 2 AND c = 'yy'");
    SAME_SH("SELECT a FROM t WHERE c = 'x'", "SELECT a FROM t WHERE c = $q$it's$q$");
    SAME_SH("SELECT a FROM t WHERE c = 'a''b'", "SELECT a FROM t WHERE c = 'a'\n  'b'");
    SAME_SH("SELECT a FROM t WHERE c = E'\\''", "SELECT a FROM t WHERE c = E'x\\\\'");
    SAME_SH("SELECT 1.5, .5e3", "SELECT 2., 1e-9");
    SAME_SH("SELECT a  FROM\n\tt", "  SELECT /* c */ a -- d\n FROM t /* e */ ");
    SAME_SH("SELECT a/**/FROM t", "SELECT a FROM t");
    SAME_SH("SELECT a FROM t WHERE b = -1", "SELECT a FROM t WHERE b = -2147483647");
    DIFF_SH("SELECT a b", "SELECT ab");
    DIFF_SH("SELECT 1 2", "SELECT 12");
    DIFF_SH("SELECT t1", "SELECT t2");
    DIFF_SH("SELECT x_2 FROM t", "SELECT x_3 FROM t");
    DIFF_SH("SELECT \"A\"", "SELECT \"B\"");
    DIFF_SH("SELECT \"a\"\"b\"", "SELECT \"a\"\"c\"");
    DIFF_SH("SELECT $1", "SELECT $2");
    DIFF_SH("SELECT a$1 FROM t", "SELECT a$2 FROM t");
    DIFF_SH("SELECT Id FROM t", "SELECT id FROM t");
    /* Adjacent literals: one continued string, or two (a syntax error). */
    DIFF_SH("SELECT 'a'\n'b'", "SELECT 'a' 'b'");
    DIFF_SH("SELECT 'a'\n'b'", "SELECT 'a' -- c\n'b'");
    /* int32 constants and others are different tokens for the grammar. */
    DIFF_SH("SELECT 1::int[3]", "SELECT 1::int[99999999999]");
    SAME_SH("SELECT 2147483647", "SELECT 1");
    DIFF_SH("SELECT 2147483648", "SELECT 1");
    /* Literals whose value the parser checks stay in the shape. */
    DIFF_SH("SELECT 1::float(5)", "SELECT 1::float(0)");
    DIFF_SH("SELECT E'\\u0061'", "SELECT E'\\u12'");
    DIFF_SH("SELECT U&'\\0061'", "SELECT U&'\\00'");
    DIFF_SH("SELECT U&'!0061' UESCAPE '!'", "SELECT U&'!0061' UESCAPE '+'");
    /* Utility statements: some literals are values that fingerprints keep. */
    DIFF_SH("COPY t FROM '/a'", "COPY t FROM '/b'");
    DIFF_SH("FETCH 5 FROM c", "FETCH 6 FROM c");
    SAME_SH("SET statement_timeout = 5", "SET statement_timeout = 10");
    /* A number alone in brackets may be an array bound, which fingerprints keep. */
    DIFF_SH("SELECT x::int[3] FROM t", "SELECT x::int[4] FROM t");
    SAME_SH("SELECT x[1:2] FROM t", "SELECT x[3:4] FROM t");
    /* libpg_query sees a comment after NOT, NULLS and WITH. */
    DIFF_SH("SELECT a FROM t WHERE b NOT LIKE 'x'", "SELECT a FROM t WHERE b NOT /* c */ LIKE 'x'");
    SAME_SH("SELECT a FROM t WHERE b NOT LIKE 'x'", "SELECT a FROM t WHERE b /* c */ NOT LIKE 'x'");
    /* Dollar signs: parameters, identifiers and dollar quotes. */
    DIFF_SH("SELECT a$$b$$", "SELECT a$$c$$");
    SAME_SH("SELECT $$b$$", "SELECT $$c$$");
    SAME_SH("SELECT $a$ $$ $a$", "SELECT $a$x$a$");
    DIFF_SH("SELECT $a$x$b$", "SELECT $a$y$b$");
    /* ".." is one token: 1..2 is not 1, '.', .2. */
    SAME_SH("SELECT 1..2", "SELECT 3..4");
    DIFF_SH("SELECT 1..2", "SELECT 1..99999999999");
    /* x'..' is a hex string, x '..' a typed literal. */
    DIFF_SH("SELECT x'1f'", "SELECT x '1f'");
    ck_assert_uint_ne(shape(""), 0);
    ck_assert_uint_eq(shape(""), shape(" \n -- c"));
}
END_TEST

/* fp_shape and fp_compute read nothing past len (ASan checks the heap copies). */
START_TEST(test_bounds)
{
    static const char *texts[] = {
        "SELECT 'abc''d' , E'x\\'y\\\\' , $t$a$t$ , \"q\"\"i\" , 1.5e+3 , .5 , 12 , $1 , "
        "B'1' , X'f' , N'n' , U&'u' /* a /* b */ c */ -- d\n FROM t1 WHERE a$b = 1..2",
        "SELECT 'unterminated",
        "SELECT E'unterminated\\",
        "SELECT \"unterminated",
        "SELECT $tag$unterminated $tag",
        "SELECT /* unterminated /* */",
        "SELECT 1e",
        "SELECT 1e+",
        "SELECT $",
        "SELECT $a",
        "SELECT 'a'\n",
        "SELECT -",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t len = strlen(texts[i]);
        for (size_t cut = 0; cut <= len; cut++) {
            char *p = malloc(cut != 0 ? cut : 1);
            ck_assert_ptr_nonnull(p);
            memcpy(p, texts[i], cut);
            uint64_t h = fp_shape(p, cut);
            ck_assert_uint_ne(h, 0);
            /* The same prefix, NUL-terminated, has the same shape. */
            char *z = strndup(texts[i], cut);
            ck_assert_uint_eq(h, fp_shape(z, strlen(z)));
            free(z);
            if (cut == len || cut % 7 == 0) {
                struct fp_statement s[FP_MAX_STATEMENTS];
                int n = fp_compute(p, cut, s, FP_MAX_STATEMENTS);
                ck_assert_int_ge(n, 0);
                fp_statements_free(s, n < FP_MAX_STATEMENTS ? n : FP_MAX_STATEMENTS);
            }
            free(p);
        }
    }
}
END_TEST

/* --- equal shapes imply equal fingerprints, on generated texts --- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static size_t rng_below(size_t n)
{
    return (size_t)(rng_next() % n);
}

/* Statement templates: '@' is a literal, ' ' a separator. */
static const char *const templates[] = {
    "SELECT @ FROM t WHERE a = @",
    "SELECT a , b FROM t WHERE a IN ( @ , @ , @ ) AND b = @",
    "SELECT a FROM t WHERE a IN ( @ )",
    "INSERT INTO t ( a , b ) VALUES ( @ , @ ) RETURNING a",
    "UPDATE t SET a = @ WHERE b < @",
    "DELETE FROM t WHERE a = - @ OR b = @",
    "SELECT @ :: float ( @ )",
    "SELECT @ :: int [ @ ]",
    "SELECT x [ @ ] FROM t",
    "SELECT a FROM t LIMIT @ OFFSET @",
    "SELECT a FROM t FETCH FIRST @ ROWS ONLY",
    "SELECT @ @",
    "SELECT @@",
    "SELECT a FROM t WHERE b LIKE @ ESCAPE @",
    "SELECT f ( @ , $1 ) FROM t WHERE a = $2",
    "SELECT interval @ second ( @ )",
    "SELECT @ :: varchar ( @ )",
    "WITH q AS ( SELECT @ AS v ) SELECT v FROM q",
    "SELECT a FROM t ; SELECT @",
    "SELECT @ ; ; UPDATE t SET a = @",
    "( SELECT @ ) UNION ( SELECT @ )",
    "COPY t FROM @",
    "FETCH @ FROM c",
    "NOTIFY c , @",
    "SET statement_timeout = @",
    "SET search_path = @ , @",
    "CREATE SEQUENCE s START @",
    "CREATE TABLE t ( a varchar ( @ ) DEFAULT @ )",
    "ALTER TABLE t ALTER a SET STATISTICS @",
    "COMMENT ON TABLE t IS @",
    "DO @",
    "EXPLAIN SELECT @",
    "SELECT U&@ UESCAPE @",
    "SELECT t1.a$b , \"Q\"\"x\" FROM t1 WHERE c = @",
    "CALL p ( @ , @ )",
    "MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN UPDATE SET b = @",
    "SELECT a FROM t WHERE b = @ AND c = @ ::text",
    "SELECT CAST ( @ AS numeric ( @ , @ ) )",
    "SELECT a FROM t WHERE b BETWEEN @ AND @",
    "SELECT a FROM t WHERE b NOT LIKE @",
    "SELECT a FROM t WHERE b NOT BETWEEN @ AND @ OR c NOT IN ( @ , @ )",
    "SELECT a FROM t ORDER BY a NULLS FIRST LIMIT @",
    "SELECT * FROM f ( @ ) WITH ORDINALITY",
    "SELECT x :: int [ @ ] , CAST ( y AS text [ @ ] [ @ ] ) FROM t",
    "SELECT x :: float ( @ ) FROM t",
};

/* Literals by class: a text draws its values from one class per slot. */
static const char *const lit_int[] = {"0", "1", "42", "007", "2147483647"};
static const char *const lit_big[] = {"2147483648", "99999999999", "18446744073709551616"};
static const char *const lit_num[] = {"1.5", ".5", "3.", "1e5", "2.5E-3", "0.0"};
static const char *const lit_str[] = {
    "'x'",    "''",           "'it''s'", "$$a$$", "$q$b'c$q$", "'a'\n'b'", "'\xc3\xa9'",
    "'\xff'", "'a' \n\t 'b'", "$$$$",    "'--'",  "'/*'",      "';'",
};
static const char *const lit_estr[] = {"E'a'", "e'\\n'", "E'\\''", "E'\\\\'", "E'a\\tb'"};
static const char *const lit_risky[] = {"E'\\x41'", "E'\\xff'", "E'\\u0061'", "E'\\u12'",
                                        "E'\\0'",   "'\\0061'", "'!'",        "'+'"};
static const char *const lit_misc[] = {
    "B'101'", "X'ff'", "N'n'", "B'12'", "1e",   "1..2", "1a",         "'a' 'b'", "'a' -- c\n'b'",
    "$1",     "'x",    "$$x",  "E'\\",  "/* c", "\"q",  "U&'\\0061'", "U&'\\00'"};

struct lit_class {
    const char *const *v;
    size_t n;
};
static const struct lit_class classes[] = {
    {lit_int, 5},  {lit_big, 3},   {lit_num, 6},   {lit_str, 13},
    {lit_estr, 5}, {lit_risky, 8}, {lit_misc, 17},
};

static const char *const separators[] = {
    " ", "  ", "\n", "\t", "/* c */", " /* a /* b */ c */ ", "-- c\n", "\r\n", ""};

#define GEN_MAX 512

/* A mutation of a template: a character dropped, or one inserted. */
static void mutate(char *tpl, size_t cap)
{
    static const char chars[] = "'\"$;()-*/e.\\\n;1";
    size_t len = strlen(tpl);
    if (rng_below(3) == 0 && len > 0) {
        size_t at = rng_below(len);
        memmove(tpl + at, tpl + at + 1, len - at);
    } else if (len + 2 < cap) {
        size_t at = rng_below(len + 1);
        memmove(tpl + at + 1, tpl + at, len - at + 1);
        tpl[at] = chars[rng_below(sizeof chars - 1)];
    }
}

/* A text from a template, a class per slot (slot_class), separators chosen here. */
static void realize(const char *tpl, const int *slot_class, bool vary_sep, char *out, size_t cap)
{
    size_t n = 0, slot = 0;
    for (const char *p = tpl; *p != '\0' && n + 64 < cap; p++) {
        const char *piece;
        char one[2] = {*p, '\0'};
        if (*p == '@') {
            const struct lit_class *c = &classes[slot_class[slot++]];
            piece = c->v[rng_below(c->n)];
        } else if (*p == ' ' && vary_sep) {
            piece = separators[rng_below(sizeof separators / sizeof separators[0] - 1)];
        } else {
            piece = one;
        }
        size_t k = strlen(piece);
        if (n + k + 1 >= cap)
            break;
        memcpy(out + n, piece, k);
        n += k;
    }
    out[n] = '\0';
}

static bool same_statements(const char *a, const char *b)
{
    struct fp_statement sa[FP_MAX_STATEMENTS], sb[FP_MAX_STATEMENTS];
    int na = compute(a, sa, FP_MAX_STATEMENTS), nb = compute(b, sb, FP_MAX_STATEMENTS);
    bool same = na == nb && na >= 0;
    for (int i = 0; same && i < na && i < FP_MAX_STATEMENTS; i++)
        same = sa[i].fp == sb[i].fp;
    fp_statements_free(sa, na < FP_MAX_STATEMENTS ? na : FP_MAX_STATEMENTS);
    fp_statements_free(sb, nb < FP_MAX_STATEMENTS ? nb : FP_MAX_STATEMENTS);
    return same;
}

START_TEST(test_equal_shapes_equal_fingerprints)
{
    enum { SKELETONS = 1500, VARIANTS = 4 };
    static char text[VARIANTS][GEN_MAX];
    char tpl[GEN_MAX];
    int pairs = 0, parsed_pairs = 0, cross = 0;
    uint64_t prev_shape = 0;
    static char prev[GEN_MAX];
    rng_state = 0xf1a9;
    for (int k = 0; k < SKELETONS; k++) {
        snprintf(tpl, sizeof tpl, "%s",
                 templates[rng_below(sizeof templates / sizeof templates[0])]);
        /* Two statements in one text, now and then. */
        if (rng_below(6) == 0) {
            size_t len = strlen(tpl);
            snprintf(tpl + len, sizeof tpl - len, " ; %s",
                     templates[rng_below(sizeof templates / sizeof templates[0])]);
        }
        if (rng_below(4) == 0)
            mutate(tpl, sizeof tpl);
        int slot_class[64];
        for (int s = 0; s < 64; s++)
            slot_class[s] = (int)rng_below(sizeof classes / sizeof classes[0]);
        bool vary_sep = rng_below(2) == 0;
        for (int v = 0; v < VARIANTS; v++)
            realize(tpl, slot_class, vary_sep, text[v], GEN_MAX);
        uint64_t sh0 = shape(text[0]);
        for (int v = 1; v < VARIANTS; v++) {
            if (shape(text[v]) != sh0)
                continue;
            pairs++;
            PgQueryFingerprintResult r = pg_query_fingerprint(text[0]);
            parsed_pairs += r.error == NULL;
            pg_query_free_fingerprint_result(r);
            ck_assert_msg(same_statements(text[0], text[v]),
                          "equal shapes, different fingerprints:\n[%s]\n[%s]", text[0], text[v]);
        }
        /* Across skeletons: equal shapes are rare, but must agree too. */
        if (k > 0 && sh0 == prev_shape) {
            cross++;
            ck_assert_msg(same_statements(text[0], prev),
                          "equal shapes, different fingerprints:\n[%s]\n[%s]", text[0], prev);
        }
        prev_shape = sh0;
        memcpy(prev, text[0], GEN_MAX);
    }
    /* The check is not vacuous: many texts differing in literals shared a shape, and many of
     * them parse. */
    ck_assert_int_gt(pairs, SKELETONS / 2);
    ck_assert_int_gt(parsed_pairs, SKELETONS / 3);
    (void)cross;
}
END_TEST

/* --- several threads --- */

static const char *const thread_texts[] = {
    "SELECT a FROM t WHERE b = 1",
    "INSERT INTO t VALUES (1, 'x'); SELECT 2",
    "SELEC broken FROM t",
    "UPDATE t SET a = $1 WHERE b IN (1, 2, 3)",
    "SELECT E'\\u12'",
    "WITH q AS (SELECT 1) SELECT * FROM q",
};
#define N_THREAD_TEXTS (sizeof thread_texts / sizeof thread_texts[0])
static uint64_t thread_expect[N_THREAD_TEXTS][2];

static void *thread_run(void *arg)
{
    (void)arg;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < N_THREAD_TEXTS; i++) {
            struct fp_statement s[2];
            int n = compute(thread_texts[i], s, 2);
            bool ok = n >= 1 && s[0].fp == thread_expect[i][0] &&
                      (n < 2 || s[1].fp == thread_expect[i][1]);
            fp_statements_free(s, n < 2 ? n : 2);
            if (!ok)
                return (void *)1;
        }
    }
    return NULL;
}

START_TEST(test_threads)
{
    for (size_t i = 0; i < N_THREAD_TEXTS; i++) {
        struct fp_statement s[2];
        int n = compute(thread_texts[i], s, 2);
        ck_assert_int_ge(n, 1);
        thread_expect[i][0] = s[0].fp;
        thread_expect[i][1] = n > 1 ? s[1].fp : 0;
        fp_statements_free(s, n < 2 ? n : 2);
    }
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_run, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *rv;
        ck_assert_int_eq(pthread_join(th[i], &rv), 0);
        ck_assert_ptr_null(rv);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fingerprint");
    TCase *tc = tcase_create("fingerprint");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_literals_do_not_count);
    tcase_add_test(tc, test_structure_counts);
    tcase_add_test(tc, test_statements);
    tcase_add_test(tc, test_parse_error_fallback);
    tcase_add_test(tc, test_shape);
    tcase_add_test(tc, test_bounds);
    tcase_add_test(tc, test_equal_shapes_equal_fingerprints);
    tcase_add_test(tc, test_threads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
