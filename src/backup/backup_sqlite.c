/*
 * SQLite backups (DESIGN.md section 7): an online copy through SQLite's backup API, its gzip
 * compression and SHA-256, verification by a trial restore, restore over a database file, and
 * the removal of what a killed run left. The manifest's format is backup_manifest.c's; who runs
 * these (console jobs, the schedule, the command line) is not this file's concern.
 *
 * Files are never visible under their final name before they are complete: the copy goes to
 * "<id>.db.partial" (and "<id>.db.gz.partial"), is fsynced and checksummed, and only then
 * renamed; the manifest is written last, so a run killed at any point leaves either *.partial
 * files (backup_clean_partial) or a final file no complete manifest speaks of.
 *
 * Consistency under live writers. The backup API copies a slice of pages per step and, when
 * another connection changes the source between two steps, starts over. With a steady stream of
 * writers that could never finish, so in WAL mode (myrmex's default) the copy runs inside one
 * read transaction on the backup's own connection: every slice reads the same snapshot, writers
 * keep committing to the WAL, and the pauses between slices only share the disk. In a rollback
 * journal mode a read transaction would lock writers out for the whole copy, so each slice takes
 * its own shared lock; after BACKUP_MAX_RESTARTS restarts the rest is copied in one step (the
 * writers wait for it within their busy timeout).
 */
#include "config.h" /* _GNU_SOURCE, for mkstemps */

#include "backup/backup.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>
#include <zlib.h>

#include "util/util.h"

#define BACKUP_CHUNK_BYTES   (64 * 1024) /* file streaming unit: memory stays bounded */
#define BACKUP_SLICE_PAGES   256         /* pages per sqlite3_backup_step() */
#define BACKUP_PAUSE_MS      5           /* between slices, so that writers get the lock */
#define BACKUP_BUSY_MS       1000        /* busy timeout of the backup's own connection */
#define BACKUP_BUSY_LIMIT_MS 60000       /* give up when the source stays locked this long */
#define BACKUP_MAX_RESTARTS  3           /* rollback mode: then copy the rest in one step */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void report_progress(const struct backup_progress *p, int percent, const char *line)
{
    if (p && p->progress)
        p->progress(p->arg, percent, line);
}

static bool is_cancelled(const struct backup_progress *p)
{
    return p && p->cancelled && p->cancelled(p->arg);
}

/* --- files ------------------------------------------------------------------------------ */

static bool write_all(int fd, const void *buf, size_t len)
{
    const char *b = buf;
    while (len > 0) {
        ssize_t n = write(fd, b, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        b += n;
        len -= (size_t)n;
    }
    return true;
}

static ssize_t read_some(int fd, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n;
}

/* fsync the folder holding path (path itself when is_dir), so that a rename survives a crash. */
static bool fsync_dir_of(const char *path, bool is_dir, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    if (is_dir) {
        snprintf(dir, sizeof(dir), "%s", path);
    } else {
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof(dir), ".");
        else if (slash == path)
            snprintf(dir, sizeof(dir), "/");
        else
            snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        err_set(err, errlen, "could not fsync folder %s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}

static bool fsync_path(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        err_set(err, errlen, "could not fsync %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    return true;
}

/* Create dir (and its missing parents) mode 0700. */
static bool make_dir(const char *dir, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        err_set(err, errlen, "backup folder %s is not a folder", dir);
        return false;
    }
    if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
        err_set(err, errlen, "backup folder name too long");
        return false;
    }
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
            err_set(err, errlen, "could not create folder %s: %s", buf, strerror(errno));
            return false;
        }
        *s = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
        err_set(err, errlen, "could not create folder %s: %s", buf, strerror(errno));
        return false;
    }
    return true;
}

/* Remove path and the files SQLite may keep beside a database (-wal, -shm, -journal). */
static void unlink_db_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char buf[PATH_MAX + 16];
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        snprintf(buf, sizeof(buf), "%s%s", path, suffixes[i]);
        unlink(buf);
    }
}

/* --- SHA-256 ---------------------------------------------------------------------------- */

static void hex_of(const unsigned char *d, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool sha_final(EVP_MD_CTX *ctx, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, d, &len) != 1 || len != 32)
        return false;
    hex_of(d, len, hex);
    return true;
}

/* The SHA-256 (hex) and size of the file at path; a missing file says so. */
static bool file_sha256(const char *path, char hex[65], int64_t *bytes, char *err, size_t errlen)
{
    unsigned char *buf = NULL;
    EVP_MD_CTX *ctx = NULL;
    int64_t total = 0;
    bool ok = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            err_set(err, errlen, "backup file %s is missing", path);
        else
            err_set(err, errlen, "could not open %s: %s", path, strerror(errno));
        return false;
    }
    buf = xmalloc(BACKUP_CHUNK_BYTES);
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        err_set(err, errlen, "SHA-256 unavailable");
        goto fail;
    }
    for (;;) {
        ssize_t n = read_some(fd, buf, BACKUP_CHUNK_BYTES);
        if (n < 0) {
            err_set(err, errlen, "could not read %s: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
            err_set(err, errlen, "SHA-256 failed");
            goto fail;
        }
        total += n;
    }
    if (!sha_final(ctx, hex)) {
        err_set(err, errlen, "SHA-256 failed");
        goto fail;
    }
    if (bytes)
        *bytes = total;
    ok = true;
fail:
    EVP_MD_CTX_free(ctx);
    free(buf);
    close(fd);
    return ok;
}

/* --- gzip ------------------------------------------------------------------------------- */

/*
 * Stream the file src into the new file dst (mode 0600) through gzip, with the SHA-256 and
 * size of the compressed bytes as written, then fsync dst. Cancellation is checked per chunk.
 */
static bool gzip_file(const char *src, const char *dst, char hex[65], int64_t *bytes,
                      const struct backup_progress *p, char *err, size_t errlen)
{
    unsigned char *in = NULL, *out = NULL;
    EVP_MD_CTX *ctx = NULL;
    z_stream zs;
    bool z_ready = false, ok = false;
    int64_t written = 0;
    int dfd = -1, sfd = open(src, O_RDONLY | O_CLOEXEC);
    if (sfd < 0) {
        err_set(err, errlen, "could not open %s: %s", src, strerror(errno));
        return false;
    }
    dfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (dfd < 0) {
        err_set(err, errlen, "could not create %s: %s", dst, strerror(errno));
        goto fail;
    }
    in = xmalloc(BACKUP_CHUNK_BYTES);
    out = xmalloc(BACKUP_CHUNK_BYTES);
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        err_set(err, errlen, "SHA-256 unavailable");
        goto fail;
    }
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        err_set(err, errlen, "could not start gzip compression");
        goto fail;
    }
    z_ready = true;
    int flush = Z_NO_FLUSH;
    do {
        if (is_cancelled(p)) {
            err_set(err, errlen, "backup cancelled");
            goto fail;
        }
        ssize_t n = read_some(sfd, in, BACKUP_CHUNK_BYTES);
        if (n < 0) {
            err_set(err, errlen, "could not read %s: %s", src, strerror(errno));
            goto fail;
        }
        flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        do {
            zs.next_out = out;
            zs.avail_out = BACKUP_CHUNK_BYTES;
            int rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) {
                err_set(err, errlen, "gzip compression failed");
                goto fail;
            }
            size_t have = BACKUP_CHUNK_BYTES - zs.avail_out;
            if (have > 0) {
                if (!write_all(dfd, out, have)) {
                    err_set(err, errlen, "could not write %s: %s", dst, strerror(errno));
                    goto fail;
                }
                if (EVP_DigestUpdate(ctx, out, have) != 1) {
                    err_set(err, errlen, "SHA-256 failed");
                    goto fail;
                }
                written += (int64_t)have;
            }
        } while (zs.avail_out == 0);
    } while (flush != Z_FINISH);
    if (fsync(dfd) != 0) {
        err_set(err, errlen, "could not fsync %s: %s", dst, strerror(errno));
        goto fail;
    }
    if (!sha_final(ctx, hex)) {
        err_set(err, errlen, "SHA-256 failed");
        goto fail;
    }
    *bytes = written;
    ok = true;
fail:
    if (z_ready)
        deflateEnd(&zs);
    EVP_MD_CTX_free(ctx);
    free(in);
    free(out);
    if (dfd >= 0 && close(dfd) != 0 && ok) {
        err_set(err, errlen, "could not write %s: %s", dst, strerror(errno));
        ok = false;
    }
    close(sfd);
    return ok;
}

/*
 * Copy the stored backup file src into the open file dfd, inflating it when gzip. A truncated
 * or corrupt gzip stream, or bytes after its end, is an error that says so. Progress reports
 * percent of src read, scaled into [pct_from, pct_to].
 */
static bool unpack_file(const char *src, bool gzip, int dfd, const char *dst,
                        const struct backup_progress *p, int pct_from, int pct_to, char *err,
                        size_t errlen)
{
    unsigned char *in = NULL, *out = NULL;
    z_stream zs;
    bool z_ready = false, ended = false, ok = false;
    struct stat st;
    int64_t done = 0;
    int last_pct = -1;
    int sfd = open(src, O_RDONLY | O_CLOEXEC);
    if (sfd < 0) {
        if (errno == ENOENT)
            err_set(err, errlen, "backup file %s is missing", src);
        else
            err_set(err, errlen, "could not open %s: %s", src, strerror(errno));
        return false;
    }
    if (fstat(sfd, &st) != 0)
        st.st_size = 0;
    in = xmalloc(BACKUP_CHUNK_BYTES);
    out = xmalloc(BACKUP_CHUNK_BYTES);
    if (gzip) {
        memset(&zs, 0, sizeof(zs));
        if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
            err_set(err, errlen, "could not start gzip decompression");
            goto fail;
        }
        z_ready = true;
    }
    for (;;) {
        if (is_cancelled(p)) {
            err_set(err, errlen, "cancelled");
            goto fail;
        }
        ssize_t n = read_some(sfd, in, BACKUP_CHUNK_BYTES);
        if (n < 0) {
            err_set(err, errlen, "could not read %s: %s", src, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        done += n;
        if (st.st_size > 0) {
            int pct = pct_from + (int)((pct_to - pct_from) * done / st.st_size);
            if (pct != last_pct) {
                report_progress(p, pct, gzip ? "decompressing" : "copying");
                last_pct = pct;
            }
        }
        if (!gzip) {
            if (!write_all(dfd, in, (size_t)n)) {
                err_set(err, errlen, "could not write %s: %s", dst, strerror(errno));
                goto fail;
            }
            continue;
        }
        if (ended) {
            err_set(err, errlen, "corrupt gzip stream in %s: data after its end", src);
            goto fail;
        }
        zs.next_in = in;
        zs.avail_in = (uInt)n;
        do {
            zs.next_out = out;
            zs.avail_out = BACKUP_CHUNK_BYTES;
            int rc = inflate(&zs, Z_NO_FLUSH);
            if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_MEM_ERROR ||
                rc == Z_STREAM_ERROR) {
                err_set(err, errlen, "corrupt gzip stream in %s: %s", src,
                        zs.msg ? zs.msg : zError(rc));
                goto fail;
            }
            size_t have = BACKUP_CHUNK_BYTES - zs.avail_out;
            if (have > 0 && !write_all(dfd, out, have)) {
                err_set(err, errlen, "could not write %s: %s", dst, strerror(errno));
                goto fail;
            }
            if (rc == Z_STREAM_END) {
                ended = true;
                break;
            }
        } while (zs.avail_out == 0);
        if (ended && zs.avail_in > 0) {
            err_set(err, errlen, "corrupt gzip stream in %s: data after its end", src);
            goto fail;
        }
    }
    if (gzip && !ended) {
        err_set(err, errlen, "corrupt gzip stream in %s: truncated (unexpected end of file)", src);
        goto fail;
    }
    ok = true;
fail:
    if (z_ready)
        inflateEnd(&zs);
    free(in);
    free(out);
    close(sfd);
    return ok;
}

/* --- SQLite helpers --------------------------------------------------------------------- */

/* The first column of sql's first row as text into out ("" when no row). */
static bool query_text(sqlite3 *db, const char *sql, char *out, size_t outlen, char *err,
                       size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(out, outlen, "%s", t ? (const char *)t : "");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            snprintf(out, outlen, "%s", "");
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK)
        err_set(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK;
}

/*
 * Open the database file at path, run PRAGMA integrity_check, and when report is not NULL
 * append "table N\n" for every table. The connection is closed and the files SQLite made
 * beside path (-wal, -shm) removed again; path itself stays.
 */
static bool check_db(const char *path, char *report, size_t reportlen, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;
    char text[512], side[PATH_MAX + 16];
    bool ok = false;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, errlen, "could not open the restored copy: %s",
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(db, BACKUP_BUSY_MS);
    if (!query_text(db, "PRAGMA integrity_check", text, sizeof(text), err, errlen))
        goto fail;
    if (strcmp(text, "ok") != 0) {
        err_set(err, errlen, "integrity_check failed: %s", text);
        goto fail;
    }
    if (report) {
        size_t used = strlen(report);
        rc = sqlite3_prepare_v2(db,
                                "SELECT name, sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master "
                                "WHERE type = 'table' ORDER BY name",
                                -1, &tables, NULL);
        if (rc != SQLITE_OK) {
            err_set(err, errlen, "could not list tables: %s", sqlite3_errmsg(db));
            goto fail;
        }
        while ((rc = sqlite3_step(tables)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(tables, 0);
            bool is_virtual = sqlite3_column_int(tables, 1) != 0;
            char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", name ? name : "");
            if (!sql || !query_text(db, sql, text, sizeof(text), err, errlen)) {
                sqlite3_free(sql);
                if (!is_virtual)
                    goto fail;
                snprintf(text, sizeof(text), "?"); /* a module this process does not have */
            } else {
                sqlite3_free(sql);
            }
            int n = snprintf(report + used, reportlen > used ? reportlen - used : 0, "%s %s\n",
                             name ? name : "", text);
            if (n > 0)
                used = used + (size_t)n < reportlen ? used + (size_t)n : reportlen - 1;
        }
        if (rc != SQLITE_DONE) {
            err_set(err, errlen, "could not list tables: %s", sqlite3_errmsg(db));
            goto fail;
        }
    }
    ok = true;
fail:
    sqlite3_finalize(tables);
    sqlite3_close(db);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-journal", path);
    unlink(side);
    return ok;
}

/* --- backup ----------------------------------------------------------------------------- */

/* The backup's id: database (characters safe in a file name), UTC time, four random hex. */
static bool make_id(const char *database, int64_t started_ms, char *id, size_t idlen, char *err,
                    size_t errlen)
{
    char name[64], stamp[32];
    unsigned char rnd[2];
    size_t n = 0;
    for (const char *s = database; *s && n < sizeof(name) - 1; s++) {
        /* Lower case, letters, digits, '_' and '-' only: the id is a console word as it
         * is (the console folds unquoted words to lower case). */
        char c = (char)tolower((unsigned char)*s);
        bool safe =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c == '-' && n > 0);
        name[n++] = safe ? c : '_';
    }
    name[n] = '\0';
    time_t secs = (time_t)(started_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm); /* UTC */
    random_bytes(rnd, sizeof(rnd));
    if (snprintf(id, idlen, "%s-%s-%02x%02x", name, stamp, rnd[0], rnd[1]) >= (int)idlen) {
        err_set(err, errlen, "database name \"%s\" is too long for a backup id", database);
        return false;
    }
    return true;
}

/*
 * The source connection's busy handler. SQLite's own busy timeout sleeps longer and longer
 * between tries; in a rollback journal mode under steady writes the moments without a lock
 * are short, so this one tries every millisecond, and gives up when cancelled or after
 * BACKUP_BUSY_LIMIT_MS.
 */
struct busy_wait {
    const struct backup_progress *p;
    int64_t since_ms;
};

static int backup_on_busy(void *arg, int n_tries)
{
    struct busy_wait *bw = arg;
    if (n_tries == 0)
        bw->since_ms = now_ms();
    if (is_cancelled(bw->p) || now_ms() - bw->since_ms >= BACKUP_BUSY_LIMIT_MS)
        return 0;
    sleep_ms(1);
    return 1;
}

/*
 * Copy the source into the (empty, existing) file dst_path through the backup API. Sets
 * *source_bytes to the source's size as read. Progress goes from 0 to pct_to.
 */
static bool copy_db(const char *db_path, const char *dst_path, const struct backup_progress *p,
                    int pct_to, int64_t *source_bytes, char *err, size_t errlen)
{
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_backup *b = NULL;
    char mode[32], page_size[32], line[128];
    bool ok = false, in_read_txn = false;
    int rc, restarts = 0, reported_restarts = 0, last_pct = -1, prev_remaining = -1;
    int64_t busy_since_ms = 0;
    struct busy_wait bw = {.p = p};

    rc = sqlite3_open_v2(db_path, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, errlen, "could not open %s: %s", db_path,
                src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_handler(src, backup_on_busy, &bw);
    if (!query_text(src, "PRAGMA journal_mode", mode, sizeof(mode), err, errlen) ||
        !query_text(src, "PRAGMA page_size", page_size, sizeof(page_size), err, errlen))
        goto fail;
    rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, errlen, "could not open %s: %s", dst_path,
                dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto fail;
    }
    /* A scratch file: no journal beside it (it would not be named *.partial), and the file is
     * fsynced once complete. */
    if (sqlite3_exec(dst, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL,
                     NULL) != SQLITE_OK) {
        err_set(err, errlen, "could not prepare %s: %s", dst_path, sqlite3_errmsg(dst));
        goto fail;
    }
    b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        err_set(err, errlen, "could not start the backup: %s", sqlite3_errmsg(dst));
        goto fail;
    }
    if (strcmp(mode, "wal") == 0) {
        /* One snapshot for every slice; writers go on committing to the WAL. */
        if (sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) !=
            SQLITE_OK) {
            err_set(err, errlen, "could not start a read transaction on %s: %s", db_path,
                    sqlite3_errmsg(src));
            goto fail;
        }
        in_read_txn = true;
    }
    for (;;) {
        if (is_cancelled(p)) {
            err_set(err, errlen, "backup cancelled");
            goto fail;
        }
        int pages = restarts >= BACKUP_MAX_RESTARTS ? -1 : BACKUP_SLICE_PAGES;
        rc = sqlite3_backup_step(b, pages);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            if (busy_since_ms == 0)
                busy_since_ms = now_ms();
            if (now_ms() - busy_since_ms >= BACKUP_BUSY_LIMIT_MS) {
                err_set(err, errlen, "the database stayed locked for %d s",
                        BACKUP_BUSY_LIMIT_MS / 1000);
                goto fail;
            }
            sleep_ms(20);
            continue;
        }
        if (rc != SQLITE_OK && rc != SQLITE_DONE) {
            err_set(err, errlen, "backup step failed: %s", sqlite3_errstr(rc));
            goto fail;
        }
        busy_since_ms = 0;
        int total = sqlite3_backup_pagecount(b), remaining = sqlite3_backup_remaining(b);
        /* Another connection changed the source: the copy started over from page 1 (with
         * every slice restarting, remaining stays where it was). */
        if (prev_remaining >= 0 && remaining >= prev_remaining)
            restarts++;
        prev_remaining = remaining;
        if (rc == SQLITE_DONE) {
            *source_bytes = (int64_t)total * strtoll(page_size, NULL, 10);
            break;
        }
        /* After a restart the percentage stays where it was until the copy passes it. */
        int pct = total > 0 ? (int)((int64_t)pct_to * (total - remaining) / total) : 0;
        if (pct > last_pct || restarts != reported_restarts) {
            if (restarts > 0)
                snprintf(line, sizeof(line),
                         "copied %d of %d pages (restarted %d times: the database changed)",
                         total - remaining, total, restarts);
            else
                snprintf(line, sizeof(line), "copied %d of %d pages", total - remaining, total);
            last_pct = pct > last_pct ? pct : last_pct;
            reported_restarts = restarts;
            report_progress(p, last_pct, line);
        }
        sleep_ms(BACKUP_PAUSE_MS);
    }
    rc = sqlite3_backup_finish(b);
    b = NULL;
    if (rc != SQLITE_OK) {
        err_set(err, errlen, "backup failed: %s", sqlite3_errmsg(dst));
        goto fail;
    }
    ok = true;
fail:
    if (b)
        sqlite3_backup_finish(b);
    if (in_read_txn)
        sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
    if (dst && sqlite3_close(dst) != SQLITE_OK && ok) {
        err_set(err, errlen, "could not close %s", dst_path);
        ok = false;
    }
    sqlite3_close(src);
    return ok;
}

bool backup_sqlite(const char *db_path, const char *dir, const char *database, const char *label,
                   bool gzip, const struct backup_progress *p, struct backup_manifest *m, char *err,
                   size_t errlen)
{
    char scratch[PATH_MAX], gz_scratch[PATH_MAX], final[PATH_MAX];
    char merr[256];
    int64_t source_bytes = 0;
    char migration_version[sizeof(m->migration_version)];
    bool have_id = false, renamed = false;
    int fd;

    /* The caller may have set the schema version; everything else is this function's. */
    snprintf(migration_version, sizeof(migration_version), "%s", m->migration_version);
    memset(m, 0, sizeof(*m));
    snprintf(m->migration_version, sizeof(m->migration_version), "%s", migration_version);
    m->started_ms = wall_ms();
    snprintf(m->database, sizeof(m->database), "%s", database ? database : "");
    snprintf(m->backend, sizeof(m->backend), "sqlite");
    snprintf(m->method, sizeof(m->method), "sqlite-backup-api");
    snprintf(m->label, sizeof(m->label), "%s", label ? label : "");
    snprintf(m->compression, sizeof(m->compression), "%s", gzip ? "gzip" : "none");
    m->status = BACKUP_FAILED;
    scratch[0] = gz_scratch[0] = '\0';

    if (!database || !*database) {
        err_set(err, errlen, "no database name");
        goto fail;
    }
    if (!make_id(database, m->started_ms, m->id, sizeof(m->id), err, errlen))
        goto fail;
    have_id = true;
    snprintf(m->file, sizeof(m->file), "%s.db%s", m->id, gzip ? ".gz" : "");
    if (snprintf(final, sizeof(final), "%s/%s", dir, m->file) >= (int)sizeof(final)) {
        err_set(err, errlen, "backup folder name too long");
        goto fail;
    }
    snprintf(scratch, sizeof(scratch), "%s/%s.db.partial", dir, m->id);
    if (gzip)
        snprintf(gz_scratch, sizeof(gz_scratch), "%s/%s.db.gz.partial", dir, m->id);
    if (!make_dir(dir, err, errlen)) {
        have_id = false; /* nowhere to write a manifest */
        goto fail;
    }

    /* SQLite would create the file with its default mode; create it 0600 first. */
    fd = open(scratch, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, errlen, "could not create %s: %s", scratch, strerror(errno));
        scratch[0] = '\0'; /* not ours to remove */
        if (errno == EEXIST)
            have_id = false; /* another run's id: its manifest is not ours to replace */
        goto fail;
    }
    close(fd);
    report_progress(p, 0, "copying");
    if (!copy_db(db_path, scratch, p, gzip ? 80 : 95, &source_bytes, err, errlen))
        goto fail;
    m->source_bytes = source_bytes;
    if (!fsync_path(scratch, err, errlen))
        goto fail;

    if (gzip) {
        report_progress(p, 80, "compressing");
        if (!gzip_file(scratch, gz_scratch, m->sha256, &m->bytes, p, err, errlen))
            goto fail;
        if (rename(gz_scratch, final) != 0) {
            err_set(err, errlen, "could not rename %s: %s", gz_scratch, strerror(errno));
            goto fail;
        }
        gz_scratch[0] = '\0';
        renamed = true;
        unlink(scratch);
        scratch[0] = '\0';
    } else {
        report_progress(p, 95, "checksumming");
        if (!file_sha256(scratch, m->sha256, &m->bytes, err, errlen))
            goto fail;
        if (rename(scratch, final) != 0) {
            err_set(err, errlen, "could not rename %s: %s", scratch, strerror(errno));
            goto fail;
        }
        scratch[0] = '\0';
        renamed = true;
    }
    if (!fsync_dir_of(dir, true, err, errlen))
        goto fail;
    if (is_cancelled(p)) {
        err_set(err, errlen, "backup cancelled");
        goto fail;
    }

    m->finished_ms = wall_ms();
    m->status = BACKUP_COMPLETE;
    m->error[0] = '\0';
    if (!backup_manifest_write(dir, m, merr, sizeof(merr))) {
        err_set(err, errlen, "could not write the manifest: %s", merr);
        m->status = BACKUP_FAILED;
        have_id = false; /* it would fail again */
        goto fail;
    }
    report_progress(p, 100, "complete");
    return true;

fail:
    if (scratch[0])
        unlink(scratch);
    if (gz_scratch[0])
        unlink(gz_scratch);
    if (renamed)
        unlink(final);
    m->status = BACKUP_FAILED;
    m->finished_ms = wall_ms();
    m->sha256[0] = '\0';
    m->bytes = 0;
    snprintf(m->error, sizeof(m->error), "%s", err && errlen ? err : "failed");
    if (have_id)
        (void)backup_manifest_write(dir, m, merr, sizeof(merr));
    return false;
}

/* --- verify and restore ----------------------------------------------------------------- */

/* dir/m->file, refusing a file name that would leave dir (the manifest may have been edited). */
static bool backup_path(const char *dir, const struct backup_manifest *m, char *out, size_t outlen,
                        bool *gzip, char *err, size_t errlen)
{
    if (m->status != BACKUP_COMPLETE) {
        err_set(err, errlen, "backup %s did not complete: %s", m->id, m->error);
        return false;
    }
    if (m->file[0] == '\0' || m->file[0] == '.' || strchr(m->file, '/')) {
        err_set(err, errlen, "invalid backup file name \"%s\" in manifest %s", m->file, m->id);
        return false;
    }
    if (strcmp(m->compression, "gzip") == 0) {
        *gzip = true;
    } else if (strcmp(m->compression, "none") == 0) {
        *gzip = false;
    } else {
        err_set(err, errlen, "unknown compression \"%s\" in manifest %s", m->compression, m->id);
        return false;
    }
    if (snprintf(out, outlen, "%s/%s", dir, m->file) >= (int)outlen) {
        err_set(err, errlen, "backup path too long");
        return false;
    }
    return true;
}

static bool check_sha(const char *path, const struct backup_manifest *m, char *err, size_t errlen)
{
    char hex[65];
    if (!file_sha256(path, hex, NULL, err, errlen))
        return false;
    if (strcasecmp(hex, m->sha256) != 0) {
        err_set(err, errlen, "checksum mismatch: manifest %.8s, file %.8s", m->sha256, hex);
        return false;
    }
    return true;
}

bool backup_verify_sqlite(const char *dir, const struct backup_manifest *m, const char *scratch_dir,
                          const struct backup_progress *p, char *report, size_t reportlen,
                          char *err, size_t errlen)
{
    char path[PATH_MAX], scratch[PATH_MAX];
    bool gzip, ok = false;
    int fd;

    if (report && reportlen > 0)
        report[0] = '\0';
    if (!backup_path(dir, m, path, sizeof(path), &gzip, err, errlen))
        return false;
    report_progress(p, 0, "checksumming");
    if (!check_sha(path, m, err, errlen))
        return false;
    if (!make_dir(scratch_dir, err, errlen))
        return false;
    if (snprintf(scratch, sizeof(scratch), "%s/verify-XXXXXX.partial", scratch_dir) >=
        (int)sizeof(scratch)) {
        err_set(err, errlen, "scratch path too long");
        return false;
    }
    fd = mkstemps(scratch, (int)strlen(".partial"));
    if (fd < 0) {
        err_set(err, errlen, "could not create a scratch file in %s: %s", scratch_dir,
                strerror(errno));
        return false;
    }
    bool unpacked = unpack_file(path, gzip, fd, scratch, p, 10, 80, err, errlen);
    if (close(fd) != 0 && unpacked) {
        err_set(err, errlen, "could not write %s: %s", scratch, strerror(errno));
        unpacked = false;
    }
    if (!unpacked)
        goto done;
    report_progress(p, 80, "integrity check");
    if (!check_db(scratch, report && reportlen > 0 ? report : NULL, reportlen, err, errlen))
        goto done;
    report_progress(p, 100, "verified");
    ok = true;
done:
    unlink_db_files(scratch);
    return ok;
}

bool backup_restore_sqlite(const char *dir, const struct backup_manifest *m, const char *dest_path,
                           const struct backup_progress *p, char *err, size_t errlen)
{
    static const char *const leftovers[] = {"-wal", "-shm", "-journal"};
    char path[PATH_MAX], tmp[PATH_MAX], side[PATH_MAX + 16];
    bool gzip;
    int fd;

    if (!backup_path(dir, m, path, sizeof(path), &gzip, err, errlen))
        return false;
    if (snprintf(tmp, sizeof(tmp), "%s.restore.partial", dest_path) >= (int)sizeof(tmp)) {
        err_set(err, errlen, "restore path too long");
        return false;
    }
    report_progress(p, 0, "checksumming");
    if (!check_sha(path, m, err, errlen))
        return false;
    unlink_db_files(tmp); /* a killed restore's leftovers */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, errlen, "could not create %s: %s", tmp, strerror(errno));
        return false;
    }
    bool written = unpack_file(path, gzip, fd, tmp, p, 10, 80, err, errlen);
    if (written && fsync(fd) != 0) {
        err_set(err, errlen, "could not fsync %s: %s", tmp, strerror(errno));
        written = false;
    }
    if (close(fd) != 0 && written) {
        err_set(err, errlen, "could not write %s: %s", tmp, strerror(errno));
        written = false;
    }
    if (!written)
        goto fail;
    report_progress(p, 80, "integrity check");
    if (!check_db(tmp, NULL, 0, err, errlen))
        goto fail;
    /* The old database's WAL or hot journal would be applied to the new file: remove them
     * first (every connection to dest_path is closed). */
    for (size_t i = 0; i < ARRAY_SIZE(leftovers); i++) {
        snprintf(side, sizeof(side), "%s%s", dest_path, leftovers[i]);
        if (unlink(side) != 0 && errno != ENOENT) {
            err_set(err, errlen, "could not remove %s: %s", side, strerror(errno));
            goto fail;
        }
    }
    if (rename(tmp, dest_path) != 0) {
        err_set(err, errlen, "could not rename %s to %s: %s", tmp, dest_path, strerror(errno));
        goto fail;
    }
    if (!fsync_dir_of(dest_path, false, err, errlen))
        return false; /* renamed: the database is the backup's already */
    report_progress(p, 100, "restored");
    return true;
fail:
    unlink_db_files(tmp);
    return false;
}

/* --- leftovers -------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int backup_clean_partial(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        /* *.partial, and what SQLite may have left beside a scratch copy it had open. */
        if (!ends_with(e->d_name, ".partial") && !ends_with(e->d_name, ".partial-wal") &&
            !ends_with(e->d_name, ".partial-shm") && !ends_with(e->d_name, ".partial-journal"))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
    }
    closedir(d);
    return n;
}
