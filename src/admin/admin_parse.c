/*
 * The console's command parser (admin_parse.h). A statement is a few tokens: words (letters,
 * digits, '_', unquoted and folded to lower case, or "double quoted" with "" for a quote),
 * 'strings' with '' for a quote, and '='. Nothing else is valid, as in PgBouncer's console;
 * which words a command takes is its own business (admin_command.c).
 */
#include "admin/admin_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Length of the comment starting at s, or 0 when none starts there. */
static size_t admin_parse_comment(const char *s)
{
    const char *end;
    if (s[0] == '-' && s[1] == '-') {
        end = strchr(s, '\n');
        return end ? (size_t)(end - s) + 1 : strlen(s);
    }
    if (s[0] == '/' && s[1] == '*') {
        end = strstr(s + 2, "*/");
        return end ? (size_t)(end - s) + 2 : strlen(s);
    }
    return 0;
}

/* Length of the quoted token starting at s (quote q, doubled inside), to the end if open. */
static size_t admin_parse_quoted(const char *s, char q)
{
    size_t i = 1;
    for (;;) {
        if (!s[i])
            return i;
        if (s[i] == q) {
            if (s[i + 1] != q)
                return i + 1;
            i++;
        }
        i++;
    }
}

char *admin_parse_next(const char *sql, size_t *pos)
{
    size_t start = *pos, i = start, len = strlen(sql), n;
    char *out;

    if (start >= len)
        return NULL;
    while (sql[i] && sql[i] != ';') {
        if (sql[i] == '\'' || sql[i] == '"')
            i += admin_parse_quoted(sql + i, sql[i]);
        else if ((n = admin_parse_comment(sql + i)) > 0)
            i += n;
        else
            i++;
    }
    out = xmalloc(i - start + 1);
    memcpy(out, sql + start, i - start);
    out[i - start] = '\0';
    *pos = sql[i] == ';' ? i + 1 : i;
    return out;
}

enum admin_token { TOK_END = 0, TOK_WORD, TOK_STRING, TOK_EQ, TOK_BAD, TOK_LONG };

/* The token at *s into buf (unquoted, unquoted words folded); *s moves past it. */
static enum admin_token admin_parse_token(const char **s, char *buf, size_t cap)
{
    const char *p = *s;
    size_t n, len = 0;

    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        n = admin_parse_comment(p);
        if (!n)
            break;
        p += n;
    }
    buf[0] = '\0';
    if (!*p) {
        *s = p;
        return TOK_END;
    }
    if (*p == '=') {
        *s = p + 1;
        return TOK_EQ;
    }
    if (*p == '\'' || *p == '"') {
        char q = *p;
        n = admin_parse_quoted(p, q);
        if (n < 2 || p[n - 1] != q || (n == 2 && q == '"'))
            return TOK_BAD; /* unterminated, or an empty "" identifier */
        for (size_t i = 1; i < n - 1; i++) {
            if (p[i] == q)
                i++; /* the first of a doubled quote */
            if (len + 1 >= cap)
                return TOK_LONG;
            buf[len++] = p[i];
        }
        buf[len] = '\0';
        *s = p + n;
        return q == '"' ? TOK_WORD : TOK_STRING;
    }
    if (!isalnum((unsigned char)*p) && *p != '_')
        return TOK_BAD;
    /* A number may carry dots between digits: a version such as 1.2.3 (MIGRATE TO 1.2); a
     * word may carry hyphens inside it: a backup id such as app-20261125T101500Z-3f2a. */
    while (isalnum((unsigned char)*p) || *p == '_' ||
           (*p == '.' && isdigit((unsigned char)buf[0]) && isdigit((unsigned char)p[1])) ||
           (*p == '-' && len > 0 && isalnum((unsigned char)p[1]))) {
        if (len + 1 >= cap)
            return TOK_LONG;
        buf[len++] = (char)tolower((unsigned char)*p);
        p++;
    }
    buf[len] = '\0';
    *s = p;
    return TOK_WORD;
}

void admin_parse_command(const char *stmt, struct admin_parse_cmd *out)
{
    enum { MAX_TOKENS = ADMIN_PARSE_MAX_WORDS + 1 };
    enum admin_token t[MAX_TOKENS];
    char tok[MAX_TOKENS][ADMIN_PARSE_VALUE_MAX];
    const char *p = stmt;
    int n = 0;

    memset(out, 0, sizeof(*out));
    for (;;) {
        char scratch[ADMIN_PARSE_VALUE_MAX];
        enum admin_token k =
            admin_parse_token(&p, n < MAX_TOKENS ? tok[n] : scratch, sizeof(scratch));
        if (k == TOK_END)
            break;
        if (k == TOK_BAD || n == MAX_TOKENS) {
            out->kind = ADMIN_PARSE_INVALID;
            return;
        }
        if (k == TOK_LONG) {
            out->kind = ADMIN_PARSE_TOO_LONG;
            return;
        }
        t[n++] = k;
    }
    if (n == 0) {
        out->kind = ADMIN_PARSE_EMPTY;
        return;
    }
    out->kind = ADMIN_PARSE_INVALID;
    if (t[0] != TOK_WORD)
        return;
    if (strlen(tok[0]) >= sizeof(out->verb) ||
        (n > 1 && t[1] == TOK_WORD && strlen(tok[1]) >= sizeof(out->arg))) {
        out->kind = ADMIN_PARSE_TOO_LONG;
        return;
    }
    strcpy(out->verb, tok[0]);
    if (n > 1 && t[1] == TOK_WORD)
        strcpy(out->arg, tok[1]);
    if (strcmp(tok[0], "set") == 0) {
        /* SET key = value | SET key TO value */
        if (n == 4 && t[1] == TOK_WORD &&
            (t[2] == TOK_EQ || (t[2] == TOK_WORD && strcmp(tok[2], "to") == 0)) &&
            (t[3] == TOK_WORD || t[3] == TOK_STRING)) {
            strcpy(out->value, tok[3]);
            out->kind = ADMIN_PARSE_SET;
        }
        return;
    }
    for (int i = 1; i < n; i++) {
        if (t[i] == TOK_EQ)
            return;
        strcpy(out->words[i - 1], tok[i]);
        out->string[i - 1] = t[i] == TOK_STRING;
    }
    out->n_words = n - 1;
    out->kind = ADMIN_PARSE_COMMAND;
}
