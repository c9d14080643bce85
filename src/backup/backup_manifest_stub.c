/*
 * A minimal stand-in for backup_manifest.c's backup_manifest_write, linked only into
 * test_backup_sqlite until the real manifest module is merged (then this file goes away and
 * the test links the library's). It writes the fields as flat JSON the same careful way:
 * temporary name, 0600, fsync, rename, fsync of the folder. Strings are written unescaped
 * except for quotes and backslashes, which is all the tests put in them.
 */
#include "backup/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void put_str(FILE *f, const char *key, const char *v, bool last)
{
    fprintf(f, "  \"%s\": \"", key);
    for (const char *s = v; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fprintf(f, "\"%s\n", last ? "" : ",");
}

bool backup_manifest_write(const char *dir, const struct backup_manifest *m, char *err,
                           size_t errlen)
{
    char tmp[PATH_MAX], path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s.json", dir, m->id);
    snprintf(tmp, sizeof(tmp), "%s/%s.json.partial", dir, m->id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "could not create %s: %s", tmp, strerror(errno));
        return false;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "fdopen: %s", strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    fprintf(f, "{\n");
    put_str(f, "id", m->id, false);
    put_str(f, "database", m->database, false);
    put_str(f, "backend", m->backend, false);
    put_str(f, "method", m->method, false);
    put_str(f, "label", m->label, false);
    put_str(f, "file", m->file, false);
    put_str(f, "compression", m->compression, false);
    put_str(f, "sha256", m->sha256, false);
    put_str(f, "migration_version", m->migration_version, false);
    fprintf(f, "  \"started_ms\": %" PRId64 ",\n  \"finished_ms\": %" PRId64 ",\n", m->started_ms,
            m->finished_ms);
    fprintf(f, "  \"bytes\": %" PRId64 ",\n  \"source_bytes\": %" PRId64 ",\n", m->bytes,
            m->source_bytes);
    put_str(f, "status", m->status == BACKUP_COMPLETE ? "complete" : "failed", false);
    put_str(f, "error", m->error, true);
    fprintf(f, "}\n");
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errlen, "could not write %s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}
