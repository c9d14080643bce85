/*
 * The console's backup commands (DESIGN.md sections 4 and 7), on SQLite databases:
 *   BACKUP [db] [LABEL 'text']   a job: an online copy through SQLite's backup API
 *   SHOW BACKUPS [db]            the manifests in backup_dir, newest first (inline)
 *   VERIFY BACKUP id             a job: checksum, trial restore, integrity check, row counts
 *   DELETE BACKUP id             the manifest, then the file (inline)
 * A backup of a database takes the database's migration lock (mig_sqlite_lock), so backups
 * and migrations of one database never run at the same time, across processes too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "admin/admin_parse.h"
#include "admin/jobs.h"
#include "admin_int.h"
#include "backup/backup.h"
#include "core/proxy.h"
#include "migrate/migrate.h"
#include "util/log.h"
#include "util/util.h"

struct bk_job {
    char *database, *sqlite_path, *dir, *label, *id;
    bool gzip;
    int64_t lock_wait_ms;
    char runner[128];
    struct job *job;
};

static void bk_job_free(void *p)
{
    struct bk_job *a = p;
    free(a->database);
    free(a->sqlite_path);
    free(a->dir);
    free(a->label);
    free(a->id);
    free(a);
}

static void bk_progress(void *arg, int percent, const char *line)
{
    struct bk_job *a = arg;
    job_progress(a->job, percent, "%s", line);
}

static bool bk_cancelled(void *arg)
{
    struct bk_job *a = arg;
    return job_cancelled(a->job);
}

/* The database's migration version: the highest version applied with success, or "". */
static void bk_migration_version(const char *path, char *out, size_t outlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(
            db, "SELECT version FROM " MIG_HISTORY_TABLE " WHERE success AND version IS NOT NULL",
            -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(st, 0);
            if (v && (!out[0] || mig_version_cmp(v, out) > 0))
                snprintf(out, outlen, "%s", v);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

bool admin_backup_sqlite_now(struct job *job, const char *database, const char *sqlite_path,
                             const char *dir, const char *label, bool gzip, int64_t lock_wait_ms,
                             const char *runner, struct backup_manifest *m, char *sqlstate,
                             char *err, size_t errlen)
{
    struct bk_job a = {.job = job};
    struct backup_progress p = {.arg = &a, .progress = bk_progress, .cancelled = bk_cancelled};
    struct mig_hooks h = {.arg = &a, .progress = bk_progress, .cancelled = bk_cancelled};
    int lock =
        mig_sqlite_lock(sqlite_path, database, runner, lock_wait_ms, &h, sqlstate, err, errlen);
    bool ok;

    if (lock < 0)
        return false;
    memset(m, 0, sizeof(*m));
    bk_migration_version(sqlite_path, m->migration_version, sizeof(m->migration_version));
    ok = backup_sqlite(sqlite_path, dir, database, label, gzip, &p, m, err, errlen);
    close(lock);
    if (!ok)
        snprintf(sqlstate, 6, "%s", job_cancelled(job) ? "57014" : "58030");
    else
        log_info("backup %s of database %s: %s, %lld bytes", m->id, m->database, m->file,
                 (long long)m->bytes);
    return ok;
}

static bool bk_run_backup(struct job *job, void *arg)
{
    struct bk_job *a = arg;
    struct backup_manifest m;
    char sqlstate[6], err[800], bytes[32], ms[32];

    a->job = job;
    if (!admin_backup_sqlite_now(job, a->database, a->sqlite_path, a->dir, a->label, a->gzip,
                                 a->lock_wait_ms, a->runner, &m, sqlstate, err, sizeof(err))) {
        job_fail(job, sqlstate, "%s", err);
        return false;
    }
    snprintf(bytes, sizeof(bytes), "%lld", (long long)m.bytes);
    snprintf(ms, sizeof(ms), "%lld", (long long)(m.finished_ms - m.started_ms));
    job_columns(job, "sssssss", "id", "database", "file", "bytes", "duration_ms", "sha256",
                "migration_version");
    job_row(job, m.id, m.database, m.file, bytes, ms, m.sha256, m.migration_version);
    return true;
}

static bool bk_dir(struct admin_result *r, const char **dir)
{
    const struct config *cfg = proxy_config();
    if (!cfg->backup_dir || !cfg->backup_dir[0]) {
        admin_result_error(r, "55000", "backups are off: set backup_dir");
        return false;
    }
    *dir = cfg->backup_dir;
    return true;
}

void admin_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                  struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    const struct db_config *db = NULL;
    const char *dir, *label = NULL;
    struct bk_job *a;
    int i = 0, id;
    char err[128], name[96];

    if (!bk_dir(r, &dir))
        return;
    if (i < cmd->n_words && !cmd->string[i] && strcmp(cmd->words[i], "label") != 0) {
        db = config_find_db(cfg, cmd->words[i]);
        if (!db || db->backend == DB_BACKEND_ADMIN) {
            admin_result_error(r, "3D000", "no such database: %s", cmd->words[i]);
            return;
        }
        i++;
    }
    if (i < cmd->n_words && !cmd->string[i] && strcmp(cmd->words[i], "label") == 0 &&
        i + 1 < cmd->n_words && cmd->string[i + 1]) {
        label = cmd->words[i + 1];
        i += 2;
    }
    if (i != cmd->n_words) {
        admin_result_error(r, "42601", "bad arguments: BACKUP [db] [LABEL 'text']");
        return;
    }
    if (!db) {
        size_t n = 0;
        for (size_t k = 0; k < cfg->n_dbs; k++)
            if (cfg->dbs[k].backend != DB_BACKEND_ADMIN) {
                db = &cfg->dbs[k];
                n++;
            }
        if (n != 1) {
            admin_result_error(r, "42601", "name the database: BACKUP db (%zu are configured)", n);
            return;
        }
    }
    if (db->backend != DB_BACKEND_SQLITE) {
        admin_result_error(r, "0A000",
                           "BACKUP of PostgreSQL database %s (pg_dump) is not available yet",
                           db->name);
        return;
    }
    a = xcalloc(1, sizeof(*a));
    a->database = xstrdup(db->name);
    a->sqlite_path = xstrdup(db->sqlite_path);
    a->dir = xstrdup(dir);
    a->label = xstrdup(label ? label : "");
    a->gzip = cfg->backup_compress;
    a->lock_wait_ms = cfg->migrations_lock_wait_ms;
    {
        char host[64] = "?";
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(a->runner, sizeof(a->runner), "myrmex %d on %s (backup)", (int)getpid(), host);
    }
    snprintf(name, sizeof(name), "backup");
    id = jobs_submit(name, db->name, bk_run_backup, a, bk_job_free, err, sizeof(err));
    if (id < 0) {
        admin_result_error(r, "57P01", "%s", err);
        return;
    }
    admin_submitted(ctx, r, id);
}

void admin_show_backups(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r)
{
    const char *dir, *db = cmd->n_words > 1 ? cmd->words[1] : NULL;
    struct backup_manifest *m = NULL;
    int n, bad = 0;

    (void)ctx;
    if (admin_too_many_words(cmd, 2, r) || !bk_dir(r, &dir))
        return;
    n = backup_manifest_list(dir, db, &m, &bad);
    admin_result_columns(r, "ssssssTTqqssss", "id", "database", "backend", "method", "label",
                         "status", "started", "finished", "duration_ms", "bytes", "compression",
                         "sha256", "migration_version", "error");
    for (int i = 0; i < n; i++)
        admin_result_row(r, m[i].id, m[i].database, m[i].backend, m[i].method, m[i].label,
                         m[i].status == BACKUP_COMPLETE ? "complete" : "failed", m[i].started_ms,
                         m[i].finished_ms, (int64_t)(m[i].finished_ms - m[i].started_ms),
                         m[i].bytes, m[i].compression, m[i].sha256, m[i].migration_version,
                         m[i].error[0] ? m[i].error : NULL);
    free(m);
    if (bad > 0) {
        char note[160];
        snprintf(note, sizeof(note),
                 "%d manifest%s in %s could not be read (VERIFY or DELETE names them)", bad,
                 bad == 1 ? "" : "s", dir);
        admin_result_notice(r, note, NULL);
    }
}

/* The manifest of backup id in dir; false with the error in r. */
static bool bk_find(const char *dir, const char *id, struct backup_manifest *m,
                    struct admin_result *r)
{
    char path[4096], err[600];
    if (!id[0] || strchr(id, '/') || id[0] == '.') {
        admin_result_error(r, "22023", "not a backup id: %s", id);
        return false;
    }
    snprintf(path, sizeof(path), "%s/%s.json", dir, id);
    if (access(path, F_OK) != 0) {
        admin_result_error(r, "42704", "backup %s does not exist", id);
        return false;
    }
    if (!backup_manifest_read(path, m, err, sizeof(err))) {
        admin_result_error(r, "XX001", "backup %s: %s", id, err);
        return false;
    }
    return true;
}

static bool bk_run_verify(struct job *job, void *arg)
{
    struct bk_job *a = arg;
    struct backup_progress p = {.arg = a, .progress = bk_progress, .cancelled = bk_cancelled};
    struct backup_manifest m;
    char path[4096], err[800], report[8192];

    a->job = job;
    snprintf(path, sizeof(path), "%s/%s.json", a->dir, a->id);
    if (!backup_manifest_read(path, &m, err, sizeof(err))) {
        job_fail(job, "XX001", "backup %s: %s", a->id, err);
        return false;
    }
    if (m.status != BACKUP_COMPLETE) {
        job_fail(job, "55000", "backup %s did not complete: %s", a->id, m.error);
        return false;
    }
    if (strcmp(m.backend, "sqlite") != 0) {
        job_fail(job, "0A000", "VERIFY of a %s backup is not available yet", m.backend);
        return false;
    }
    report[0] = '\0';
    if (!backup_verify_sqlite(a->dir, &m, a->dir, &p, report, sizeof(report), err, sizeof(err))) {
        job_fail(job, "XX001", "backup %s: %s", a->id, err);
        return false;
    }
    job_columns(job, "ss", "table", "rows");
    for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strrchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        job_row(job, line, sp + 1);
    }
    job_progress(job, 100, "backup %s: checksum, integrity check and trial restore are good",
                 a->id);
    return true;
}

void admin_verify_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r)
{
    const char *dir;
    struct backup_manifest m;
    struct bk_job *a;
    char err[128];
    int id;

    if (cmd->n_words != 2 || strcmp(cmd->words[0], "backup") != 0) {
        admin_result_error(r, "42601", "bad arguments: VERIFY BACKUP id");
        return;
    }
    if (!bk_dir(r, &dir) || !bk_find(dir, cmd->words[1], &m, r))
        return;
    a = xcalloc(1, sizeof(*a));
    a->dir = xstrdup(dir);
    a->id = xstrdup(cmd->words[1]);
    id = jobs_submit("verify backup", m.database, bk_run_verify, a, bk_job_free, err, sizeof(err));
    if (id < 0) {
        admin_result_error(r, "57P01", "%s", err);
        return;
    }
    admin_submitted(ctx, r, id);
}

void admin_delete_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r)
{
    static const char *const files[] = {".db.gz", ".db"};
    const char *dir, *id;
    struct backup_manifest m;
    char path[4096], err[600];
    bool readable;

    (void)ctx;
    if (cmd->n_words != 2 || strcmp(cmd->words[0], "backup") != 0) {
        admin_result_error(r, "42601", "bad arguments: DELETE BACKUP id");
        return;
    }
    if (!bk_dir(r, &dir))
        return;
    id = cmd->words[1];
    if (!id[0] || strchr(id, '/') || id[0] == '.') {
        admin_result_error(r, "22023", "not a backup id: %s", id);
        return;
    }
    snprintf(path, sizeof(path), "%s/%s.json", dir, id);
    if (access(path, F_OK) != 0) {
        admin_result_error(r, "42704", "backup %s does not exist", id);
        return;
    }
    /* A manifest that cannot be read (truncated, edited) can still be deleted: its files are
     * the id's. The manifest goes first: a crash in between leaves a file no listing trusts. */
    readable = backup_manifest_read(path, &m, err, sizeof(err));
    if (unlink(path) != 0) {
        admin_result_error(r, "58030", "cannot remove %s: %s", path, strerror(errno));
        return;
    }
    if (readable && m.file[0] && !strchr(m.file, '/')) {
        snprintf(path, sizeof(path), "%s/%s", dir, m.file);
        if (unlink(path) != 0 && errno != ENOENT)
            log_warning("DELETE BACKUP %s: cannot remove %s: %s", id, path, strerror(errno));
    } else {
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s%s", dir, id, files[i]);
            if (unlink(path) != 0 && errno != ENOENT)
                log_warning("DELETE BACKUP %s: cannot remove %s: %s", id, path, strerror(errno));
        }
    }
    log_info("backup %s deleted%s", id, readable ? "" : " (its manifest could not be read)");
    admin_result_tag(r, "DELETE BACKUP");
}
