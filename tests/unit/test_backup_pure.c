/*
 * Unit tests for the parts of backups that touch no database: the manifest written into a
 * temporary folder and read back (escaping, mode, atomic rename), the reader against
 * truncated and edited files, the listing, cron expressions and their next times (UTC and
 * Europe/Berlin across both 2026 DST changes), and retention.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup/backup.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define DAY   86400000LL

static char dir[64];

static void dir_create(void)
{
    snprintf(dir, sizeof(dir), "/tmp/myrmex-bkpure-XXXXXX");
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

static void path_of(char *out, size_t outlen, const char *name)
{
    snprintf(out, outlen, "%s/%s", dir, name);
}

static void put_bytes(const char *name, const char *data, size_t len)
{
    char p[512];
    path_of(p, sizeof(p), name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void put(const char *name, const char *text)
{
    put_bytes(name, text, strlen(text));
}

/* The whole file (NUL-terminated; the caller frees). */
static char *slurp(const char *name, size_t *len)
{
    char p[512];
    path_of(p, sizeof(p), name);
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(70000);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, 69999, f);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static struct backup_manifest sample(const char *id, const char *db, int64_t started_ms,
                                     enum backup_status st)
{
    struct backup_manifest m;
    memset(&m, 0, sizeof(m));
    snprintf(m.id, sizeof(m.id), "%s", id);
    snprintf(m.database, sizeof(m.database), "%s", db);
    snprintf(m.backend, sizeof(m.backend), "sqlite");
    snprintf(m.method, sizeof(m.method), "sqlite-backup-api");
    snprintf(m.label, sizeof(m.label), "nightly");
    snprintf(m.compression, sizeof(m.compression), "gzip");
    snprintf(m.migration_version, sizeof(m.migration_version), "3.1");
    m.started_ms = started_ms;
    m.finished_ms = started_ms + 1500;
    m.status = st;
    if (st == BACKUP_COMPLETE) {
        snprintf(m.file, sizeof(m.file), "%s.db.gz", id);
        snprintf(m.sha256, sizeof(m.sha256), "%s", SHA_A);
        m.bytes = 12345;
        m.source_bytes = 987654321;
    } else {
        snprintf(m.error, sizeof(m.error), "disk full");
    }
    return m;
}

static void write_ok(const struct backup_manifest *m)
{
    char err[512] = "";
    ck_assert_msg(backup_manifest_write(dir, m, err, sizeof(err)), "write: %s", err);
}

static void assert_same(const struct backup_manifest *a, const struct backup_manifest *b)
{
    ck_assert_str_eq(a->id, b->id);
    ck_assert_str_eq(a->database, b->database);
    ck_assert_str_eq(a->backend, b->backend);
    ck_assert_str_eq(a->method, b->method);
    ck_assert_str_eq(a->label, b->label);
    ck_assert_str_eq(a->file, b->file);
    ck_assert_str_eq(a->compression, b->compression);
    ck_assert_str_eq(a->sha256, b->sha256);
    ck_assert_str_eq(a->migration_version, b->migration_version);
    ck_assert_int_eq(a->started_ms, b->started_ms);
    ck_assert_int_eq(a->finished_ms, b->finished_ms);
    ck_assert_int_eq(a->bytes, b->bytes);
    ck_assert_int_eq(a->source_bytes, b->source_bytes);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_str_eq(a->error, b->error);
}

static int count_suffix(const char *suffix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    int n = 0;
    size_t sl = strlen(suffix);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l >= sl && strcmp(de->d_name + l - sl, suffix) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Manifest                                                                                 */

START_TEST(test_manifest_round_trip)
{
    dir_create();
    struct backup_manifest m =
        sample("app-20261125T101500Z-3f2a", "app", 1795600500123LL, BACKUP_COMPLETE);
    snprintf(m.label, sizeof(m.label),
             "say \"hi\" \\ back\\slash\nnew line\ttab\r\x01\x1f\x7f caf\xc3\xa9 "
             "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 /end");
    snprintf(m.error, sizeof(m.error), "line 1\nline \"2\" \\n not a newline \xc3\xbc");
    m.bytes = 0;
    m.source_bytes = INT64_MAX;
    write_ok(&m);

    char p[512];
    path_of(p, sizeof(p), "app-20261125T101500Z-3f2a.json");
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(count_suffix(".partial"), 0);
    ck_assert_int_eq(count_suffix(".json"), 1);

    /* The text is JSON with the escapes in place and UTF-8 as is. */
    size_t len;
    char *text = slurp("app-20261125T101500Z-3f2a.json", &len);
    ck_assert_ptr_nonnull(strstr(text, "\"label\": \"say \\\"hi\\\" \\\\ back\\\\slash\\nnew "
                                       "line\\ttab\\r\\u0001\\u001f\\u007f caf\xc3\xa9 "));
    ck_assert_ptr_nonnull(strstr(text, "\"status\": \"complete\""));
    ck_assert_ptr_nonnull(strstr(text, "\"source_bytes\": 9223372036854775807,"));
    free(text);

    struct backup_manifest r;
    char err[512] = "";
    ck_assert_msg(backup_manifest_read(p, &r, err, sizeof(err)), "read: %s", err);
    assert_same(&m, &r);

    /* Written again (a status change): replaced, still no temporary left. */
    m.status = BACKUP_FAILED;
    snprintf(m.error, sizeof(m.error), "cancelled");
    write_ok(&m);
    ck_assert(backup_manifest_read(p, &r, err, sizeof(err)));
    assert_same(&m, &r);
    ck_assert_int_eq(count_suffix(".partial"), 0);

    /* A failed backup without a file or checksum. */
    struct backup_manifest f = sample("app-failed", "app", 5, BACKUP_FAILED);
    write_ok(&f);
    path_of(p, sizeof(p), "app-failed.json");
    ck_assert_msg(backup_manifest_read(p, &r, err, sizeof(err)), "read: %s", err);
    assert_same(&f, &r);

    /* Bytes that are not UTF-8 (an error text cut mid-character) become '?'. */
    struct backup_manifest u = sample("app-utf", "app", 6, BACKUP_FAILED);
    snprintf(u.error, sizeof(u.error), "cut \xe6\x97 here \xff\xc3");
    write_ok(&u);
    path_of(p, sizeof(p), "app-utf.json");
    ck_assert_msg(backup_manifest_read(p, &r, err, sizeof(err)), "read: %s", err);
    ck_assert_str_eq(r.error, "cut ?? here ??");
    dir_remove();
}
END_TEST

START_TEST(test_manifest_write_refused)
{
    dir_create();
    static const char *const bad_ids[] = {"",    ".hidden", "../x",        "a/b",
                                          "a b", "a\\b",    "caf\xc3\xa9", "x\n"};
    char err[512];
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        struct backup_manifest m = sample("ok", "app", 1, BACKUP_COMPLETE);
        snprintf(m.id, sizeof(m.id), "%s", bad_ids[i]);
        err[0] = '\0';
        ck_assert_msg(!backup_manifest_write(dir, &m, err, sizeof(err)), "id %s", bad_ids[i]);
        ck_assert_msg(strstr(err, "field id") != NULL, "%s", err);
    }
    struct backup_manifest m = sample("ok", "app", 1, BACKUP_COMPLETE);
    memset(m.id, 'a', sizeof(m.id)); /* not terminated */
    ck_assert(!backup_manifest_write(dir, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "field id is not terminated") != NULL, "%s", err);

    m = sample("ok", "app", 1, BACKUP_COMPLETE);
    m.sha256[10] = 'A';
    ck_assert(!backup_manifest_write(dir, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "field sha256") != NULL, "%s", err);

    m = sample("ok", "app", 1, BACKUP_COMPLETE);
    m.bytes = -1;
    ck_assert(!backup_manifest_write(dir, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "field bytes: -1 is negative") != NULL, "%s", err);

    m = sample("ok", "app", 1, BACKUP_COMPLETE);
    snprintf(m.file, sizeof(m.file), "../../etc/passwd");
    ck_assert(!backup_manifest_write(dir, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "field file") != NULL, "%s", err);

    /* A temporary left by a killed run is not overwritten. */
    put("ok.json.partial", "x");
    m = sample("ok", "app", 1, BACKUP_COMPLETE);
    ck_assert(!backup_manifest_write(dir, &m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "ok.json.partial: File exists") != NULL, "%s", err);
    ck_assert_int_eq(count_suffix(".json"), 0);
    dir_remove();
}
END_TEST

START_TEST(test_manifest_truncated)
{
    dir_create();
    struct backup_manifest m = sample("app-t", "app", 1795600500123LL, BACKUP_COMPLETE);
    snprintf(m.label, sizeof(m.label), "q\"b\\n\n\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\x01");
    write_ok(&m);
    size_t len;
    char *text = slurp("app-t.json", &len);
    const char *close = strrchr(text, '}');
    ck_assert_ptr_nonnull(close);
    size_t complete = (size_t)(close - text) + 1;
    ck_assert_uint_eq(complete + 1, len); /* "}\n" ends the file */

    char p[512], err[512], want[64];
    path_of(p, sizeof(p), "cut.json");
    for (size_t n = 0; n <= len; n++) {
        put_bytes("cut.json", text, n);
        struct backup_manifest r;
        err[0] = '\0';
        bool ok = backup_manifest_read(p, &r, err, sizeof(err));
        if (n < complete) {
            ck_assert_msg(!ok, "a manifest cut to %zu bytes was accepted", n);
            snprintf(want, sizeof(want), ": truncated at byte %zu", n);
            ck_assert_msg(strstr(err, want) != NULL, "cut to %zu: %s", n, err);
            ck_assert_msg(strncmp(err, p, strlen(p)) == 0, "%s", err);
        } else {
            ck_assert_msg(ok, "cut to %zu: %s", n, err);
            assert_same(&m, &r);
        }
    }
    free(text);
    dir_remove();
}
END_TEST

/* text with the first occurrence of from replaced by to (the caller frees). */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "no %s", from);
    size_t a = (size_t)(at - text), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(text) - fl + tl + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, text, a);
    memcpy(out + a, to, tl);
    strcpy(out + a + tl, at + fl);
    return out;
}

/* The reader's verdict on text: NULL when accepted, else the error (static). */
static const char *verdict(const char *text, size_t len, struct backup_manifest *r)
{
    static char err[512];
    char p[512];
    put_bytes("edited.json", text, len);
    path_of(p, sizeof(p), "edited.json");
    err[0] = '\0';
    return backup_manifest_read(p, r, err, sizeof(err)) ? NULL : err;
}

static void expect_error(const char *base, const char *from, const char *to, const char *want)
{
    struct backup_manifest r;
    char *t = edit(base, from, to);
    const char *e = verdict(t, strlen(t), &r);
    ck_assert_msg(e != NULL, "accepted: %s -> %s", from, to);
    ck_assert_msg(strstr(e, want) != NULL, "%s -> %s: got \"%s\", want \"%s\"", from, to, e, want);
    free(t);
}

static void expect_ok(const char *base, const char *from, const char *to, struct backup_manifest *r)
{
    char *t = edit(base, from, to);
    const char *e = verdict(t, strlen(t), r);
    ck_assert_msg(e == NULL, "%s -> %s: %s", from, to, e);
    free(t);
}

START_TEST(test_manifest_edited)
{
    dir_create();
    struct backup_manifest m = sample("app-e", "app", 1000, BACKUP_COMPLETE);
    write_ok(&m);
    size_t len;
    char *base = slurp("app-e.json", &len);
    struct backup_manifest r;

    /* The checksum: a digit out of range, upper case, one short. */
    expect_error(base, "\"9f86", "\"9g86", "field sha256: expected 64 lowercase hex digits");
    expect_error(base, "\"9f86", "\"9F86", "field sha256: expected 64 lowercase hex digits");
    expect_error(base, "\"9f86", "\"986", "field sha256: expected 64 lowercase hex digits");
    /* A missing field, a wrong type, a duplicate. */
    expect_error(base, "  \"bytes\": 12345,\n", "", "field bytes missing");
    expect_error(base, "  \"error\": \"\"\n", "\"x\": 1\n", "field error missing");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": \"12345\"",
                 "field bytes: expected an integer, got a string");
    expect_error(base, "\"label\": \"nightly\"", "\"label\": 7",
                 "field label: expected a string, got a number");
    expect_error(base, "\"label\": \"nightly\"", "\"label\": null",
                 "field label: expected a string, got null");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": 12345.0",
                 "field bytes: expected an integer");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": 1e3", "field bytes: expected an integer");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": -1", "field bytes: -1 is negative");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": 9223372036854775808",
                 "field bytes: out of range");
    expect_error(base, "\"bytes\": 12345", "\"bytes\": 012", "unexpected '1' at byte");
    expect_error(base, "\"label\"", "\"bytes\": 1, \"label\"", "field bytes appears twice");
    expect_error(base, "\"complete\"", "\"done\"", "field status: expected \"complete\" or");
    expect_error(base, "\"database\": \"app\"", "\"database\": \"\"", "field database: empty");
    expect_error(base, "\"file\": \"app-e.db.gz\"", "\"file\": \"../app-e.db.gz\"",
                 "field file: \"../app-e.db.gz\" is not a plain file name");
    expect_error(base, "\"id\": \"app-e\"", "\"id\": \"a/e\"", "field id: \"a/e\" is not a valid");
    /* Strings: too long, raw control characters, bad escapes, bad UTF-8, NUL. */
    char big[600], a256[257];
    memset(a256, 'a', 256);
    a256[256] = '\0';
    snprintf(big, sizeof(big), "\"label\": \"%s\"", a256);
    expect_error(base, "\"label\": \"nightly\"", big, "field label: longer than 255 bytes");
    snprintf(big, sizeof(big), "\"label\": \"%s\"", "\\u00e9\\u00e9");
    expect_ok(base, "\"label\": \"nightly\"", big, &r);
    ck_assert_str_eq(r.label, "\xc3\xa9\xc3\xa9");
    expect_error(base, "\"sha256\": \"", "\"sha256\": \"a", "field sha256: longer than 64 bytes");
    expect_error(base, "nightly", "night\tly", "unescaped control character 0x09");
    expect_error(base, "nightly", "night\\xly", "bad escape at byte");
    expect_error(base, "nightly", "night\\u12g4ly", "bad \\u escape at byte");
    expect_error(base, "nightly", "night\\u0000ly", "NUL (\\u0000) in a string");
    expect_error(base, "nightly", "night\\ud83dly", "unpaired surrogate \\ud83d");
    expect_error(base, "nightly", "night\\ude00ly", "unpaired surrogate \\ude00");
    expect_error(base, "nightly", "night\xffly", "invalid UTF-8 at byte");
    expect_error(base, "nightly", "night\xc0\xafly", "invalid UTF-8 at byte");     /* overlong */
    expect_error(base, "nightly", "night\xed\xa0\x80ly", "invalid UTF-8 at byte"); /* surrogate */
    expect_ok(base, "nightly", "\\ud83d\\ude00\\/\\b\\f", &r);
    ck_assert_str_eq(r.label, "\xf0\x9f\x98\x80/\b\f");
    {
        char *t = edit(base, "nightly", "nightXly");
        t[strstr(t, "X") - t] = '\0';
        const char *e = verdict(t, strlen(base), &r);
        ck_assert_ptr_nonnull(e);
        ck_assert_msg(strstr(e, "NUL byte at byte") != NULL, "%s", e);
        free(t);
    }
    /* Structure: trailing garbage, nesting, no object, a trailing comma. */
    {
        size_t bl = strlen(base);
        char *t = malloc(bl + 8);
        ck_assert_ptr_nonnull(t);
        snprintf(t, bl + 8, "%sx", base);
        const char *e = verdict(t, strlen(t), &r);
        ck_assert_ptr_nonnull(e);
        char want[64];
        snprintf(want, sizeof(want), "trailing garbage at byte %zu", bl);
        ck_assert_msg(strstr(e, want) != NULL, "%s", e);
        snprintf(t, bl + 8, "%s{}", base);
        e = verdict(t, strlen(t), &r);
        ck_assert_ptr_nonnull(e);
        ck_assert_msg(strstr(e, "trailing garbage") != NULL, "%s", e);
        free(t);
    }
    expect_error(base, "\"label\": \"nightly\"", "\"label\": {\"a\": 1}", "nested object at byte");
    expect_error(base, "\"label\": \"nightly\"", "\"x\": [1]", "nested array at byte");
    expect_error(base, "{", "[", "unexpected '[' at byte 0, expected '{'");
    expect_error(base, "\n}", ",\n}", "unexpected '}' at byte");
    expect_error(base, "\"label\": \"nightly\"", "\"label\": nightly",
                 "field label: expected a string, got null");
    expect_error(base, "\"label\": \"nightly\"", "\"label\" \"nightly\"", "expected ':'");
    expect_error(base, "\"label\": \"nightly\",", "\"label\": \"nightly\";", "expected ',' or '}'");
    ck_assert_ptr_nonnull(strstr(verdict("", 0, &r), "truncated at byte 0"));
    ck_assert_ptr_nonnull(strstr(verdict("  \n", 3, &r), "truncated at byte 3"));
    ck_assert_ptr_nonnull(strstr(verdict("{}", 2, &r), "field id missing"));
    /* Unknown keys with scalar values are ignored; whitespace is free. */
    expect_ok(base, "\"label\"",
              "\"x1\": true, \"x2\": false, \"x3\": null, \"x4\": -1.5e+3, "
              "\"x5\": \"\\u00e9\", \"a very long key that no field has\" :\t0,\r\n \"label\"",
              &r);
    assert_same(&m, &r);
    expect_error(base, "\"label\"", "\"x1\": tru, \"label\"", "unexpected ',' at byte");
    /* Too large, however valid. */
    {
        size_t bl = strlen(base);
        char *t = malloc(70001);
        ck_assert_ptr_nonnull(t);
        memset(t, ' ', 70000);
        memcpy(t, base, bl);
        const char *e = verdict(t, 70000, &r);
        ck_assert_ptr_nonnull(e);
        ck_assert_msg(strstr(e, "larger than 65536 bytes") != NULL, "%s", e);
        e = verdict(t, 65536, &r); /* exactly the limit */
        ck_assert_msg(e == NULL, "%s", e);
        free(t);
    }
    /* Not a file. */
    {
        char p[512], err[512];
        path_of(p, sizeof(p), "sub.json");
        ck_assert_int_eq(mkdir(p, 0700), 0);
        ck_assert(!backup_manifest_read(p, &r, err, sizeof(err)));
        ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
        path_of(p, sizeof(p), "none.json");
        ck_assert(!backup_manifest_read(p, &r, err, sizeof(err)));
        ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);
    }
    free(base);
    dir_remove();
}
END_TEST

START_TEST(test_manifest_list)
{
    dir_create();
    struct backup_manifest ms[] = {
        sample("a1", "app", 1000, BACKUP_COMPLETE), sample("a2", "app", 3000, BACKUP_FAILED),
        sample("a3", "app", 2000, BACKUP_COMPLETE), sample("o1", "other", 5000, BACKUP_COMPLETE),
        sample("a4", "app", 4000, BACKUP_COMPLETE), sample("a5", "app", 4000, BACKUP_COMPLETE),
    };
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
        write_ok(&ms[i]);
    /* Bad ones: garbage, a truncated one, a copy under another name, a folder. */
    put("garbage.json", "not json");
    put("cut.json", "{\"id\": \"cut\"");
    size_t len;
    char *a1 = slurp("a1.json", &len);
    put("copy.json", a1);
    free(a1);
    char p[512];
    path_of(p, sizeof(p), "folder.json");
    ck_assert_int_eq(mkdir(p, 0700), 0);
    /* Not manifests at all: ignored, not bad. */
    put("x1.json.partial", "{");
    put("notes.txt", "hello");
    put(".hidden.json", "{");
    put("a1.db.gz", "data");

    struct backup_manifest *v;
    int bad = -1;
    int n = backup_manifest_list(dir, "app", &v, &bad);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(bad, 4);
    const char *want[] = {"a5", "a4", "a2", "a3", "a1"};
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(v[i].id, want[i]);
    ck_assert_int_eq(v[2].status, BACKUP_FAILED);
    free(v);

    n = backup_manifest_list(dir, NULL, &v, &bad);
    ck_assert_int_eq(n, 6);
    ck_assert_int_eq(bad, 4);
    ck_assert_str_eq(v[0].id, "o1");
    ck_assert_str_eq(v[5].id, "a1");
    free(v);

    n = backup_manifest_list(dir, "nothing", &v, NULL);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(v);

    path_of(p, sizeof(p), "missing-folder");
    n = backup_manifest_list(p, NULL, &v, &bad);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(bad, 0);
    dir_remove();
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* cron                                                                                     */

static uint64_t bits_range(int lo, int hi, int step)
{
    uint64_t b = 0;
    for (int i = lo; i <= hi; i += step)
        b |= (uint64_t)1 << i;
    return b;
}

#define ALL_MIN   bits_range(0, 59, 1)
#define ALL_HOUR  bits_range(0, 23, 1)
#define ALL_MDAY  bits_range(1, 31, 1)
#define ALL_MONTH bits_range(1, 12, 1)
#define ALL_WDAY  bits_range(0, 6, 1)

static void parse_ok(const char *text, uint64_t mi, uint64_t h, uint64_t md, uint64_t mo,
                     uint64_t wd, bool md_any, bool wd_any)
{
    struct cron_spec s;
    char err[256] = "";
    ck_assert_msg(cron_parse(text, &s, err, sizeof(err)), "%s: %s", text, err);
    ck_assert_msg(s.minutes == mi, "%s: minutes %llx", text, (unsigned long long)s.minutes);
    ck_assert_msg(s.hours == h, "%s: hours %x", text, s.hours);
    ck_assert_msg(s.mdays == md, "%s: mdays %x", text, s.mdays);
    ck_assert_msg(s.months == mo, "%s: months %x", text, s.months);
    ck_assert_msg(s.wdays == wd, "%s: wdays %x", text, s.wdays);
    ck_assert_msg(s.mday_any == md_any && s.wday_any == wd_any, "%s: any %d %d", text, s.mday_any,
                  s.wday_any);
}

START_TEST(test_cron_parse)
{
    parse_ok("* * * * *", ALL_MIN, ALL_HOUR, ALL_MDAY, ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("*/15 * * * *", 0x1ULL | 1ULL << 15 | 1ULL << 30 | 1ULL << 45, ALL_HOUR, ALL_MDAY,
             ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("1-30/5 0 1 1 0", bits_range(1, 30, 5), 1, 2, 2, 1, false, false);
    parse_ok("1,15,30 23 31 12 6", 1ULL << 1 | 1ULL << 15 | 1ULL << 30, 1u << 23, 1u << 31,
             1u << 12, 1u << 6, false, false);
    parse_ok("59 0-23/6 1-31/10 */3 *", 1ULL << 59, 0x041041, bits_range(1, 31, 10),
             bits_range(1, 12, 3), ALL_WDAY, false, true);
    parse_ok("0 0 * jan,JUN,Dec mon-fri", 1, 1, ALL_MDAY, 1u << 1 | 1u << 6 | 1u << 12, 0x3e, true,
             false);
    parse_ok("0 0 * * 7", 1, 1, ALL_MDAY, ALL_MONTH, 1, true, false);
    parse_ok("0 0 * * 5-7", 1, 1, ALL_MDAY, ALL_MONTH, 0x61, true, false);
    parse_ok("0 0 * * Sun,sat", 1, 1, ALL_MDAY, ALL_MONTH, 0x41, true, false);
    parse_ok("0 0 * * */2", 1, 1, ALL_MDAY, ALL_MONTH, 0x55, true, true);
    parse_ok("30 4 */2 * 1", 1ULL << 30, 1u << 4, bits_range(1, 31, 2), ALL_MONTH, 2, true, false);
    parse_ok("10/20 5/6 * * *", 1ULL << 10 | 1ULL << 30 | 1ULL << 50,
             1u << 5 | 1u << 11 | 1u << 17 | 1u << 23, ALL_MDAY, ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("  0\t0   13 * fri  \n", 1, 1, 1u << 13, ALL_MONTH, 1u << 5, false, false);
    parse_ok("00 05 01 01 00", 1, 1u << 5, 2, 2, 1, false, false);
    parse_ok("@hourly", 1, ALL_HOUR, ALL_MDAY, ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("@daily", 1, 1, ALL_MDAY, ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("@MIDNIGHT", 1, 1, ALL_MDAY, ALL_MONTH, ALL_WDAY, true, true);
    parse_ok("@weekly", 1, 1, ALL_MDAY, ALL_MONTH, 1, true, false);
    parse_ok("@monthly", 1, 1, 2, ALL_MONTH, ALL_WDAY, false, true);
    parse_ok("@yearly", 1, 1, 2, 2, ALL_WDAY, false, true);
    parse_ok(" @annually ", 1, 1, 2, 2, ALL_WDAY, false, true);
}
END_TEST

static void parse_bad(const char *text, const char *want)
{
    struct cron_spec s;
    char err[256] = "";
    ck_assert_msg(!cron_parse(text, &s, err, sizeof(err)), "accepted: %s", text);
    ck_assert_msg(strcmp(err, want) == 0, "%s: got \"%s\", want \"%s\"", text, err, want);
}

START_TEST(test_cron_parse_errors)
{
    parse_bad("61 * * * *", "minute: 61 is out of range 0-59");
    parse_bad("* * * *", "5 fields expected, got 4");
    parse_bad("* * * * * *", "5 fields expected, got 6");
    parse_bad("", "5 fields expected, got 0");
    parse_bad("  ", "5 fields expected, got 0");
    parse_bad("* 24 * * *", "hour: 24 is out of range 0-23");
    parse_bad("* * 0 * *", "day of month: 0 is out of range 1-31");
    parse_bad("* * 32 * *", "day of month: 32 is out of range 1-31");
    parse_bad("* * * 13 *", "month: 13 is out of range 1-12");
    parse_bad("* * * 0 *", "month: 0 is out of range 1-12");
    parse_bad("* * * * 8", "day of week: 8 is out of range 0-7");
    parse_bad("99999999999999999999 * * * *", "minute: 99999999999999999999 is out of range 0-59");
    parse_bad("*/0 * * * *", "minute: step 0 is out of range 1-59");
    parse_bad("*/60 * * * *", "minute: step 60 is out of range 1-59");
    parse_bad("*/ * * * *", "minute: missing step in \"*/\"");
    parse_bad("*/x * * * *", "minute: step \"x\" is not a number");
    parse_bad("30-10 * * * *", "minute: range \"30-10\" is reversed");
    parse_bad("* * * * fri-mon", "day of week: range \"fri-mon\" is reversed");
    parse_bad("1,,2 * * * *", "minute: empty list element in \"1,,2\"");
    parse_bad("1, * * * *", "minute: empty list element in \"1,\"");
    parse_bad(",1 * * * *", "minute: empty list element in \",1\"");
    parse_bad("-5 * * * *", "minute: missing value in \"-5\"");
    parse_bad("5- * * * *", "minute: missing value in \"5-\"");
    parse_bad("/5 * * * *", "minute: missing value in \"/5\"");
    parse_bad("jan * * * *", "minute: \"jan\" is not a number");
    parse_bad("* * * janu *", "month: \"janu\" is not a number or name");
    parse_bad("* * * * mon-xyz", "day of week: \"xyz\" is not a number or name");
    parse_bad("* * * mon *", "month: \"mon\" is not a number or name");
    parse_bad("1a * * * *", "minute: \"1a\" is not a number");
    parse_bad("** * * * *", "minute: \"**\" is not a number");
    parse_bad("1-2-3 * * * *", "minute: \"2-3\" is not a number");
    parse_bad("@reboot", "unknown \"@reboot\" (expected @hourly, @daily, @midnight, @weekly, "
                         "@monthly, @yearly or @annually)");
    parse_bad("@daily 5", "unexpected \"5\" after @daily");
}
END_TEST

static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

static void set_tz(const char *tz)
{
    ck_assert_int_eq(setenv("TZ", tz, 1), 0);
    tzset();
}

static time_t next_of(const char *text, time_t after)
{
    struct cron_spec s;
    char err[256];
    ck_assert_msg(cron_parse(text, &s, err, sizeof(err)), "%s: %s", text, err);
    return cron_next(&s, after);
}

#define ASSERT_NEXT(expr, after, want)                                                             \
    do {                                                                                           \
        time_t got_ = next_of(expr, after), want_ = (want);                                        \
        ck_assert_msg(got_ == want_, "%s after %lld: got %lld, want %lld", expr,                   \
                      (long long)(after), (long long)got_, (long long)want_);                      \
    } while (0)

START_TEST(test_cron_next_utc)
{
    set_tz("UTC");
    time_t wed = utc(2026, 11, 25, 10, 7, 30); /* a Wednesday */
    ASSERT_NEXT("* * * * *", wed, utc(2026, 11, 25, 10, 8, 0));
    ASSERT_NEXT("* * * * *", utc(2026, 11, 25, 10, 8, 0), utc(2026, 11, 25, 10, 9, 0));
    ASSERT_NEXT("* * * * *", utc(2026, 12, 31, 23, 59, 30), utc(2027, 1, 1, 0, 0, 0));
    ASSERT_NEXT("*/15 * * * *", wed, utc(2026, 11, 25, 10, 15, 0));
    ASSERT_NEXT("*/15 * * * *", utc(2026, 11, 25, 10, 45, 0), utc(2026, 11, 25, 11, 0, 0));
    ASSERT_NEXT("*/15 * * * *", utc(2026, 11, 25, 23, 59, 59), utc(2026, 11, 26, 0, 0, 0));
    ASSERT_NEXT("0 3 * * *", wed, utc(2026, 11, 26, 3, 0, 0));
    ASSERT_NEXT("0 3 * * *", utc(2026, 11, 25, 2, 59, 59), utc(2026, 11, 25, 3, 0, 0));
    ASSERT_NEXT("0 0 1 * *", wed, utc(2026, 12, 1, 0, 0, 0));
    ASSERT_NEXT("0 0 * * 1", wed, utc(2026, 11, 30, 0, 0, 0));
    ASSERT_NEXT("0 0 * * mon", utc(2026, 11, 30, 0, 0, 0), utc(2026, 12, 7, 0, 0, 0));
    /* The 13th or a Friday. */
    time_t t = wed;
    const time_t fri13[] = {utc(2026, 11, 27, 0, 0, 0), utc(2026, 12, 4, 0, 0, 0),
                            utc(2026, 12, 11, 0, 0, 0), utc(2026, 12, 13, 0, 0, 0),
                            utc(2026, 12, 18, 0, 0, 0)};
    for (size_t i = 0; i < sizeof(fri13) / sizeof(fri13[0]); i++) {
        ASSERT_NEXT("0 0 13 * 5", t, fri13[i]);
        t = fri13[i];
    }
    /* A step on the day of month is a '*' field: both must match (Vixie cron). */
    ASSERT_NEXT("0 0 */2 * 5", utc(2026, 11, 27, 0, 0, 0), utc(2026, 12, 11, 0, 0, 0));
    ASSERT_NEXT("@yearly", wed, utc(2027, 1, 1, 0, 0, 0));
    ASSERT_NEXT("0 0 29 2 *", wed, utc(2028, 2, 29, 0, 0, 0));
    ASSERT_NEXT("0 0 31 * *", wed, utc(2026, 12, 31, 0, 0, 0));
    ASSERT_NEXT("0 0 30 2 *", wed, 0);
    ASSERT_NEXT("0 0 31 4,6,9,11 *", wed, 0);
    /* Within five years, not beyond: the next 29 February after 2096 is in 2104. */
    ASSERT_NEXT("0 0 29 2 *", utc(2096, 3, 1, 0, 0, 0), 0);

    /* A year of every quarter hour: each exactly 15 minutes after the last. */
    t = utc(2027, 1, 1, 0, 0, 0) - 1;
    int n = 0;
    time_t end = utc(2028, 1, 1, 0, 0, 0), prev = 0;
    for (;;) {
        time_t nx = next_of("*/15 * * * *", t);
        ck_assert(nx > t);
        if (nx >= end)
            break;
        if (n > 0)
            ck_assert_int_eq(nx - prev, 900);
        prev = nx;
        t = nx;
        n++;
        ck_assert_int_le(n, 365 * 96);
    }
    ck_assert_int_eq(n, 365 * 96);
}
END_TEST

START_TEST(test_cron_next_berlin)
{
    set_tz("Europe/Berlin");
    /* 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 does not exist. */
    ASSERT_NEXT("30 2 * * *", utc(2026, 3, 28, 2, 0, 0), utc(2026, 3, 30, 0, 30, 0));
    ASSERT_NEXT("* * * * *", utc(2026, 3, 29, 0, 59, 0), utc(2026, 3, 29, 1, 0, 0));
    ASSERT_NEXT("0 3 * * *", utc(2026, 3, 28, 12, 0, 0), utc(2026, 3, 29, 1, 0, 0));
    /* 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 is shown twice. */
    time_t first = utc(2026, 10, 25, 0, 30, 0); /* 02:30 CEST */
    ASSERT_NEXT("30 2 * * *", utc(2026, 10, 24, 22, 0, 0), first);
    ASSERT_NEXT("30 2 * * *", first, utc(2026, 10, 26, 1, 30, 0));
    ASSERT_NEXT("* * * * *", utc(2026, 10, 25, 0, 59, 0), utc(2026, 10, 25, 2, 0, 0));
    ASSERT_NEXT("0 * * * *", utc(2026, 10, 25, 0, 0, 0), utc(2026, 10, 25, 2, 0, 0));
    ASSERT_NEXT("0 0 * * *", utc(2026, 11, 25, 12, 0, 0), utc(2026, 11, 25, 23, 0, 0));

    /* Every hour of 2026 on the wall clock: 8760 less the 02:00 skipped in March; the 02:00
     * shown twice in October fires once. */
    time_t t = utc(2025, 12, 31, 23, 0, 0) - 1; /* 2025-12-31 23:59:59 CET */
    time_t end = utc(2026, 12, 31, 23, 0, 0);   /* 2027-01-01 00:00 CET */
    int n = 0;
    for (;;) {
        time_t nx = next_of("0 * * * *", t);
        ck_assert(nx > t);
        if (nx >= end)
            break;
        t = nx;
        n++;
        ck_assert_int_le(n, 8760);
    }
    ck_assert_int_eq(n, 8760 - 1);
}
END_TEST

/* ---------------------------------------------------------------------------------------- */
/* Retention                                                                                */

struct ret_case {
    const char *shape; /* newest first: 'C' complete, 'F' failed */
    int64_t age_days[8];
    int keep_count, keep_days;
    const char *want; /* 'x' removed, '.' kept */
};

static void retention_case(const struct ret_case *c)
{
    const int64_t now = 1795600500000LL;
    struct backup_manifest m[8];
    bool rm[8];
    memset(m, 0, sizeof(m));
    int n = (int)strlen(c->shape), want_n = 0;
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof(id), "b%d", i);
        m[i] = sample(id, "app", now - c->age_days[i] * DAY,
                      c->shape[i] == 'C' ? BACKUP_COMPLETE : BACKUP_FAILED);
        rm[i] = true;
        if (c->want[i] == 'x')
            want_n++;
    }
    int got = backup_retention(m, n, c->keep_count, c->keep_days, now, rm);
    char got_s[9] = "";
    for (int i = 0; i < n; i++)
        got_s[i] = rm[i] ? 'x' : '.';
    got_s[n] = '\0';
    ck_assert_msg(strcmp(got_s, c->want) == 0, "%s count %d days %d: got %s, want %s", c->shape,
                  c->keep_count, c->keep_days, got_s, c->want);
    ck_assert_int_eq(got, want_n);
}

START_TEST(test_retention)
{
    static const struct ret_case cases[] = {
        /* count only */
        {"CCCCC", {1, 2, 3, 4, 5}, 2, 0, "..xxx"},
        {"CCCCC", {1, 2, 3, 4, 5}, 0, 0, "....."},
        {"CCCCC", {1, 2, 3, 4, 5}, 5, 0, "....."},
        /* days only: the boundary is strict, exactly keep_days old stays */
        {"CCCCC", {1, 5, 7, 10, 40}, 0, 7, "...xx"},
        /* both: whichever removes first */
        {"CCCCC", {1, 2, 3, 4, 30}, 3, 7, "...xx"},
        {"CCCCC", {1, 8, 9, 10, 11}, 3, 7, ".xxxx"},
        /* all failed: nothing to tell them from */
        {"FFF", {1, 2, 3}, 1, 1, "..."},
        /* the newest complete one stays however old */
        {"C", {400}, 1, 7, "."},
        {"FFCC", {1, 2, 300, 400}, 1, 7, "...x"},
        /* failed ones older than the newest complete one go, newer ones stay */
        {"FCFCF", {1, 2, 3, 4, 5}, 0, 0, "..x.x"},
        /* keep_count counts complete ones only */
        {"CFCFC", {1, 2, 3, 4, 5}, 2, 0, ".x.xx"},
        {"", {0}, 1, 1, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        retention_case(&cases[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("backup_pure");
    TCase *tc = tcase_create("backup_pure");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_manifest_round_trip);
    tcase_add_test(tc, test_manifest_write_refused);
    tcase_add_test(tc, test_manifest_truncated);
    tcase_add_test(tc, test_manifest_edited);
    tcase_add_test(tc, test_manifest_list);
    tcase_add_test(tc, test_cron_parse);
    tcase_add_test(tc, test_cron_parse_errors);
    tcase_add_test(tc, test_cron_next_utc);
    tcase_add_test(tc, test_cron_next_berlin);
    tcase_add_test(tc, test_retention);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
