/*
 * Classifying SQL text for prepared statements in transaction pooling (include/pool/prepared.h):
 * which statements of a query PREPARE, EXECUTE, DEALLOCATE or DISCARD ALL, found by a scan that
 * skips literals, quoted identifiers, comments and dollar quotes, without the parser.
 */
#include "pool/prepared.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* Skip whitespace and comments from i; returns the new index. */
static size_t sql_skip_space(const char *s, size_t len, size_t i)
{
    while (i < len) {
        if (isspace((unsigned char)s[i])) {
            i++;
        } else if (s[i] == '-' && i + 1 < len && s[i + 1] == '-') {
            while (i < len && s[i] != '\n')
                i++;
        } else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
            int depth = 0;
            while (i < len) {
                if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
        } else {
            break;
        }
    }
    return i;
}

static bool ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* The next word from i (an identifier, lower-cased, or a "quoted" one as is). */
static size_t sql_word(const char *s, size_t len, size_t i, char *out, size_t cap)
{
    size_t n = 0;
    i = sql_skip_space(s, len, i);
    if (cap == 0)
        return i;
    if (i < len && s[i] == '"') {
        i++;
        while (i < len) {
            if (s[i] == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    i++;
                } else {
                    i++;
                    break;
                }
            }
            if (n + 1 < cap)
                out[n++] = s[i];
            i++;
        }
    } else {
        while (i < len && ident_char(s[i])) {
            if (n + 1 < cap)
                out[n++] = (char)tolower((unsigned char)s[i]);
            i++;
        }
    }
    out[n] = '\0';
    return i;
}

/* End of the statement starting at i: the index of its ';' or len. */
static size_t sql_statement_end(const char *s, size_t len, size_t i)
{
    while (i < len) {
        char ch = s[i];
        if (ch == ';')
            return i;
        if ((ch == '-' && i + 1 < len && s[i + 1] == '-') ||
            (ch == '/' && i + 1 < len && s[i + 1] == '*')) {
            i = sql_skip_space(s, len, i);
        } else if (ch == '\'' || ch == '"') {
            bool esc = ch == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                       (i < 2 || !ident_char(s[i - 2]));
            i++;
            while (i < len) {
                if (esc && s[i] == '\\') {
                    i += 2;
                    continue;
                }
                if (s[i] == ch) {
                    if (i + 1 < len && s[i + 1] == ch) {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            i++;
        } else if (ch == '$' && (i == 0 || !ident_char(s[i - 1]))) {
            /* $tag$ ... $tag$ */
            size_t j = i + 1;
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_'))
                j++;
            if (j < len && s[j] == '$') {
                size_t tag = j - i + 1;
                const char *close = NULL;
                for (size_t k = j + 1; k + tag <= len; k++)
                    if (memcmp(s + k, s + i, tag) == 0) {
                        close = s + k;
                        break;
                    }
                i = close ? (size_t)(close - s) + tag : len;
            } else {
                i = j;
            }
        } else {
            i++;
        }
    }
    return len;
}

static enum ps_sql_kind classify_one(const char *s, size_t len, char *name, size_t cap)
{
    char w[32], w2[32];
    size_t i = sql_word(s, len, 0, w, sizeof(w));

    if (strcmp(w, "prepare") == 0) {
        sql_word(s, len, i, w2, sizeof(w2));
        return strcmp(w2, "transaction") == 0 ? PS_SQL_OTHER : PS_SQL_PREPARE;
    }
    if (strcmp(w, "execute") == 0)
        return PS_SQL_EXECUTE;
    if (strcmp(w, "discard") == 0) {
        sql_word(s, len, i, w2, sizeof(w2));
        return strcmp(w2, "all") == 0 ? PS_SQL_DISCARD_ALL : PS_SQL_OTHER;
    }
    if (strcmp(w, "deallocate") == 0) {
        size_t j = sql_skip_space(s, len, i);
        bool quoted = j < len && s[j] == '"';
        i = sql_word(s, len, i, name, cap);
        if (!quoted && strcmp(name, "prepare") == 0) {
            j = sql_skip_space(s, len, i);
            quoted = j < len && s[j] == '"';
            i = sql_word(s, len, i, name, cap);
        }
        if (!quoted && strcmp(name, "all") == 0)
            return PS_SQL_DEALLOCATE_ALL;
        /* Anything after the name is not a form we know: let the server judge it. */
        if (name[0] == '\0' || sql_skip_space(s, len, i) != len)
            return PS_SQL_OTHER;
        return PS_SQL_DEALLOCATE;
    }
    return PS_SQL_OTHER;
}

enum ps_sql_kind ps_sql_classify(const char *sql, size_t len, char *name, size_t cap)
{
    enum ps_sql_kind found = PS_SQL_OTHER;
    int statements = 0;
    size_t i = 0;

    if (cap)
        name[0] = '\0';
    while (i < len) {
        size_t start = sql_skip_space(sql, len, i);
        size_t end = sql_statement_end(sql, len, start);
        if (end > start) {
            enum ps_sql_kind k = classify_one(sql + start, end - start, name, cap);
            statements++;
            if (k != PS_SQL_OTHER)
                found = found == PS_SQL_OTHER ? k : PS_SQL_MULTI_MIXED;
        }
        i = end + 1;
    }
    if (found != PS_SQL_OTHER && statements > 1)
        return PS_SQL_MULTI_MIXED;
    return found;
}

/* COMMIT, ROLLBACK and their kin: PostgreSQL parses them in a failed transaction too. */
bool ps_sql_tx_exit(const char *sql, size_t len)
{
    static const char *const words[] = {"commit", "rollback", "end", "abort", "prepare"};
    char w[16];
    sql_word(sql, len, 0, w, sizeof(w));
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}
