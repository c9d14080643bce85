/*
 * The migration folder read from disk: file names (V<version>__<description>.sql,
 * R__<description>.sql and the .sqlite.sql / .postgres.sql overrides), versions, the up and
 * down sections of each file, their checksums, and the statements the engine will run, split
 * as the backend reads them. Nothing here touches a database; the engine (migrate.c) decides
 * what to apply.
 *
 * A file's text is read with CRLF as LF (and without a UTF-8 byte order mark), so a checkout
 * on Windows has the same checksum as one on Linux. The checksum covers the up section only:
 * fixing a file's down section does not make an applied migration "edited".
 *
 * Statements keep their own text: PostgreSQL-dialect scripts are split by PostgreSQL's own
 * parser (libpg_query), which also refuses a script that does not parse before anything runs;
 * SQLite scripts (.sqlite.sql) are split where sqlite3_complete() says a statement ends, which
 * knows a trigger's BEGIN ... END. Each statement's text starts at its first token (leading
 * blanks and comments are left out) and its line is that token's, so an error position the
 * backend reports inside the text maps to a file line by counting newlines.
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pg_query.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "migrate/migrate.h"
#include "util/util.h"

#define MF_NAME_HELP "expected V<version>__<description>.sql or R__<description>.sql"

/* ---------------------------------------------------------------------------------------- */
/* Versions                                                                                 */

bool mig_version_normalize(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    const char *p = in;

    if (in == NULL || outlen == 0)
        return false;
    for (;;) {
        /* One part: digits, its leading zeros dropped (a part of zeros only is "0"). */
        const char *start = p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == start)
            return false; /* "", "_1", "1..2", "1." */
        while (start < p - 1 && *start == '0')
            start++;
        size_t len = (size_t)(p - start);
        if (o + len + 1 > outlen)
            return false;
        memcpy(out + o, start, len);
        o += len;
        if (*p == '\0')
            break;
        if (*p != '.' && *p != '_')
            return false; /* "1a" */
        out[o++] = '.';
        p++;
    }
    out[o] = '\0';
    return true;
}

/* The part of a version starting at *p (without leading zeros) and its length; *p moves past
 * the part and its separator. */
static const char *version_part(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s == '0' && s[1] >= '0' && s[1] <= '9')
        s++;
    const char *e = s;
    while (*e >= '0' && *e <= '9')
        e++;
    *len = (size_t)(e - s);
    *p = *e == '.' || *e == '_' ? e + 1 : e;
    return s;
}

/*
 * Part by part, numerically, with no limit on a part's digits (a part is compared by its
 * length, then by its digits). A version that is a prefix of another is the smaller one: "1"
 * comes before "1.0", and they are different versions (Flyway reads them as equal; here a
 * version is what its file says).
 */
int mig_version_cmp(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        size_t la, lb;
        const char *pa = version_part(&a, &la), *pb = version_part(&b, &lb);
        if (la != lb)
            return la < lb ? -1 : 1;
        int c = memcmp(pa, pb, la);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    if (*a == '\0' && *b == '\0')
        return 0;
    return *a == '\0' ? -1 : 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Splitting statements                                                                     */

/*
 * libpg_query keeps its parser state in thread-local variables; a thread's first call creates
 * a pthread key without synchronisation (see fp_pg_query_init_lock in src/monitor/fingerprint.c
 * for the whole story), so the first call on each thread that splits a script is serialised.
 */
static pthread_mutex_t mf_pg_query_init_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool mf_pg_query_ready;

static void mf_pg_query_init(void)
{
    if (mf_pg_query_ready)
        return;
    pthread_mutex_lock(&mf_pg_query_init_lock);
    pg_query_free_split_result(pg_query_split_with_parser(""));
    mf_pg_query_ready = true;
    pthread_mutex_unlock(&mf_pg_query_init_lock);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The first byte of [s, e) that is neither blank nor inside a comment. PostgreSQL's block
 * comments nest, SQLite's do not; an unterminated one runs to e. */
static const char *skip_blank_and_comments(const char *s, const char *e, bool nested)
{
    while (s < e) {
        if (is_blank(*s)) {
            s++;
        } else if (*s == '-' && s + 1 < e && s[1] == '-') {
            while (s < e && *s != '\n')
                s++;
        } else if (*s == '/' && s + 1 < e && s[1] == '*') {
            int depth = 1;
            s += 2;
            while (s < e && depth > 0) {
                if (*s == '*' && s + 1 < e && s[1] == '/') {
                    depth--;
                    s += 2;
                } else if (nested && *s == '/' && s + 1 < e && s[1] == '*') {
                    depth++;
                    s += 2;
                } else {
                    s++;
                }
            }
        } else {
            break;
        }
    }
    return s;
}

/* Line numbers of offsets into one text, asked for in increasing order. */
struct line_cursor {
    const char *text;
    size_t pos;
    int line;
};

static int line_at(struct line_cursor *lc, size_t off)
{
    if (off < lc->pos) { /* not expected, but cheap to get right */
        lc->pos = 0;
        lc->line = 0;
    }
    for (; lc->pos < off; lc->pos++)
        if (lc->text[lc->pos] == '\n')
            lc->line++;
    return lc->line;
}

struct stmt_list {
    struct mig_stmt *v;
    size_t n, cap;
};

/* Add the statement in text[s, e) (leading blanks and comments, a trailing ';' and trailing
 * blanks left out); nothing when nothing remains. */
static void stmt_add(struct stmt_list *l, struct line_cursor *lc, int first_line, size_t s,
                     size_t e, bool nested_comments)
{
    const char *text = lc->text;
    const char *b = skip_blank_and_comments(text + s, text + e, nested_comments);
    const char *z = text + e;
    while (z > b && is_blank(z[-1]))
        z--;
    if (z > b && z[-1] == ';') {
        z--;
        while (z > b && is_blank(z[-1]))
            z--;
    }
    if (z == b)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    char *sql = xmalloc((size_t)(z - b) + 1);
    memcpy(sql, b, (size_t)(z - b));
    sql[z - b] = '\0';
    l->v[l->n].sql = sql;
    l->v[l->n].line = first_line + line_at(lc, (size_t)(b - text));
    l->n++;
}

/* The byte offset of PostgreSQL's cursor position (1-based, in characters of UTF-8 text). */
static size_t cursor_offset(const char *text, size_t len, int cursorpos)
{
    size_t off = 0;
    for (int chars = 1; chars < cursorpos && off < len; chars++) {
        off++;
        while (off < len && ((unsigned char)text[off] & 0xC0) == 0x80)
            off++;
    }
    if (off >= len) {
        /* "at end of input": the last thing written, not the line after it */
        off = len;
        while (off > 0 && is_blank(text[off - 1]))
            off--;
        if (off > 0)
            off--;
    }
    return off;
}

static bool split_pg(const char *text, int first_line, struct stmt_list *l, int *err_line,
                     char *msg, size_t msglen)
{
    size_t len = strlen(text);
    struct line_cursor lc = {text, 0, 0};

    mf_pg_query_init();
    PgQuerySplitResult sr = pg_query_split_with_parser(text);
    if (sr.error != NULL) {
        size_t off = sr.error->cursorpos > 0 ? cursor_offset(text, len, sr.error->cursorpos) : 0;
        *err_line = first_line + line_at(&lc, off);
        snprintf(msg, msglen, "%s", sr.error->message ? sr.error->message : "syntax error");
        pg_query_free_split_result(sr);
        return false;
    }
    for (int i = 0; i < sr.n_stmts; i++) {
        int loc = sr.stmts[i]->stmt_location, slen = sr.stmts[i]->stmt_len;
        if (loc < 0 || (size_t)loc > len)
            continue;
        size_t e = slen > 0 && (size_t)loc + (size_t)slen <= len ? (size_t)loc + (size_t)slen : len;
        stmt_add(l, &lc, first_line, (size_t)loc, e, true);
    }
    pg_query_free_split_result(sr);
    return true;
}

static bool split_native(const char *text, int first_line, struct stmt_list *l, int *err_line,
                         char *msg, size_t msglen)
{
    size_t len = strlen(text), start = 0;
    struct line_cursor lc = {text, 0, 0};
    char *buf = xmalloc(len + 2);

    memcpy(buf, text, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != ';')
            continue;
        /* Does the text since the last statement end here? Not inside a string, a comment or
         * a trigger's BEGIN ... END. */
        char saved = buf[i + 1];
        buf[i + 1] = '\0';
        int done = sqlite3_complete(buf + start);
        buf[i + 1] = saved;
        if (done) {
            stmt_add(l, &lc, first_line, start, i + 1, false);
            start = i + 1;
        }
    }
    /* The rest, without a final ';': one more statement, if it would be complete with one. */
    const char *b = skip_blank_and_comments(text + start, text + len, false);
    if (b < text + len) {
        memcpy(buf, text + start, len - start);
        buf[len - start] = ';';
        buf[len - start + 1] = '\0';
        if (!sqlite3_complete(buf)) {
            *err_line = first_line + line_at(&lc, (size_t)(b - text));
            snprintf(msg, msglen,
                     "incomplete statement at the end (an unterminated string or comment, or a "
                     "trigger without END)");
            free(buf);
            return false;
        }
        stmt_add(l, &lc, first_line, start, len, false);
    }
    free(buf);
    return true;
}

/* mig_split without the formatting: the error's line and message apart. */
static bool split_text(const char *text, bool native, int first_line, struct mig_stmt **out,
                       size_t *n, int *err_line, char *msg, size_t msglen)
{
    struct stmt_list l = {NULL, 0, 0};
    bool ok = native ? split_native(text, first_line, &l, err_line, msg, msglen)
                     : split_pg(text, first_line, &l, err_line, msg, msglen);
    if (!ok) {
        mig_stmts_free(l.v, l.n);
        *out = NULL;
        *n = 0;
        return false;
    }
    *out = l.v;
    *n = l.n;
    return true;
}

bool mig_split(const char *text, bool native, int first_line, struct mig_stmt **out, size_t *n,
               char *err, size_t errlen)
{
    char msg[512];
    int line = first_line;
    if (split_text(text, native, first_line, out, n, &line, msg, sizeof(msg)))
        return true;
    snprintf(err, errlen, "line %d: %s", line, msg);
    return false;
}

void mig_stmts_free(struct mig_stmt *stmts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(stmts[i].sql);
    free(stmts);
}

/* ---------------------------------------------------------------------------------------- */
/* One file                                                                                 */

/* The whole file, NUL-terminated, with CRLF read as LF and a UTF-8 byte order mark dropped.
 * NULL with the reason in msg. The caller owns the result. */
static char *read_text(const char *path, char *msg, size_t msglen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, msglen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (cap - len < 2048) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(msg, msglen, "%s", strerror(errno ? errno : EIO));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(msg, msglen, "contains a NUL byte: not a text file");
        free(buf);
        return NULL;
    }
    size_t r = 0, w = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r = 3;
    for (; r < len; r++) {
        if (buf[r] == '\r' && r + 1 < len && buf[r + 1] == '\n')
            continue;
        buf[w++] = buf[r];
    }
    buf[w] = '\0';
    return buf;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    static const char hex[] = "0123456789abcdef";

    /* Cannot fail short of a broken OpenSSL; an empty checksum then never matches one. */
    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32) {
        out[0] = '\0';
        return;
    }
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* Whether line [s, e), without surrounding blanks, is word (ASCII case-insensitive). */
static bool line_is(const char *s, const char *e, const char *word)
{
    while (s < e && is_blank(*s))
        s++;
    while (e > s && is_blank(e[-1]))
        e--;
    size_t n = strlen(word);
    return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/* Whether line [s, e) starts, after blanks, with prefix (ASCII case-insensitive). */
static bool line_starts(const char *s, const char *e, const char *prefix)
{
    while (s < e && is_blank(*s))
        s++;
    size_t n = strlen(prefix);
    return (size_t)(e - s) >= n && strncasecmp(s, prefix, n) == 0;
}

/*
 * Read f->path into f: sections, directive, checksum and statements. false with the line and
 * the reason apart (line 0: the file as a whole).
 */
static bool load_file(struct mig_file *f, int *err_line, char *msg, size_t msglen)
{
    char *text = read_text(f->path, msg, msglen);
    if (text == NULL) {
        *err_line = 0;
        return false;
    }
    size_t len = strlen(text);
    size_t up_end = len, down_start = len;
    int down_line = 0;
    bool seen_up = false;

    /* First line: "-- myrmex:no-transaction", trailing blanks allowed. */
    const char *nl = strchr(text, '\n');
    const char *eol = nl ? nl : text + len;
    const char *t = eol;
    while (t > text && (t[-1] == ' ' || t[-1] == '\t'))
        t--;
    f->no_transaction = (size_t)(t - text) == strlen("-- myrmex:no-transaction") &&
                        strncasecmp(text, "-- myrmex:no-transaction", (size_t)(t - text)) == 0;

    /* The markers: "-- migrate:down" ends the up section; dbmate's "-- migrate:up" may start
     * it. Any other "-- migrate:" line is refused rather than read as a plain comment. */
    int line = 1;
    for (const char *s = text; s < text + len; line++) {
        const char *e = memchr(s, '\n', (size_t)(text + len - s));
        const char *next = e ? e + 1 : text + len;
        if (e == NULL)
            e = text + len;
        if (line_starts(s, e, "-- migrate:")) {
            if (line_is(s, e, "-- migrate:down")) {
                if (down_line != 0) {
                    *err_line = line;
                    snprintf(msg, msglen, "a second -- migrate:down (the first is on line %d)",
                             down_line);
                    goto fail;
                }
                down_line = line;
                up_end = (size_t)(s - text);
                down_start = (size_t)(next - text);
            } else if (line_is(s, e, "-- migrate:up")) {
                if (seen_up || down_line != 0) {
                    *err_line = line;
                    snprintf(msg, msglen, "-- migrate:up must come once, before -- migrate:down");
                    goto fail;
                }
                seen_up = true;
            } else {
                *err_line = line;
                snprintf(msg, msglen,
                         "unknown marker: expected -- migrate:up or -- migrate:down (a file "
                         "runs outside a transaction with -- myrmex:no-transaction on its "
                         "first line)");
                goto fail;
            }
        }
        s = next;
    }

    sha256_hex(text, up_end, f->checksum);
    f->has_down = down_line != 0;

    char saved = text[up_end];
    text[up_end] = '\0';
    bool ok = split_text(text, f->native, 1, &f->up, &f->n_up, err_line, msg, msglen);
    text[up_end] = saved;
    if (!ok)
        goto fail;
    if (f->n_up == 0) {
        *err_line = 1;
        snprintf(msg, msglen, "no statements");
        goto fail;
    }
    if (f->has_down && !split_text(text + down_start, f->native, down_line + 1, &f->down,
                                   &f->n_down, err_line, msg, msglen))
        goto fail;
    free(text);
    return true;

fail:
    free(text);
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* The folder                                                                               */

/* One name of the folder that is a migration. */
struct mf_entry {
    char *name;
    enum mig_kind kind;
    char *version;     /* normalized; NULL when repeatable */
    char *description; /* '_' read as ' ' */
    int dialect;       /* -1: plain, else enum mig_dialect of its override suffix */
};

static void entry_fini(struct mf_entry *e)
{
    free(e->name);
    free(e->version);
    free(e->description);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Parse a name ending in ".sql" into e (which then owns copies). false: not a migration name. */
static bool parse_name(const char *name, struct mf_entry *e)
{
    size_t len = strlen(name) - strlen(".sql");
    const char *desc;
    size_t desc_len;

    memset(e, 0, sizeof(*e));
    e->dialect = -1;
    if (ends_with(name, len, ".sqlite")) {
        e->dialect = MIG_DIALECT_SQLITE;
        len -= strlen(".sqlite");
    } else if (ends_with(name, len, ".postgres")) {
        e->dialect = MIG_DIALECT_POSTGRES;
        len -= strlen(".postgres");
    }
    if (len > 0 && name[0] == 'V') {
        const char *sep = NULL;
        for (const char *p = name + 1; p + 1 < name + len; p++) {
            if (p[0] == '_' && p[1] == '_') {
                sep = p;
                break;
            }
        }
        if (sep == NULL)
            return false;
        size_t vlen = (size_t)(sep - (name + 1));
        char *raw = xmalloc(vlen + 1), *norm = xmalloc(vlen + 1);
        memcpy(raw, name + 1, vlen);
        raw[vlen] = '\0';
        bool ok = mig_version_normalize(raw, norm, vlen + 1);
        free(raw);
        if (!ok) {
            free(norm);
            return false;
        }
        e->kind = MIG_VERSIONED;
        e->version = norm;
        desc = sep + 2;
    } else if (len >= 3 && strncmp(name, "R__", 3) == 0) {
        e->kind = MIG_REPEATABLE;
        desc = name + 3;
    } else {
        return false;
    }
    desc_len = (size_t)(name + len - desc);
    if (desc_len == 0) {
        free(e->version);
        e->version = NULL;
        return false;
    }
    e->description = xmalloc(desc_len + 1);
    for (size_t i = 0; i < desc_len; i++)
        e->description[i] = desc[i] == '_' ? ' ' : desc[i];
    e->description[desc_len] = '\0';
    e->name = xstrdup(name);
    return true;
}

/* Versioned by version, then repeatable by description. */
static int entry_key_cmp(const struct mf_entry *a, const struct mf_entry *b)
{
    if (a->kind != b->kind)
        return a->kind == MIG_VERSIONED ? -1 : 1;
    if (a->kind == MIG_VERSIONED)
        return mig_version_cmp(a->version, b->version);
    return strcmp(a->description, b->description);
}

/* By key, plain files before overrides, then by name: a group of one key is contiguous. */
static int entry_cmp(const void *pa, const void *pb)
{
    const struct mf_entry *a = pa, *b = pb;
    int c = entry_key_cmp(a, b);
    if (c != 0)
        return c;
    if ((a->dialect < 0) != (b->dialect < 0))
        return a->dialect < 0 ? -1 : 1;
    return strcmp(a->name, b->name);
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    bool slash = dl > 0 && dir[dl - 1] == '/';
    char *p = xmalloc(dl + strlen(name) + 2);
    snprintf(p, dl + strlen(name) + 2, "%s%s%s", dir, slash ? "" : "/", name);
    return p;
}

static void duplicate_error(const char *dir, const struct mf_entry *a, const struct mf_entry *b,
                            char *err, size_t errlen)
{
    char *pa = join_path(dir, a->name), *pb = join_path(dir, b->name);
    if (a->kind == MIG_VERSIONED)
        snprintf(err, errlen, "%s: duplicate version %s (also %s)", pb, b->version, pa);
    else
        snprintf(err, errlen, "%s: duplicate repeatable migration \"%s\" (also %s)", pb,
                 b->description, pa);
    free(pa);
    free(pb);
}

/* The folder's migration names for dialect, sorted (entry_cmp); false on a bad name. */
static bool list_entries(const char *dir, DIR *d, enum mig_dialect dialect, struct mf_entry **out,
                         size_t *n_out, char *err, size_t errlen)
{
    struct mf_entry *v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;

    errno = 0;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t nl = strlen(name);
        if (name[0] == '.' || !ends_with(name, nl, ".sql"))
            continue;
        char *path = join_path(dir, name);
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            free(path);
            continue; /* a folder called x.sql is not a file */
        }
        struct mf_entry e;
        if (!parse_name(name, &e)) {
            snprintf(err, errlen, "%s: not a migration name: " MF_NAME_HELP, path);
            entry_fini(&e);
            free(path);
            goto fail;
        }
        /* What the history table's columns hold (Flyway's sizes). */
        if ((e.version && strlen(e.version) > 50) || strlen(e.description) > 200 ||
            strlen(name) > 1000) {
            snprintf(err, errlen,
                     "%s: name too long: the history keeps versions of up to 50 characters and "
                     "descriptions of up to 200",
                     path);
            entry_fini(&e);
            free(path);
            goto fail;
        }
        free(path);
        if (e.dialect >= 0 && e.dialect != (int)dialect) {
            entry_fini(&e); /* the other backend's override */
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = e;
        errno = 0;
    }
    if (errno != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), entry_cmp);
    *out = v;
    *n_out = n;
    return true;

fail:
    for (size_t i = 0; i < n; i++)
        entry_fini(&v[i]);
    free(v);
    return false;
}

void mig_set_free(struct mig_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct mig_file *f = &set->files[i];
        free(f->version);
        free(f->description);
        free(f->script);
        free(f->path);
        mig_stmts_free(f->up, f->n_up);
        mig_stmts_free(f->down, f->n_down);
    }
    free(set->files);
    set->files = NULL;
    set->n = 0;
}

bool mig_scan(const char *dir, enum mig_dialect dialect, struct mig_set *out, char *err,
              size_t errlen)
{
    struct mf_entry *v = NULL;
    size_t n = 0;

    out->files = NULL;
    out->n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT)
            return true; /* no folder, no migrations */
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return false;
    }
    bool listed = list_entries(dir, d, dialect, &v, &n, err, errlen);
    closedir(d);
    if (!listed)
        return false;

    out->files = n ? xcalloc(n, sizeof(*out->files)) : NULL;
    for (size_t i = 0; i < n;) {
        /* One key's group: at most one plain file and one override for this dialect. */
        size_t j = i + 1, plain = i, over = n;
        while (j < n && entry_key_cmp(&v[i], &v[j]) == 0)
            j++;
        for (size_t k = i + 1; k < j; k++) {
            if ((v[k].dialect < 0) == (v[k - 1].dialect < 0)) {
                duplicate_error(dir, &v[k - 1], &v[k], err, errlen);
                goto fail;
            }
        }
        for (size_t k = i; k < j; k++)
            if (v[k].dialect >= 0)
                over = k;
        struct mf_entry *e = over < n ? &v[over] : &v[plain];
        struct mig_file *f = &out->files[out->n++];
        f->kind = e->kind;
        f->version = e->version;
        e->version = NULL;
        f->description = e->description;
        e->description = NULL;
        f->script = e->name;
        e->name = NULL;
        f->path = join_path(dir, f->script);
        f->native = e->dialect == MIG_DIALECT_SQLITE;

        int line = 0;
        char msg[512];
        if (!load_file(f, &line, msg, sizeof(msg))) {
            if (line > 0)
                snprintf(err, errlen, "%s:%d: %s", f->path, line, msg);
            else
                snprintf(err, errlen, "%s: %s", f->path, msg);
            goto fail;
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        entry_fini(&v[i]);
    free(v);
    return true;

fail:
    for (size_t i = 0; i < n; i++)
        entry_fini(&v[i]);
    free(v);
    mig_set_free(out);
    return false;
}
