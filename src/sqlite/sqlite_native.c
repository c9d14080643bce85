/*
 * SQLite's own SQL for the migration engine (SQ_NATIVE_MSG, sqlite_server.h): a .sqlite.sql
 * migration runs as written, untranslated, on the engine's session. Only sessions the engine
 * opened accept it (sq_dispatch checks native_ok), because native SQL reaches everything the
 * process can (ATTACH of any file).
 *
 * Inside a transaction block it runs in the block's SQLite transaction, opened for writing if
 * the block has none yet, so the engine's BEGIN ... COMMIT / ROLLBACK around a file decides its
 * fate; statements that would end that transaction (BEGIN, COMMIT, END, ROLLBACK) are refused
 * before they run, and a failed statement fails the block as any other error does (25P02 until
 * ROLLBACK). Outside a block each statement commits on its own, as sqlite3_exec() runs a text,
 * so a no-transaction file may switch PRAGMA foreign_keys around its own BEGIN ... COMMIT.
 *
 * Schema caches notice native DDL as they notice another session's: the catalog and the
 * result-column origins are keyed by schema_version, prepared statements are re-prepared by
 * SQLite, and translations do not depend on the schema. The one cache native SQL could make
 * wrong is the file's record of handed-out sequence values: a write that names the sequence
 * table forgets it, as setval does.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sqlite/session.h"

/* Skip blanks and SQL comments; the start of the next word (or the end). */
static const char *native_skip(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* The keyword at *p, upper-cased into buf ("" when none); *p moves past it. */
static const char *native_word(const char **p, char *buf, size_t cap)
{
    size_t n = 0;
    const char *q = native_skip(*p);
    while (isalpha((unsigned char)*q) || *q == '_') {
        if (n + 1 < cap)
            buf[n++] = (char)toupper((unsigned char)*q);
        q++;
    }
    buf[n] = '\0';
    *p = q;
    return buf;
}

/* A statement that would end the block's SQLite transaction. ROLLBACK TO a savepoint does not. */
static bool native_ends_block(const char *sql)
{
    char w[16];
    const char *p = sql;
    native_word(&p, w, sizeof(w));
    if (!strcmp(w, "BEGIN") || !strcmp(w, "COMMIT") || !strcmp(w, "END"))
        return true;
    if (strcmp(w, "ROLLBACK") != 0)
        return false;
    native_word(&p, w, sizeof(w));
    if (!strcmp(w, "TRANSACTION"))
        native_word(&p, w, sizeof(w));
    return strcmp(w, "TO") != 0;
}

/* CommandComplete's tag: PostgreSQL's shape for DML and queries, else the statement's words. */
static void native_tag(struct sq_session *s, sqlite3_stmt *st, int n_cols, int64_t rows)
{
    char w1[16], w2[16], tag[64];
    const char *p = sqlite3_sql(st);
    native_word(&p, w1, sizeof(w1));
    if (!strcmp(w1, "INSERT") || !strcmp(w1, "REPLACE"))
        snprintf(tag, sizeof(tag), "INSERT 0 %lld", (long long)sqlite3_changes64(s->db));
    else if (!strcmp(w1, "UPDATE") || !strcmp(w1, "DELETE"))
        snprintf(tag, sizeof(tag), "%s %lld", w1, (long long)sqlite3_changes64(s->db));
    else if (n_cols > 0)
        snprintf(tag, sizeof(tag), "SELECT %lld", (long long)rows);
    else if (!strcmp(w1, "CREATE") || !strcmp(w1, "DROP") || !strcmp(w1, "ALTER")) {
        do
            native_word(&p, w2, sizeof(w2));
        while (!strcmp(w2, "TEMP") || !strcmp(w2, "TEMPORARY") || !strcmp(w2, "UNIQUE") ||
               !strcmp(w2, "VIRTUAL"));
        snprintf(tag, sizeof(tag), "%s%s%s", w1, *w2 ? " " : "", w2);
    } else
        snprintf(tag, sizeof(tag), "%s", *w1 ? w1 : "OK");
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
}

static void native_row_description(struct sq_session *s, sqlite3_stmt *st, int n)
{
    proto_begin(&s->out, 'T');
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++) {
        const char *name = sqlite3_column_name(st, i);
        proto_put_str(&s->out, name ? name : "?column?");
        proto_put_u32(&s->out, 0);
        proto_put_u16(&s->out, 0);
        proto_put_u32(&s->out, PGOID_TEXT);
        proto_put_u16(&s->out, (uint16_t)-1);
        proto_put_u32(&s->out, (uint32_t)-1);
        proto_put_u16(&s->out, 0);
    }
    proto_end(&s->out);
}

/* One row as text: NULL as length -1, a blob as bytea's hex form. */
static void native_data_row(struct sq_session *s, sqlite3_stmt *st, int n)
{
    static const char hex[] = "0123456789abcdef";
    proto_begin(&s->out, 'D');
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++) {
        int type = sqlite3_column_type(st, i);
        if (type == SQLITE_NULL) {
            proto_put_u32(&s->out, (uint32_t)-1);
        } else if (type == SQLITE_BLOB) {
            const uint8_t *b = sqlite3_column_blob(st, i);
            size_t len = (size_t)sqlite3_column_bytes(st, i);
            proto_put_u32(&s->out, (uint32_t)(2 + 2 * len));
            proto_put_bytes(&s->out, "\\x", 2);
            for (size_t k = 0; k < len; k++) {
                char pair[2] = {hex[b[k] >> 4], hex[b[k] & 15]};
                proto_put_bytes(&s->out, pair, 2);
            }
        } else {
            const unsigned char *t = sqlite3_column_text(st, i);
            size_t len = (size_t)sqlite3_column_bytes(st, i);
            proto_put_u32(&s->out, (uint32_t)len);
            proto_put_bytes(&s->out, t ? (const void *)t : "", len);
        }
    }
    proto_end(&s->out);
}

/* Step st to its end, sending its rows and tag; false after sending the error. */
static bool native_run(struct sq_session *s, sqlite3_stmt *st)
{
    int n = sqlite3_column_count(st);
    int64_t rows = 0;
    int rc;

    if (n > 0)
        native_row_description(s, st, n);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n > 0)
            native_data_row(s, st, n);
        rows++;
        if (s->out.len >= SQ_FLUSH_AT && !sq_flush(s))
            return false; /* the engine is gone: nothing to tell it */
    }
    if (rc != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    native_tag(s, st, n, rows);
    return true;
}

/* A statement SQLite cannot prepare; a syntax error says where, in characters of the text, as
 * PostgreSQL's position does. */
static void native_prepare_error(struct sq_session *s, const char *text, const char *stmt)
{
    int offset = sqlite3_error_offset(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    if (offset < 0 || !strstr(msg, "syntax error") || (size_t)offset > strlen(stmt)) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return;
    }
    int position = 1;
    for (const char *q = text; q < stmt + offset; q++)
        if (((unsigned char)*q & 0xc0) != 0x80)
            position++;
    sq_error(s, "42601", position, "%s", msg);
}

void sq_native(struct sq_session *s, const char *text)
{
    const char *p = text;
    bool in_block = s->tx != 'I', ran = false, seq_written = false;
    unsigned errors = s->errors;

    if (s->tx == 'E') {
        sq_error(s, "25P02", 0,
                 "current transaction is aborted, commands ignored until end of transaction "
                 "block");
        proto_write_ready(&s->out, s->tx);
        return;
    }
    sq_timeout_arm(s);
    if (!sq_ensure_begun(s, true))
        p = "";
    while (*p && s->errors == errors) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(s->db, p, -1, &st, &tail) != SQLITE_OK) {
            native_prepare_error(s, text, p);
            break;
        }
        p = tail ? tail : "";
        if (!st)
            continue; /* only blanks or comments */
        if (in_block && native_ends_block(sqlite3_sql(st))) {
            sq_error(s, "0A000", 0,
                     "transaction control is not allowed in native SQL run inside a transaction "
                     "block: %s",
                     sqlite3_sql(st));
        } else {
            bool ok = native_run(s, st);
            if (!sqlite3_stmt_readonly(st) &&
                sqlite3_strlike("%\\_myrmex\\_sequence%", sqlite3_sql(st), '\\') == 0)
                seq_written = true;
            ran = true;
            if (ok && in_block && sqlite3_get_autocommit(s->db)) {
                /* A statement ended SQLite's transaction all the same: what the block did so
                 * far is committed or gone, and the block cannot go on. */
                s->begun = false;
                sq_error(s, "25000", 0, "native SQL ended the transaction of the block");
            }
            if (!ok) {
                sqlite3_finalize(st);
                break; /* the error is sent, or the engine is gone */
            }
        }
        sqlite3_finalize(st);
    }
    sq_timeout_disarm(s);
    if (seq_written)
        sq_file_seq_forget(s);
    if (!ran && s->errors == errors) {
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
    }
    proto_write_ready(&s->out, s->tx);
}
