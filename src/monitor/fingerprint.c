/*
 * Query fingerprints (see monitor/fingerprint.h).
 *
 * fp_shape and the fallback normalizer share one lexer, fp_lex(), which follows PostgreSQL 15's
 * scanner as libpg_query 15-4 builds it (standard_conforming_strings on) wherever token
 * boundaries or literal classes are decided: whitespace is [ \t\n\r\f]; "--" comments run to
 * \n or \r; comments nest; '...' strings double '' and continue across a newline
 * ('a'<newline>'b' is one literal, but not across a comment); E'...' takes backslash escapes;
 * B'...' and X'...' do not double ''; N'...' is a plain string after an NCHAR; U&'...' is a
 * string with Unicode escapes; $tag$...$tag$ ends at the first "$tag$"; $n is a parameter; an
 * identifier may contain $ and digits; a number starts with a digit or with '.' and a digit,
 * "1..2" is 1 then "..", an exponent needs a digit.
 *
 * The shape hashes the tokens with their literal values replaced by a marker of their class
 * (integer that fits in int32, other number, string), so that two texts with equal shapes
 * lex to the same token sequence apart from literal values: the parser then takes the same
 * path in both and pg_query_fingerprint (which ignores constants) agrees. A literal is hashed
 * verbatim instead where its value can change the parse or the fingerprint:
 *   - outside SELECT/INSERT/UPDATE/DELETE/MERGE/WITH/VALUES/CALL/SET and parenthesised
 *     statements: utility statements keep some literals as values that pg_query_fingerprint
 *     hashes (COPY's file name, FETCH's count, NOTIFY's payload, CREATE SEQUENCE's options);
 *   - E'...' with \u, \U, \x or octal escapes (invalid escapes and invalid UTF-8 are lexer
 *     errors), the precision in float(p) (checked by the grammar, and float4 or float8 by
 *     it) and a number alone in brackets (an array bound, "int[3]", is a value in the
 *     fingerprint; a subscript "a[3]" is not, but looks the same);
 *   - from a U&'...' or U&"..." on, the rest of the text counts as it is, comments and all
 *     (the escape character after UESCAPE is checked, and libpg_query's look-ahead for
 *     UESCAPE does not skip comments).
 * And a comment right after NOT, NULLS or WITH is not whitespace for libpg_query (below).
 * Text ends at len or at the first NUL byte, whichever comes first, in fp_shape and
 * fp_compute alike (libpg_query sees a C string).
 */
#include "monitor/fingerprint.h"

#include <pg_query.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fp_tok_kind {
    TK_END,
    TK_SPACE, /* a run of whitespace and comments */
    TK_IDENT, /* identifier or keyword */
    TK_QIDENT,
    TK_PARAM,
    TK_INT, /* an integer that fits in int32: ICONST */
    TK_NUM, /* any other number: FCONST */
    TK_STR, /* a string literal of any kind, with its prefix */
    TK_CHAR,
    TK_TAIL, /* an unterminated string, identifier or comment: the rest of the text */
};

struct fp_tok {
    enum fp_tok_kind kind;
    const char *p;
    size_t len;
    size_t prefix; /* TK_STR: length of E, B, X, N or U& */
    bool risky;    /* TK_STR: its value may decide whether the text lexes */
    bool comment;  /* TK_SPACE: holds a comment */
};

static inline bool fp_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static inline bool fp_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool fp_is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static inline bool fp_is_ident_cont(unsigned char c)
{
    return fp_is_ident_start(c) || fp_is_digit(c) || c == '$';
}

/* After a closing quote at q: the next opening quote when the literal continues (horizontal
 * whitespace, a newline, any whitespace, a quote: no comments, as libpg_query lexes it). */
static const char *fp_quote_continues(const char *q, const char *end)
{
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\f'))
        q++;
    if (q >= end || (*q != '\n' && *q != '\r'))
        return NULL;
    while (q < end && fp_is_space((unsigned char)*q))
        q++;
    return q < end && *q == '\'' ? q : NULL;
}

/* A quoted string whose opening quote is at s + prefix. NULL when unterminated. */
static const char *fp_lex_string(const char *s, const char *end, size_t prefix, struct fp_tok *t)
{
    char kind = prefix == 1 ? (char)(s[0] | 0x20) : 'q'; /* e, b, x, n or q (plain, U&) */
    bool escapes = kind == 'e', doubling = kind != 'b' && kind != 'x';
    const char *q = s + prefix + 1;
    t->risky = prefix == 2;
    for (;;) {
        if (q >= end)
            return NULL;
        char c = *q;
        if (c == '\\' && escapes) {
            if (q + 1 >= end)
                return NULL;
            if (strchr("uUxX01234567", q[1]) != NULL)
                t->risky = true;
            q += 2;
            continue;
        }
        if (c == '\'') {
            if (doubling && q + 1 < end && q[1] == '\'') {
                q += 2;
                continue;
            }
            const char *r = fp_quote_continues(q + 1, end);
            if (r == NULL)
                return q + 1;
            q = r + 1;
            continue;
        }
        q++;
    }
}

/* At s, '$' not followed by a digit: the end of a dollar-quoted string, s itself when s does
 * not open one, NULL when it opens one that is unterminated. */
static const char *fp_lex_dollar(const char *s, const char *end)
{
    const char *q = s + 1;
    if (q < end && fp_is_ident_start((unsigned char)*q)) {
        q++;
        while (q < end && fp_is_ident_cont((unsigned char)*q) && *q != '$')
            q++;
    }
    if (q >= end || *q != '$')
        return s;
    size_t tag = (size_t)(q + 1 - s); /* "$tag$" */
    for (const char *r = q + 1; r + tag <= end; r++) {
        r = memchr(r, '$', (size_t)(end - r));
        if (r == NULL || r + tag > end)
            return NULL;
        if (memcmp(r, s, tag) == 0)
            return r + tag;
    }
    return NULL;
}

/* A number at s (a digit, or '.' and a digit). */
static const char *fp_lex_number(const char *s, const char *end, struct fp_tok *t)
{
    const char *q = s;
    bool is_float = false;
    uint64_t v = 0;
    while (q < end && fp_is_digit((unsigned char)*q)) {
        if (v <= INT32_MAX)
            v = v * 10 + (uint64_t)(*q - '0');
        q++;
    }
    /* "1..2" is 1 followed by "..": a range, not 1. */
    if (q < end && *q == '.' && !(q > s && q + 1 < end && q[1] == '.')) {
        is_float = true;
        q++;
        while (q < end && fp_is_digit((unsigned char)*q))
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        const char *r = q + 1;
        if (r < end && (*r == '+' || *r == '-'))
            r++;
        if (r < end && fp_is_digit((unsigned char)*r)) {
            while (r < end && fp_is_digit((unsigned char)*r))
                r++;
            q = r;
            is_float = true;
        }
    }
    t->kind = is_float || v > INT32_MAX ? TK_NUM : TK_INT;
    return q;
}

/* The token at s (s < end). Returns its end. */
static const char *fp_lex(const char *s, const char *end, struct fp_tok *t)
{
    const char *q;
    unsigned char c = (unsigned char)*s;
    t->p = s;
    t->prefix = 0;
    t->risky = false;
    t->comment = false;

    /* Whitespace and comments. */
    q = s;
    while (q < end) {
        if (fp_is_space((unsigned char)*q)) {
            q++;
        } else if (*q == '-' && q + 1 < end && q[1] == '-') {
            t->comment = true;
            while (q < end && *q != '\n' && *q != '\r')
                q++;
        } else if (*q == '/' && q + 1 < end && q[1] == '*') {
            const char *open = q;
            int depth = 1;
            q += 2;
            while (depth > 0 && q < end) {
                if (*q == '/' && q + 1 < end && q[1] == '*') {
                    depth++;
                    q += 2;
                } else if (*q == '*' && q + 1 < end && q[1] == '/') {
                    depth--;
                    q += 2;
                } else {
                    q++;
                }
            }
            t->comment = true;
            if (depth > 0) {
                if (open > s) { /* the space before first, the comment next time */
                    t->kind = TK_SPACE;
                    t->len = (size_t)(open - s);
                    return open;
                }
                t->kind = TK_TAIL;
                t->len = (size_t)(end - s);
                return end;
            }
        } else {
            break;
        }
    }
    if (q > s) {
        t->kind = TK_SPACE;
        t->len = (size_t)(q - s);
        return q;
    }

    if (fp_is_ident_start(c)) {
        size_t prefix = 0;
        if (s + 1 < end && s[1] == '\'' && strchr("bBxXeEnN", c) != NULL)
            prefix = 1;
        else if ((c == 'u' || c == 'U') && s + 2 < end && s[1] == '&' && s[2] == '\'')
            prefix = 2;
        if (prefix > 0) {
            q = fp_lex_string(s, end, prefix, t);
            t->kind = TK_STR;
            t->prefix = prefix;
        } else {
            q = s + 1;
            while (q < end && fp_is_ident_cont((unsigned char)*q))
                q++;
            t->kind = TK_IDENT;
        }
    } else if (c == '\'') {
        q = fp_lex_string(s, end, 0, t);
        t->kind = TK_STR;
    } else if (c == '"') {
        q = s + 1;
        for (;;) {
            const char *r = q < end ? memchr(q, '"', (size_t)(end - q)) : NULL;
            if (r == NULL) {
                q = NULL;
                break;
            }
            if (r + 1 < end && r[1] == '"') {
                q = r + 2;
                continue;
            }
            q = r + 1;
            break;
        }
        t->kind = TK_QIDENT;
    } else if (fp_is_digit(c) || (c == '.' && s + 1 < end && fp_is_digit((unsigned char)s[1]))) {
        q = fp_lex_number(s, end, t);
    } else if (c == '$' && s + 1 < end && fp_is_digit((unsigned char)s[1])) {
        q = s + 1;
        while (q < end && fp_is_digit((unsigned char)*q))
            q++;
        t->kind = TK_PARAM;
    } else if (c == '$') {
        q = fp_lex_dollar(s, end);
        if (q == s) {
            q = s + 1;
            t->kind = TK_CHAR;
        } else {
            t->kind = TK_STR;
        }
    } else {
        /* ".." is one token (DOT_DOT): "..5" is not '.' and .5. */
        q = c == '.' && s + 1 < end && s[1] == '.' ? s + 2 : s + 1;
        t->kind = TK_CHAR;
    }
    if (q == NULL) {
        t->kind = TK_TAIL;
        q = end;
    }
    t->len = (size_t)(q - s);
    return q;
}

static bool fp_ident_is(const struct fp_tok *t, const char *word)
{
    size_t n = strlen(word);
    if (t->len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((t->p[i] | 0x20) != word[i])
            return false;
    return true;
}

/* Statements whose literals are all constants in expressions, which fingerprints ignore. */
static bool fp_literals_are_constants(const struct fp_tok *t)
{
    static const char *const words[] = {"select", "insert", "update", "delete", "merge",
                                        "with",   "values", "call",   "set"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (fp_ident_is(t, words[i]))
            return true;
    return false;
}

/* The end of the text: len, or the first NUL. */
static const char *fp_end(const char *text, size_t len)
{
    const char *nul = memchr(text, '\0', len);
    return nul != NULL ? nul : text + len;
}

/* The next token after s, whitespace and comments skipped, is the character c. */
static bool fp_next_is(const char *s, const char *end, char c)
{
    struct fp_tok t;
    while (s < end) {
        s = fp_lex(s, end, &t);
        if (t.kind != TK_SPACE)
            return t.kind == TK_CHAR && t.len == 1 && *t.p == c;
    }
    return false;
}

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x100000001b3)

static inline uint64_t fp_hash_bytes(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* A marker: a NUL (never in the text) and its class. */
static inline uint64_t fp_hash_marker(uint64_t h, unsigned char m)
{
    h *= FNV_PRIME; /* h ^= 0 */
    h ^= m;
    return h * FNV_PRIME;
}

static inline uint64_t fp_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

enum { FP_MARK_INT = 1, FP_MARK_NUM, FP_MARK_STR, FP_MARK_TAIL, FP_MARK_RAW, FP_MARK_COMMENT };

uint64_t fp_shape(const char *text, size_t len)
{
    const char *s = text, *end = fp_end(text, len);
    uint64_t h = FNV_OFFSET;
    bool any = false, space = false, space_comment = false, lookahead = false;
    bool stmt_start = true, constants = false, verbatim_rest = false;
    int depth = 0;
    enum { CTX_NONE, CTX_FLOAT, CTX_FLOAT_PAREN, CTX_BRACKET } ctx = CTX_NONE; /* before t */
    struct fp_tok t;

    while (s < end) {
        s = fp_lex(s, end, &t);
        if (t.kind == TK_SPACE) {
            space = any;
            space_comment = space_comment || t.comment;
            continue;
        }
        if (space) {
            /*
             * libpg_query looks one token past NOT, NULLS and WITH (for NOT LIKE, NULLS FIRST,
             * WITH ORDINALITY) and sees a comment there, so a comment right after them is
             * not whitespace (PostgreSQL itself does skip it).
             */
            if (space_comment && lookahead)
                h = fp_hash_marker(h, FP_MARK_COMMENT);
            else
                h = fp_hash_bytes(h, " ", 1);
            space = space_comment = false;
        }
        any = true;
        lookahead = t.kind == TK_IDENT &&
                    (fp_ident_is(&t, "not") || fp_ident_is(&t, "nulls") || fp_ident_is(&t, "with"));
        /*
         * Unicode escapes: libpg_query's look-ahead for UESCAPE after U&'...' or U&"..." does
         * not treat a comment as whitespace, so from there on the text counts as it is.
         */
        if ((t.kind == TK_STR && t.prefix == 2) ||
            (t.kind == TK_IDENT && t.len == 1 && (*t.p | 0x20) == 'u' && s + 1 < end &&
             s[0] == '&' && s[1] == '"')) {
            h = fp_hash_marker(h, FP_MARK_RAW);
            h = fp_hash_bytes(h, t.p, (size_t)(end - t.p));
            break;
        }
        if (stmt_start) {
            constants = (t.kind == TK_IDENT && fp_literals_are_constants(&t)) ||
                        (t.kind == TK_CHAR && *t.p == '(');
            stmt_start = false;
        }
        switch (t.kind) {
        case TK_INT:
        case TK_NUM:
        case TK_STR:
            if (constants && !verbatim_rest && !t.risky && ctx != CTX_FLOAT_PAREN &&
                !(ctx == CTX_BRACKET && t.kind != TK_STR && fp_next_is(s, end, ']'))) {
                h = fp_hash_bytes(h, t.p, t.prefix);
                h = fp_hash_marker(h, t.kind == TK_INT   ? FP_MARK_INT
                                      : t.kind == TK_NUM ? FP_MARK_NUM
                                                         : FP_MARK_STR);
            } else {
                h = fp_hash_bytes(h, t.p, t.len);
            }
            ctx = CTX_NONE;
            break;
        case TK_TAIL:
            h = fp_hash_marker(h, FP_MARK_TAIL);
            h = fp_hash_bytes(h, t.p, t.len);
            break;
        case TK_IDENT:
            ctx = fp_ident_is(&t, "float") ? CTX_FLOAT : CTX_NONE;
            if (fp_ident_is(&t, "uescape"))
                verbatim_rest = true;
            h = fp_hash_bytes(h, t.p, t.len);
            break;
        case TK_CHAR:
            ctx = ctx == CTX_FLOAT && *t.p == '(' ? CTX_FLOAT_PAREN
                  : *t.p == '['                   ? CTX_BRACKET
                                                  : CTX_NONE;
            if (*t.p == '(')
                depth++;
            else if (*t.p == ')' && depth > 0)
                depth--;
            else if (*t.p == ';' && depth == 0)
                stmt_start = true;
            h = fp_hash_bytes(h, t.p, t.len);
            break;
        default:
            ctx = CTX_NONE;
            h = fp_hash_bytes(h, t.p, t.len);
            break;
        }
    }
    h = fp_mix(h);
    return h != 0 ? h : 1;
}

/* A growing string; failed is sticky. */
struct fp_buf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void fp_buf_add(struct fp_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap != 0 ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/*
 * The normalizer for a statement the parser refuses: literals become $n (numbered after the
 * highest $n parameter in it), whitespace and comments one space, identifiers and keywords
 * lower case outside double quotes. Equal shapes give equal results. malloc'd; NULL when out
 * of memory.
 */
static char *fp_fallback_normalize(const char *s, const char *end)
{
    struct fp_buf b = {0};
    struct fp_tok t;
    unsigned long next = 1;
    for (const char *p = s; p < end;) {
        p = fp_lex(p, end, &t);
        if (t.kind == TK_PARAM) {
            unsigned long n = strtoul(t.p + 1, NULL, 10);
            if (n >= next && n < 1000000000)
                next = n + 1;
        }
    }
    bool space = false;
    fp_buf_add(&b, "", 0);
    while (s < end) {
        s = fp_lex(s, end, &t);
        if (t.kind == TK_SPACE) {
            space = b.len > 0;
            continue;
        }
        if (space) {
            fp_buf_add(&b, " ", 1);
            space = false;
        }
        if (t.kind == TK_INT || t.kind == TK_NUM || t.kind == TK_STR) {
            char num[24];
            int n = snprintf(num, sizeof num, "$%lu", next++);
            fp_buf_add(&b, num, (size_t)n);
        } else if (t.kind == TK_IDENT) {
            size_t at = b.len;
            fp_buf_add(&b, t.p, t.len);
            for (size_t i = at; !b.failed && i < b.len; i++)
                if (b.p[i] >= 'A' && b.p[i] <= 'Z')
                    b.p[i] = (char)(b.p[i] | 0x20);
        } else {
            fp_buf_add(&b, t.p, t.len);
        }
    }
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* Only whitespace, comments and semicolons. */
static bool fp_is_empty(const char *s, const char *end)
{
    struct fp_tok t;
    while (s < end) {
        s = fp_lex(s, end, &t);
        if (t.kind != TK_SPACE && !(t.kind == TK_CHAR && *t.p == ';'))
            return false;
    }
    return true;
}

/* A copy of [s, end) without leading and trailing whitespace. */
static char *fp_trimmed_copy(const char *s, const char *end)
{
    while (s < end && fp_is_space((unsigned char)*s))
        s++;
    while (end > s && fp_is_space((unsigned char)end[-1]))
        end--;
    char *p = malloc((size_t)(end - s) + 1);
    if (p != NULL) {
        memcpy(p, s, (size_t)(end - s));
        p[end - s] = '\0';
    }
    return p;
}

/*
 * libpg_query keeps its parser state in thread-local variables, so calls from several threads
 * run concurrently. The exception is a thread's first call: pg_query_init() then creates a
 * pthread key (for freeing the thread's memory context at exit) and stores it in a plain
 * static variable, unsynchronised, in this version (15-4.0.0). That first call is serialised
 * (against other callers of fp_compute only: the SQL translator's calls do not take this lock;
 * the race is on one int and benign on the platforms we build for). The key is never deleted:
 * each thread that ever calls libpg_query uses up one of the process's PTHREAD_KEYS_MAX (1024
 * on glibc) keys for good, so libpg_query belongs on long-lived threads.
 */
static pthread_mutex_t fp_pg_query_init_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool fp_pg_query_ready;

/* The fingerprint of one statement (a C string) into out. false when out of memory. */
static bool fp_statement(char *stmt, struct fp_statement *out)
{
    PgQueryFingerprintResult fr = pg_query_fingerprint(stmt);
    bool parsed = fr.error == NULL;
    out->normalized = NULL;
    if (parsed) {
        out->fp = fr.fingerprint != 0 ? fr.fingerprint : 1;
        PgQueryNormalizeResult nr = pg_query_normalize(stmt);
        if (nr.error == NULL && nr.normalized_query != NULL)
            out->normalized = fp_trimmed_copy(nr.normalized_query,
                                              nr.normalized_query + strlen(nr.normalized_query));
        pg_query_free_normalize_result(nr);
    }
    pg_query_free_fingerprint_result(fr);
    if (out->normalized == NULL) {
        out->normalized = fp_fallback_normalize(stmt, stmt + strlen(stmt));
        if (out->normalized == NULL)
            return false;
        if (!parsed) {
            /* Seeded apart from FNV's offset and mixed: no relation to libpg_query's XXH3. */
            uint64_t h = fp_hash_bytes(FNV_OFFSET ^ UINT64_C(0x6d6f6e69746f7221), out->normalized,
                                       strlen(out->normalized));
            h = fp_mix(h);
            out->fp = h != 0 ? h : 1;
        }
    }
    return true;
}

int fp_compute(const char *text, size_t len, struct fp_statement *out, int max)
{
    const char *end = fp_end(text, len);
    size_t n_text = (size_t)(end - text);
    char *buf = malloc(n_text + 1);
    if (buf == NULL)
        return -1;
    memcpy(buf, text, n_text);
    buf[n_text] = '\0';

    int n = 0;
    if (!fp_pg_query_ready) {
        /* The thread's first libpg_query call: see fp_pg_query_init_lock. */
        pthread_mutex_lock(&fp_pg_query_init_lock);
        pg_query_free_fingerprint_result(pg_query_fingerprint(""));
        fp_pg_query_ready = true;
        pthread_mutex_unlock(&fp_pg_query_init_lock);
    }
    PgQuerySplitResult sr = pg_query_split_with_parser(buf);
    if (sr.error != NULL) {
        /*
         * PostgreSQL parses the whole text of a simple Query before it runs any of it: a
         * text the parser refuses is one error, not statements, so it is one entry here.
         */
        if (!fp_is_empty(buf, buf + n_text)) {
            if (max > 0) {
                char *stmt = fp_trimmed_copy(buf, buf + n_text);
                if (stmt == NULL || !fp_statement(stmt, &out[0])) {
                    free(stmt);
                    goto fail;
                }
                free(stmt);
            }
            n = 1;
        }
    } else {
        for (int i = 0; i < sr.n_stmts; i++) {
            int loc = sr.stmts[i]->stmt_location, slen = sr.stmts[i]->stmt_len;
            if (loc < 0 || (size_t)loc > n_text)
                continue;
            const char *s = buf + loc;
            const char *e = slen > 0 && (size_t)loc + (size_t)slen <= n_text ? s + slen : end;
            if (fp_is_empty(s, e))
                continue;
            if (n < max) {
                char *stmt = fp_trimmed_copy(s, e);
                if (stmt == NULL || !fp_statement(stmt, &out[n])) {
                    free(stmt);
                    goto fail;
                }
                free(stmt);
            }
            n++;
        }
    }
    pg_query_free_split_result(sr);
    free(buf);
    return n;

fail:
    fp_statements_free(out, n < max ? n : max);
    pg_query_free_split_result(sr);
    free(buf);
    return -1;
}

void fp_statements_free(struct fp_statement *s, int n)
{
    for (int i = 0; i < n; i++) {
        free(s[i].normalized);
        s[i].normalized = NULL;
    }
}
