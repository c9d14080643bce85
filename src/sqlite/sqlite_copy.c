/*
 * COPY FROM STDIN and COPY TO STDOUT on the SQLite backend, in PostgreSQL's text and csv
 * formats. Rows in are bound through the same type conversions as Bind parameters; rows out
 * are printed as DataRow values would be.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/session.h"
#include "util/util.h"

struct sq_copy_cols {
    char **names; /* quoted */
    uint32_t *types;
    int32_t *mods;
    int n;
};

static void sq_copy_cols_free(struct sq_copy_cols *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
    free(c->types);
    free(c->mods);
    memset(c, 0, sizeof(*c));
}

static char *sq_quoted(const char *name)
{
    size_t n = strlen(name);
    char *q = xmalloc(2 * n + 3), *p = q;
    *p++ = '"';
    for (; *name; name++) {
        if (*name == '"')
            *p++ = '"';
        *p++ = *name;
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

/* The columns COPY names (or all of the table's, in order), with their PostgreSQL types. */
static bool sq_copy_columns(struct sq_session *s, const struct sql_copy *cp,
                            struct sq_copy_cols *out)
{
    char *sql = sqlite3_mprintf("PRAGMA table_info(%s)", cp->table);
    sqlite3_stmt *st = NULL;
    int cap = cp->n_columns > 0 ? cp->n_columns : 16, found = 0, rc;

    memset(out, 0, sizeof(*out));
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    out->names = xcalloc((size_t)cap, sizeof(*out->names));
    out->types = xcalloc((size_t)cap, sizeof(*out->types));
    out->mods = xcalloc((size_t)cap, sizeof(*out->mods));
    out->n = cp->n_columns;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *decl = (const char *)sqlite3_column_text(st, 2);
        char *q = sq_quoted(name ? name : "");
        int idx = -1;
        if (cp->n_columns > 0) {
            for (int i = 0; i < cp->n_columns; i++)
                if (strcmp(cp->columns[i], q) == 0)
                    idx = i;
        } else {
            if (out->n == cap) {
                cap *= 2;
                out->names = xrealloc(out->names, (size_t)cap * sizeof(*out->names));
                out->types = xrealloc(out->types, (size_t)cap * sizeof(*out->types));
                out->mods = xrealloc(out->mods, (size_t)cap * sizeof(*out->mods));
            }
            idx = out->n++;
        }
        if (idx < 0 || out->names[idx]) {
            free(q);
            continue;
        }
        out->names[idx] = q;
        out->mods[idx] = -1;
        out->types[idx] = decl && decl[0] ? pgtype_from_decltype(decl, &out->mods[idx]) : 0;
        found++;
    }
    sqlite3_finalize(st);
    if (found == 0) {
        sq_copy_cols_free(out);
        sq_error(s, "42P01", 0, "relation %s does not exist", cp->table);
        return false;
    }
    for (int i = 0; i < cp->n_columns; i++) {
        if (!out->names[i]) {
            sq_error(s, "42703", 0, "column %s of relation %s does not exist", cp->columns[i],
                     cp->table);
            sq_copy_cols_free(out);
            return false;
        }
    }
    return true;
}

static void sq_copy_response(struct sq_session *s, uint8_t type, int n)
{
    proto_begin(&s->out, type);
    proto_put_u8(&s->out, 0);
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++)
        proto_put_u16(&s->out, 0);
    proto_end(&s->out);
}

/* Split one text-format line into fields (decoding escapes in place); NULL fields are NULL. */
static int sq_split_text(char *line, char delim, const char *null_str, char **fields, int max)
{
    int n = 0;
    char *p = line, *start = line, *w = line;
    bool raw_null_possible = true;
    for (;;) {
        char c = *p;
        if (c == delim || c == '\0') {
            *w = '\0';
            if (n < max)
                fields[n] = raw_null_possible && strcmp(start, null_str) == 0 ? NULL : start;
            n++;
            if (c == '\0')
                break;
            p++;
            start = w = p;
            raw_null_possible = true;
            continue;
        }
        if (c == '\\' && p[1]) {
            char e = p[1];
            /* "\N" must match before decoding; afterwards a field is never the NULL marker. */
            if (!(e == 'N' && null_str[0] == '\\'))
                raw_null_possible = false;
            else {
                *w++ = *p++;
                *w++ = *p++;
                continue;
            }
            p += 2;
            switch (e) {
            case 'b':
                *w++ = '\b';
                break;
            case 'f':
                *w++ = '\f';
                break;
            case 'n':
                *w++ = '\n';
                break;
            case 'r':
                *w++ = '\r';
                break;
            case 't':
                *w++ = '\t';
                break;
            case 'v':
                *w++ = '\v';
                break;
            case 'x': {
                int v = 0, k = 0;
                while (k < 2 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                                 (*p >= 'A' && *p <= 'F'))) {
                    v = v * 16 + (*p <= '9' ? *p - '0' : (*p | 32) - 'a' + 10);
                    p++;
                    k++;
                }
                *w++ = (char)v;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    int v = e - '0', k = 1;
                    while (k < 3 && *p >= '0' && *p <= '7') {
                        v = v * 8 + (*p - '0');
                        p++;
                        k++;
                    }
                    *w++ = (char)v;
                } else {
                    *w++ = e;
                }
            }
            continue;
        }
        *w++ = *p++;
    }
    return n;
}

/*
 * Split one csv record (quotes may hold delimiters and newlines; the caller passes a whole
 * record). Unquoted fields equal to the NULL string are NULL.
 */
static int sq_split_csv(char *rec, const struct sql_copy *cp, char **fields, int max)
{
    int n = 0;
    char *p = rec, *w = rec, *start = rec;
    bool quoted = false, any_quote = false;
    for (;;) {
        char c = *p;
        if (quoted) {
            if (c == '\0')
                break;
            if (c == cp->escape && p[1] == cp->quote && cp->escape != cp->quote) {
                *w++ = cp->quote;
                p += 2;
            } else if (c == cp->quote) {
                if (p[1] == cp->quote && cp->escape == cp->quote) {
                    *w++ = cp->quote;
                    p += 2;
                } else {
                    quoted = false;
                    p++;
                }
            } else {
                *w++ = *p++;
            }
            continue;
        }
        if (c == cp->delimiter || c == '\0') {
            *w = '\0';
            if (n < max)
                fields[n] = !any_quote && strcmp(start, cp->null_string) == 0 ? NULL : start;
            n++;
            if (c == '\0')
                break;
            p++;
            start = w = p;
            any_quote = false;
            continue;
        }
        if (c == cp->quote) {
            quoted = any_quote = true;
            p++;
            continue;
        }
        *w++ = *p++;
    }
    return n;
}

/* Length of the first complete record in buf (csv: newline outside quotes), or 0. */
static size_t sq_record_len(const char *buf, size_t len, const struct sql_copy *cp)
{
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (cp->csv && buf[i] == cp->quote)
            quoted = !quoted;
        else if (buf[i] == '\n' && !quoted)
            return i + 1;
    }
    return 0;
}

/* Insert one record; false after sending an error. */
static bool sq_copy_row(struct sq_session *s, const struct sql_copy *cp, sqlite3_stmt *ins,
                        const struct sq_copy_cols *cols, char *rec, int64_t line)
{
    char *fields[1600];
    char errbuf[512];
    int n = cp->csv ? sq_split_csv(rec, cp, fields, 1600)
                    : sq_split_text(rec, cp->delimiter, cp->null_string, fields, 1600);
    if (n != cols->n) {
        sq_error(s, "22P04", 0, "%s data for column count: expected %d, got %d (COPY line %lld)",
                 n < cols->n ? "missing" : "extra", cols->n, n, (long long)line);
        return false;
    }
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    for (int i = 0; i < n; i++) {
        const char *err = NULL;
        if (!fields[i])
            continue;
        if (!pgtype_bind(ins, i + 1, cols->types[i], fields[i], strlen(fields[i]), 0, &s->fs, &err,
                         errbuf, sizeof(errbuf))) {
            char state[6];
            const char *text;
            if (err && sql_functions_error_sqlstate(err, state, &text))
                sq_error(s, state, 0, "%s (COPY line %lld, column %s)", text, (long long)line,
                         cols->names[i]);
            else
                sq_error(s, "22P02", 0, "invalid input (COPY line %lld, column %s)",
                         (long long)line, cols->names[i]);
            return false;
        }
    }
    if (sqlite3_step(ins) != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    return true;
}

void sq_copy_from(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_copy *cp = &stmt->copy;
    struct sq_copy_cols cols;
    sqlite3_stmt *ins = NULL;
    char *buf = NULL, tag[64];
    size_t len = 0, cap = 0;
    int64_t rows = 0, line = 0;
    bool failed = false, done = false, own_tx = false, header_pending = cp->header;
    uint8_t type;
    const uint8_t *body;
    uint32_t blen;

    if (!sq_copy_columns(s, cp, &cols))
        return;
    {
        char *sql = NULL;
        size_t n = 64 + strlen(cp->table);
        for (int i = 0; i < cols.n; i++)
            n += strlen(cols.names[i]) + 8;
        sql = xmalloc(n);
        int k = snprintf(sql, n, "INSERT INTO %s (", cp->table);
        for (int i = 0; i < cols.n; i++)
            k += snprintf(sql + k, n - (size_t)k, "%s%s", i ? ", " : "", cols.names[i]);
        k += snprintf(sql + k, n - (size_t)k, ") VALUES (");
        for (int i = 0; i < cols.n; i++)
            k += snprintf(sql + k, n - (size_t)k, "%s?%d", i ? ", " : "", i + 1);
        snprintf(sql + k, n - (size_t)k, ")");
        if (sqlite3_prepare_v2(s->db, sql, -1, &ins, NULL) != SQLITE_OK) {
            free(sql);
            sq_copy_cols_free(&cols);
            sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
            return;
        }
        free(sql);
    }
    /* Outside a block the whole COPY is one transaction, as in PostgreSQL. */
    if (s->tx == 'I' && sqlite3_get_autocommit(s->db)) {
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            sqlite3_finalize(ins);
            sq_copy_cols_free(&cols);
            sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
            return;
        }
        own_tx = true;
    }
    sq_copy_response(s, 'G', cols.n);
    if (!sq_flush(s))
        failed = true;
    while (!done && !failed && sq_read_message(s, &type, &body, &blen)) {
        if (type == 'd') {
            if (len + blen + 1 > cap) {
                cap = (len + blen + 1) * 2;
                buf = xrealloc(buf, cap);
            }
            memcpy(buf + len, body, blen);
            len += blen;
            size_t off = 0, rl;
            while (!failed && (rl = sq_record_len(buf + off, len - off, cp)) > 0) {
                char *rec = buf + off;
                rec[rl - 1] = '\0';
                if (rl >= 2 && rec[rl - 2] == '\r')
                    rec[rl - 2] = '\0';
                off += rl;
                line++;
                if (!cp->csv && strcmp(rec, "\\.") == 0)
                    continue;
                if (header_pending) {
                    header_pending = false;
                    continue;
                }
                if (!sq_copy_row(s, cp, ins, &cols, rec, line))
                    failed = true;
                else
                    rows++;
            }
            memmove(buf, buf + off, len - off);
            len -= off;
        } else if (type == 'c') {
            if (len > 0 && !failed) {
                buf[len] = '\0';
                line++;
                if (!(!cp->csv && strcmp(buf, "\\.") == 0) && !header_pending) {
                    if (!sq_copy_row(s, cp, ins, &cols, buf, line))
                        failed = true;
                    else
                        rows++;
                }
            }
            done = true;
        } else if (type == 'f') {
            sq_error(s, "57014", 0, "COPY from stdin failed: %.*s", (int)(blen ? blen - 1 : 0),
                     (const char *)body);
            failed = done = true; /* CopyFail ends the copy: nothing more comes */
        } else if (type == 'H' || type == 'S') {
            continue;
        } else {
            sq_error(s, "08P01", 0, "unexpected message type 0x%02x during COPY from stdin", type);
            failed = true;
        }
    }
    /* After a failure the rest of the copy data is read and dropped. */
    while (failed && !done && sq_read_message(s, &type, &body, &blen))
        if (type == 'c' || type == 'f')
            done = true;
    /* A client that went away before CopyDone keeps nothing of it, as on PostgreSQL. */
    if (!done)
        failed = true;
    sqlite3_finalize(ins);
    free(buf);
    sq_copy_cols_free(&cols);
    if (own_tx) {
        if (failed || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            if (!failed)
                sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return;
        }
    }
    if (failed)
        return;
    snprintf(tag, sizeof(tag), "COPY %lld", (long long)rows);
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
}

static void sq_copy_put_text(struct evbuffer *line, const char *v, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        const char *esc = NULL;
        switch (c) {
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\v':
            esc = "\\v";
            break;
        default:
            break;
        }
        if (esc)
            evbuffer_add(line, esc, 2);
        else if (c == delim)
            evbuffer_add_printf(line, "\\%c", c);
        else
            evbuffer_add(line, &c, 1);
    }
}

static void sq_copy_put_csv(struct evbuffer *line, const char *v, size_t n,
                            const struct sql_copy *cp)
{
    bool quote = n == 0 || (cp->null_string[0] && strlen(cp->null_string) == n &&
                            memcmp(v, cp->null_string, n) == 0);
    for (size_t i = 0; i < n && !quote; i++)
        if (v[i] == cp->delimiter || v[i] == cp->quote || v[i] == '\n' || v[i] == '\r')
            quote = true;
    if (!quote) {
        evbuffer_add(line, v, n);
        return;
    }
    evbuffer_add(line, &cp->quote, 1);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == cp->quote || v[i] == cp->escape)
            evbuffer_add(line, &cp->escape, 1);
        evbuffer_add(line, &v[i], 1);
    }
    evbuffer_add(line, &cp->quote, 1);
}

static void sq_copy_send_line(struct sq_session *s, struct evbuffer *line)
{
    size_t n = evbuffer_get_length(line);
    proto_begin(&s->out, 'd');
    proto_put_bytes(&s->out, evbuffer_pullup(line, (ssize_t)n), n);
    proto_end(&s->out);
    evbuffer_drain(line, n);
}

void sq_copy_to(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_copy *cp = &stmt->copy;
    sqlite3_stmt *st = NULL;
    struct evbuffer *line = evbuffer_new(), *val = evbuffer_new();
    uint32_t *types = NULL;
    int32_t *mods = NULL;
    int64_t rows = 0;
    char tag[64];
    int n, rc;

    if (stmt->catalog && !sq_catalog_prepare(s))
        goto out;
    if (sqlite3_prepare_v2(s->db, stmt->sqlite, -1, &st, NULL) != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        goto out;
    }
    n = sqlite3_column_count(st);
    types = xcalloc((size_t)n + 1, sizeof(*types));
    mods = xcalloc((size_t)n + 1, sizeof(*mods));
    for (int i = 0; i < n; i++) {
        const char *decl = sqlite3_column_decltype(st, i);
        mods[i] = -1;
        types[i] = decl ? pgtype_from_decltype(decl, &mods[i]) : 0;
    }
    sq_copy_response(s, 'H', n);
    if (cp->header) {
        for (int i = 0; i < n; i++) {
            const char *name = sqlite3_column_name(st, i);
            if (i)
                evbuffer_add(line, &cp->delimiter, 1);
            if (cp->csv)
                sq_copy_put_csv(line, name, strlen(name), cp);
            else
                sq_copy_put_text(line, name, strlen(name), cp->delimiter);
        }
        evbuffer_add(line, "\n", 1);
        sq_copy_send_line(s, line);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            sqlite3_value *v = sqlite3_column_value(st, i);
            const char *err = NULL;
            uint32_t t = types[i] ? types[i] : pgtype_of_value(v);
            if (i)
                evbuffer_add(line, &cp->delimiter, 1);
            if (sqlite3_value_type(v) == SQLITE_NULL) {
                evbuffer_add(line, cp->null_string, strlen(cp->null_string));
                continue;
            }
            evbuffer_drain(val, evbuffer_get_length(val));
            if (!pgtype_format_text(t, mods[i], v, &s->fs, val, &err)) {
                /* CopyData already went out: the error ends the copy, as in PostgreSQL. */
                sq_error_text(s, err, "22P02");
                goto out;
            }
            size_t vl = evbuffer_get_length(val);
            const char *vp = (const char *)evbuffer_pullup(val, (ssize_t)vl);
            if (cp->csv)
                sq_copy_put_csv(line, vp, vl, cp);
            else
                sq_copy_put_text(line, vp, vl, cp->delimiter);
        }
        evbuffer_add(line, "\n", 1);
        sq_copy_send_line(s, line);
        rows++;
        if (s->out.len >= SQ_FLUSH_AT && !sq_flush(s))
            goto out;
    }
    if (rc != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        goto out;
    }
    proto_begin(&s->out, 'c');
    proto_end(&s->out);
    snprintf(tag, sizeof(tag), "COPY %lld", (long long)rows);
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
out:
    if (st)
        sqlite3_finalize(st);
    free(types);
    free(mods);
    evbuffer_free(line);
    evbuffer_free(val);
}
