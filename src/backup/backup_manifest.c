/*
 * A backup's manifest: the JSON file <id>.json beside the backup file, written atomically
 * (temporary name, 0600, fsync, rename, fsync of the folder) and read back by a small strict
 * parser of its own; the listing of a folder's manifests; and retention, which decides from
 * a database's manifests which backups go. Nothing here makes or removes backup files.
 *
 * The manifest is one flat JSON object. The reader trusts nothing: a file may have been cut
 * short by a full disk, edited by hand or be something else entirely, so every field must be
 * present with its type, strings must be valid UTF-8 without NUL and fit their field, the
 * file must be at most 64 KiB with nothing after the object, and each error names the path,
 * the field or the byte offset. Unknown keys (with scalar values) are ignored so that a newer
 * myrmex may add fields. A name that is used as a file name (id, file) must be a plain name:
 * [A-Za-z0-9._-], not starting with a dot, so an edited manifest cannot point outside its
 * folder. A failed backup has no file: its sha256 and file may be "".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/backup.h"
#include "util/util.h"

#define MANIFEST_MAX_BYTES 65536
#define MS_PER_DAY         86400000LL

/* ---------------------------------------------------------------------------------------- */
/* The fields                                                                               */

enum mf_type { MF_STRING, MF_INT, MF_STATUS };

struct mf_field {
    const char *name;
    enum mf_type type;
    size_t offset; /* in struct backup_manifest */
    size_t size;   /* of the char array (MF_STRING) */
};

#define MF_OFF(f)  offsetof(struct backup_manifest, f)
#define MF_SIZE(f) sizeof(((struct backup_manifest *)0)->f)
/* A row's name, type, offset and size, inside the row's braces: {MF_STR(x)}. */
#define MF_STR(f) #f, MF_STRING, MF_OFF(f), MF_SIZE(f)
#define MF_I64(f) #f, MF_INT, MF_OFF(f), sizeof(int64_t)

/* In the order the writer puts them. */
static const struct mf_field mf_fields[] = {
    {MF_STR(id)},
    {MF_STR(database)},
    {MF_STR(backend)},
    {MF_STR(method)},
    {MF_STR(label)},
    {MF_STR(file)},
    {MF_STR(compression)},
    {MF_STR(sha256)},
    {MF_STR(migration_version)},
    {MF_I64(started_ms)},
    {MF_I64(finished_ms)},
    {MF_I64(bytes)},
    {MF_I64(source_bytes)},
    {"status", MF_STATUS, MF_OFF(status), 0},
    {MF_STR(error)},
};
#define MF_N ARRAY_SIZE(mf_fields)

/* A plain file name: [A-Za-z0-9._-]+, not starting with a dot. */
static bool plain_name(const char *s)
{
    if (s[0] == '\0' || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool sha256_hex(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return i == 64;
}

/*
 * What both the writer and the reader require of a manifest's values (the reader has
 * already made sure each string ends within its field). prefix is "<path>: " or "".
 */
static bool manifest_check(const struct backup_manifest *m, const char *prefix, char *err,
                           size_t errlen)
{
    if (!plain_name(m->id)) {
        err_set(err, errlen,
                "%sfield id: \"%s\" is not a valid backup id ([A-Za-z0-9._-], "
                "not starting with '.')",
                prefix, m->id);
        return false;
    }
    if (m->database[0] == '\0') {
        err_set(err, errlen, "%sfield database: empty", prefix);
        return false;
    }
    if (m->status != BACKUP_COMPLETE && m->status != BACKUP_FAILED) {
        err_set(err, errlen, "%sfield status: %d is neither complete nor failed", prefix,
                (int)m->status);
        return false;
    }
    bool failed = m->status == BACKUP_FAILED;
    if (!(failed && m->file[0] == '\0') && !plain_name(m->file)) {
        err_set(err, errlen, "%sfield file: \"%s\" is not a plain file name", prefix, m->file);
        return false;
    }
    if (!(failed && m->sha256[0] == '\0') && !sha256_hex(m->sha256)) {
        err_set(err, errlen, "%sfield sha256: expected 64 lowercase hex digits", prefix);
        return false;
    }
    const struct {
        const char *name;
        int64_t v;
    } nums[] = {{"started_ms", m->started_ms},
                {"finished_ms", m->finished_ms},
                {"bytes", m->bytes},
                {"source_bytes", m->source_bytes}};
    for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
        if (nums[i].v < 0) {
            err_set(err, errlen, "%sfield %s: %lld is negative", prefix, nums[i].name,
                    (long long)nums[i].v);
            return false;
        }
    }
    return true;
}

/* Length of the well-formed UTF-8 sequence at s (avail bytes there), 0 when ill-formed,
 * -1 when it is cut short by the end of the input. */
static int utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    int n;
    unsigned lo = 0x80, hi = 0xBF; /* the allowed range of the second byte */

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else
        return 0;
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= avail)
            return -1;
        unsigned b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
    }
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

struct jbuf {
    char data[16384];
    size_t len;
    bool overflow;
};

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
    if (b->overflow || n > sizeof(b->data) - b->len) {
        b->overflow = true;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void jb_puts(struct jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped, UTF-8 passed through;
 * a byte that is not part of well-formed UTF-8 (an error text cut mid-character) is written
 * as '?' so that the file stays valid JSON. */
static void jb_string(struct jbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);

    jb_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            jb_put(b, esc, 2);
        } else if (c == '\n') {
            jb_puts(b, "\\n");
        } else if (c == '\t') {
            jb_puts(b, "\\t");
        } else if (c == '\r') {
            jb_puts(b, "\\r");
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            jb_puts(b, esc);
        } else if (c < 0x80) {
            jb_put(b, (const char *)p + i, 1);
        } else {
            int len = utf8_seq(p + i, n - i);
            if (len <= 0) {
                jb_put(b, "?", 1);
                i++;
                continue;
            }
            jb_put(b, (const char *)p + i, (size_t)len);
            i += (size_t)len;
            continue;
        }
        i++;
    }
    jb_put(b, "\"", 1);
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool backup_manifest_write(const char *dir, const struct backup_manifest *m, char *err,
                           size_t errlen)
{
    /* Every string must end inside its field before anything else looks at it. */
    for (size_t i = 0; i < MF_N; i++) {
        const struct mf_field *f = &mf_fields[i];
        if (f->type == MF_STRING && strnlen((const char *)m + f->offset, f->size) == f->size) {
            err_set(err, errlen, "manifest field %s is not terminated", f->name);
            return false;
        }
    }
    if (!manifest_check(m, "", err, errlen))
        return false;

    struct jbuf *b = xcalloc(1, sizeof(*b));
    jb_puts(b, "{\n");
    for (size_t i = 0; i < MF_N; i++) {
        const struct mf_field *f = &mf_fields[i];
        const char *base = (const char *)m + f->offset;
        jb_puts(b, "  \"");
        jb_puts(b, f->name);
        jb_puts(b, "\": ");
        if (f->type == MF_STRING) {
            jb_string(b, base);
        } else if (f->type == MF_INT) {
            int64_t v;
            memcpy(&v, base, sizeof(v));
            char num[32];
            snprintf(num, sizeof(num), "%lld", (long long)v);
            jb_puts(b, num);
        } else {
            jb_string(b, m->status == BACKUP_COMPLETE ? "complete" : "failed");
        }
        jb_puts(b, i + 1 < MF_N ? ",\n" : "\n");
    }
    jb_puts(b, "}\n");
    ASSERT(!b->overflow); /* the fields' sizes bound the text well below the buffer */

    char tmp[4096], final[4096];
    int fd = -1, dfd = -1;
    bool created = false;
    if ((size_t)snprintf(final, sizeof(final), "%s/%s.json", dir, m->id) >= sizeof(final) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s.partial", final) >= sizeof(tmp)) {
        err_set(err, errlen, "%s: path too long", dir);
        goto fail;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, errlen, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    created = true;
    if (!write_all(fd, b->data, b->len) || fsync(fd) != 0) {
        err_set(err, errlen, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        err_set(err, errlen, "%s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (rename(tmp, final) != 0) {
        err_set(err, errlen, "rename %s: %s", tmp, strerror(errno));
        goto fail;
    }
    created = false;
    /* The rename is durable only once the folder is. */
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        err_set(err, errlen, "%s: fsync: %s", dir, strerror(errno));
        goto fail;
    }
    close(dfd);
    free(b);
    return true;

fail:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (created)
        unlink(tmp);
    free(b);
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */

struct jp {
    const unsigned char *s;
    size_t len, pos;
    const char *path;
    char *err;
    size_t errlen;
};

static bool jp_fail(struct jp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool jp_fail(struct jp *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    err_set(p->err, p->errlen, "%s: %s", p->path, msg);
    return false;
}

static bool jp_truncated(struct jp *p)
{
    return jp_fail(p, "truncated at byte %zu", p->len);
}

/* "unexpected 'x' at byte N" or "unexpected byte 0xNN at byte N". */
static bool jp_unexpected(struct jp *p, const char *expected)
{
    unsigned char c = p->s[p->pos];
    if (c > 0x20 && c < 0x7f)
        return jp_fail(p, "unexpected '%c' at byte %zu, expected %s", c, p->pos, expected);
    return jp_fail(p, "unexpected byte 0x%02x at byte %zu, expected %s", c, p->pos, expected);
}

static void jp_ws(struct jp *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
}

/* A value's text collected into out (cap bytes with its NUL); *overflow when it does not fit
 * (the parse goes on). out may be NULL with cap 0 for a value that is thrown away. */
struct jsink {
    char *out;
    size_t cap, len;
    bool overflow;
};

static void sink_put(struct jsink *k, const unsigned char *s, size_t n)
{
    if (k->out == NULL || k->overflow)
        return;
    if (k->len + n + 1 > k->cap) {
        k->overflow = true;
        return;
    }
    memcpy(k->out + k->len, s, n);
    k->len += n;
    k->out[k->len] = '\0';
}

static int hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* \uXXXX at p->pos (the backslash); the code point in *cp, pos past it. */
static bool jp_u4(struct jp *p, int *cp)
{
    size_t at = p->pos;
    int v = 0;
    if (p->len - p->pos < 2)
        return jp_truncated(p);
    if (p->s[p->pos + 1] != 'u')
        return jp_fail(p, "bad escape at byte %zu", at);
    for (size_t i = 2; i < 6; i++) {
        if (p->pos + i >= p->len)
            return jp_truncated(p);
        int d = hex_digit(p->s[p->pos + i]);
        if (d < 0)
            return jp_fail(p, "bad \\u escape at byte %zu", at);
        v = v << 4 | d;
    }
    p->pos += 6;
    *cp = v;
    return true;
}

/* A string at p->pos (its opening quote). */
static bool jp_string(struct jp *p, struct jsink *k)
{
    p->pos++;
    for (;;) {
        if (p->pos >= p->len)
            return jp_truncated(p);
        unsigned char c = p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return true;
        }
        if (c < 0x20)
            return jp_fail(p, "unescaped control character 0x%02x in a string at byte %zu", c,
                           p->pos);
        if (c >= 0x80) {
            int n = utf8_seq(p->s + p->pos, p->len - p->pos);
            if (n < 0)
                return jp_truncated(p);
            if (n == 0)
                return jp_fail(p, "invalid UTF-8 at byte %zu", p->pos);
            sink_put(k, p->s + p->pos, (size_t)n);
            p->pos += (size_t)n;
            continue;
        }
        if (c != '\\') {
            sink_put(k, &c, 1);
            p->pos++;
            continue;
        }
        size_t at = p->pos;
        if (p->pos + 1 >= p->len)
            return jp_truncated(p);
        unsigned char e = p->s[p->pos + 1], out;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out = e;
            break;
        case 'b':
            out = '\b';
            break;
        case 'f':
            out = '\f';
            break;
        case 'n':
            out = '\n';
            break;
        case 'r':
            out = '\r';
            break;
        case 't':
            out = '\t';
            break;
        case 'u': {
            int cp;
            if (!jp_u4(p, &cp))
                return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return jp_fail(p, "unpaired surrogate \\u%04x at byte %zu", cp, at);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                int lo;
                if (p->pos >= p->len || (p->pos + 1 >= p->len && p->s[p->pos] == '\\'))
                    return jp_truncated(p);
                if (p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
                    return jp_fail(p, "unpaired surrogate \\u%04x at byte %zu", cp, at);
                if (!jp_u4(p, &lo))
                    return false;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return jp_fail(p, "unpaired surrogate \\u%04x at byte %zu", cp, at);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0)
                return jp_fail(p, "NUL (\\u0000) in a string at byte %zu", at);
            unsigned char u[4];
            size_t n;
            if (cp < 0x80) {
                u[0] = (unsigned char)cp;
                n = 1;
            } else if (cp < 0x800) {
                u[0] = (unsigned char)(0xC0 | (cp >> 6));
                u[1] = (unsigned char)(0x80 | (cp & 0x3F));
                n = 2;
            } else if (cp < 0x10000) {
                u[0] = (unsigned char)(0xE0 | (cp >> 12));
                u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (unsigned char)(0x80 | (cp & 0x3F));
                n = 3;
            } else {
                u[0] = (unsigned char)(0xF0 | (cp >> 18));
                u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (unsigned char)(0x80 | (cp & 0x3F));
                n = 4;
            }
            sink_put(k, u, n);
            continue;
        }
        default:
            return jp_fail(p, "bad escape at byte %zu", at);
        }
        sink_put(k, &out, 1);
        p->pos += 2;
    }
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* A number at p->pos: JSON's grammar; *integral when it has neither fraction nor exponent,
 * *v its value when it also fits in int64 (*fits). */
static bool jp_number(struct jp *p, bool *integral, bool *fits, int64_t *v)
{
    bool neg = false;
    uint64_t acc = 0, limit = (uint64_t)INT64_MAX;
    *integral = true;
    *fits = true;
    if (p->s[p->pos] == '-') {
        neg = true;
        limit++;
        p->pos++;
    }
    if (p->pos >= p->len)
        return jp_truncated(p);
    if (!is_digit(p->s[p->pos]))
        return jp_unexpected(p, "a digit");
    if (p->s[p->pos] == '0') {
        p->pos++;
    } else {
        while (p->pos < p->len && is_digit(p->s[p->pos])) {
            unsigned d = p->s[p->pos] - '0';
            if (acc > (limit - d) / 10)
                *fits = false;
            else
                acc = acc * 10 + d;
            p->pos++;
        }
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        *integral = false;
        p->pos++;
        if (p->pos >= p->len)
            return jp_truncated(p);
        if (!is_digit(p->s[p->pos]))
            return jp_unexpected(p, "a digit");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        *integral = false;
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len)
            return jp_truncated(p);
        if (!is_digit(p->s[p->pos]))
            return jp_unexpected(p, "a digit");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (*fits)
        *v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return true;
}

static bool jp_literal(struct jp *p)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        size_t n = strlen(words[i]);
        if (p->s[p->pos] != (unsigned char)words[i][0])
            continue;
        for (size_t j = 1; j < n; j++) {
            if (p->pos + j >= p->len)
                return jp_truncated(p);
            if (p->s[p->pos + j] != (unsigned char)words[i][j]) {
                p->pos += j;
                return jp_unexpected(p, words[i]);
            }
        }
        p->pos += n;
        return true;
    }
    return jp_unexpected(p, "a value");
}

static const char *kind_name(unsigned char c)
{
    if (c == '"')
        return "a string";
    if (c == '-' || is_digit(c))
        return "a number";
    if (c == 't' || c == 'f')
        return "a boolean";
    return "null";
}

/* One member's value at p->pos; f is the field it fills, or NULL for an unknown key. */
static bool jp_value(struct jp *p, const struct mf_field *f, struct backup_manifest *m)
{
    if (p->pos >= p->len)
        return jp_truncated(p);
    unsigned char c = p->s[p->pos];
    if (c == '{' || c == '[')
        return jp_fail(p, "nested %s at byte %zu", c == '{' ? "object" : "array", p->pos);
    if (c != '"' && c != '-' && !is_digit(c) && c != 't' && c != 'f' && c != 'n')
        return jp_unexpected(p, "a value");

    if (f == NULL) {
        if (c == '"') {
            struct jsink k = {0};
            return jp_string(p, &k);
        }
        if (c == '-' || is_digit(c)) {
            bool integral, fits;
            int64_t v;
            return jp_number(p, &integral, &fits, &v);
        }
        return jp_literal(p);
    }

    size_t at = p->pos;
    if (f->type == MF_INT) {
        if (c != '-' && !is_digit(c))
            return jp_fail(p, "field %s: expected an integer, got %s at byte %zu", f->name,
                           kind_name(c), at);
        bool integral, fits;
        int64_t v = 0;
        if (!jp_number(p, &integral, &fits, &v))
            return false;
        if (!integral)
            return jp_fail(p, "field %s: expected an integer at byte %zu", f->name, at);
        if (!fits)
            return jp_fail(p, "field %s: out of range at byte %zu", f->name, at);
        memcpy((char *)m + f->offset, &v, sizeof(v));
        return true;
    }
    if (c != '"')
        return jp_fail(p, "field %s: expected a string, got %s at byte %zu", f->name, kind_name(c),
                       at);
    if (f->type == MF_STATUS) {
        char word[16];
        struct jsink k = {word, sizeof(word), 0, false};
        word[0] = '\0';
        if (!jp_string(p, &k))
            return false;
        if (!k.overflow && strcmp(word, "complete") == 0)
            m->status = BACKUP_COMPLETE;
        else if (!k.overflow && strcmp(word, "failed") == 0)
            m->status = BACKUP_FAILED;
        else
            return jp_fail(p, "field status: expected \"complete\" or \"failed\" at byte %zu", at);
        return true;
    }
    char *out = (char *)m + f->offset;
    struct jsink k = {out, f->size, 0, false};
    out[0] = '\0';
    if (!jp_string(p, &k))
        return false;
    if (k.overflow)
        return jp_fail(p, "field %s: longer than %zu bytes at byte %zu", f->name, f->size - 1, at);
    return true;
}

/* The object in p into m. */
static bool jp_manifest(struct jp *p, struct backup_manifest *m)
{
    bool seen[MF_N] = {false};

    const void *nul = memchr(p->s, '\0', p->len);
    if (nul != NULL)
        return jp_fail(p, "NUL byte at byte %zu", (size_t)((const unsigned char *)nul - p->s));
    jp_ws(p);
    if (p->pos >= p->len)
        return jp_truncated(p);
    if (p->s[p->pos] != '{')
        return jp_unexpected(p, "'{'");
    p->pos++;
    jp_ws(p);
    if (p->pos >= p->len)
        return jp_truncated(p);
    if (p->s[p->pos] == '}') {
        p->pos++;
    } else {
        for (;;) {
            jp_ws(p);
            if (p->pos >= p->len)
                return jp_truncated(p);
            if (p->s[p->pos] != '"')
                return jp_unexpected(p, "a key");
            char key[32];
            struct jsink k = {key, sizeof(key), 0, false};
            key[0] = '\0';
            if (!jp_string(p, &k))
                return false;
            const struct mf_field *f = NULL;
            size_t fi = 0;
            for (fi = 0; !k.overflow && fi < MF_N; fi++) {
                if (strcmp(mf_fields[fi].name, key) == 0) {
                    f = &mf_fields[fi];
                    break;
                }
            }
            if (f != NULL) {
                if (seen[fi])
                    return jp_fail(p, "field %s appears twice", f->name);
                seen[fi] = true;
            }
            jp_ws(p);
            if (p->pos >= p->len)
                return jp_truncated(p);
            if (p->s[p->pos] != ':')
                return jp_unexpected(p, "':'");
            p->pos++;
            jp_ws(p);
            if (!jp_value(p, f, m))
                return false;
            jp_ws(p);
            if (p->pos >= p->len)
                return jp_truncated(p);
            if (p->s[p->pos] == '}') {
                p->pos++;
                break;
            }
            if (p->s[p->pos] != ',')
                return jp_unexpected(p, "',' or '}'");
            p->pos++;
        }
    }
    jp_ws(p);
    if (p->pos < p->len)
        return jp_fail(p, "trailing garbage at byte %zu", p->pos);
    for (size_t i = 0; i < MF_N; i++)
        if (!seen[i])
            return jp_fail(p, "field %s missing", mf_fields[i].name);
    return true;
}

bool backup_manifest_read(const char *path, struct backup_manifest *m, char *err, size_t errlen)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    struct stat st;
    bool ok = false;

    memset(m, 0, sizeof(*m));
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        err_set(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    if (fstat(fd, &st) != 0) {
        err_set(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        err_set(err, errlen, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size > MANIFEST_MAX_BYTES) {
        err_set(err, errlen, "%s: larger than %d bytes", path, MANIFEST_MAX_BYTES);
        goto out;
    }
    /* One byte more than allowed, to see a file that grew since fstat. */
    buf = xmalloc(MANIFEST_MAX_BYTES + 1);
    for (;;) {
        ssize_t r = read(fd, buf + len, MANIFEST_MAX_BYTES + 1 - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err_set(err, errlen, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > MANIFEST_MAX_BYTES) {
            err_set(err, errlen, "%s: larger than %d bytes", path, MANIFEST_MAX_BYTES);
            goto out;
        }
    }
    struct jp p = {buf, len, 0, path, err, errlen};
    if (!jp_manifest(&p, m))
        goto out;
    char prefix[4096 + 3];
    snprintf(prefix, sizeof(prefix), "%s: ", path);
    ok = manifest_check(m, prefix, err, errlen);

out:
    close(fd);
    free(buf);
    if (!ok)
        memset(m, 0, sizeof(*m));
    return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* Listing                                                                                  */

static int manifest_cmp_newest(const void *a, const void *b)
{
    const struct backup_manifest *x = a, *y = b;
    if (x->started_ms != y->started_ms)
        return x->started_ms > y->started_ms ? -1 : 1;
    return -strcmp(x->id, y->id);
}

/*
 * A manifest whose id does not name its file (a copy under another name) counts as bad: the
 * console and retention find a backup's files from its id. A folder that does not exist has
 * no manifests; one that cannot be read gives -1 (errno set).
 */
int backup_manifest_list(const char *dir, const char *db, struct backup_manifest **out, int *n_bad)
{
    struct backup_manifest *v = NULL;
    int n = 0, cap = 0, bad = 0;

    *out = NULL;
    if (n_bad != NULL)
        *n_bad = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        size_t nl = strlen(name);
        if (name[0] == '.' || nl <= 5 || strcmp(name + nl - 5, ".json") != 0)
            continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
            bad++;
            continue;
        }
        struct backup_manifest m;
        if (!backup_manifest_read(path, &m, NULL, 0) || strlen(m.id) != nl - 5 ||
            memcmp(m.id, name, nl - 5) != 0) {
            bad++;
            continue;
        }
        if (db != NULL && strcmp(m.database, db) != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, (size_t)cap * sizeof(*v));
        }
        v[n++] = m;
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof(*v), manifest_cmp_newest);
    *out = v;
    if (n_bad != NULL)
        *n_bad = bad;
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Retention                                                                                */

/*
 * The newest complete backup always stays, whatever the limits say: retention must never
 * leave a database without a restorable backup. A failed run newer than it stays too, so
 * SHOW BACKUPS tells why the last run failed until a complete one replaces it; failed runs
 * older than the newest complete backup have nothing left to tell.
 */
int backup_retention(const struct backup_manifest *m, int n, int keep_count, int keep_days,
                     int64_t now_ms, bool *remove)
{
    int newest = -1, complete = 0, removed = 0;
    int64_t oldest_ms = keep_days > 0 ? now_ms - (int64_t)keep_days * MS_PER_DAY : INT64_MIN;

    for (int i = 0; i < n; i++) {
        remove[i] = false;
        if (m[i].status != BACKUP_COMPLETE) {
            remove[i] = newest >= 0;
        } else {
            complete++;
            if (newest < 0)
                newest = i;
            else if ((keep_count > 0 && complete > keep_count) || m[i].started_ms < oldest_ms)
                remove[i] = true;
        }
        if (remove[i])
            removed++;
    }
    return removed;
}
