/*
 * Backups (DESIGN.md section 7): the parts that do not depend on the proxy. A backup is a
 * file and its manifest (JSON beside it) in backup_dir; both are written under a temporary
 * name, mode 0600, fsynced and renamed only once complete and checksummed, so a crash never
 * leaves a backup that looks valid. The console, the jobs, the schedule and the command line
 * drive these functions.
 */
#ifndef MYRMEX_BACKUP_BACKUP_H
#define MYRMEX_BACKUP_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* --- the manifest ----------------------------------------------------------------------- */

#define BACKUP_ID_MAX 64

enum backup_status { BACKUP_COMPLETE = 0, BACKUP_FAILED };

struct backup_manifest {
    char id[BACKUP_ID_MAX]; /* e.g. "app-20261125-101500-3f2a" (UTC; lower case): names the files
                               too */
    char database[64];
    char backend[16];                /* "sqlite" or "postgres" */
    char method[32];                 /* "sqlite-backup-api" or "pg_dump -Fc" */
    char label[256];                 /* BACKUP ... LABEL 'text', or "" */
    char file[256];                  /* the backup file's name, in the manifest's folder */
    char compression[16];            /* "gzip" or "none" */
    char sha256[65];                 /* of the backup file as stored, hex */
    char migration_version[64];      /* the database's schema version at the time, or "" */
    int64_t started_ms, finished_ms; /* wall clock, unix ms */
    int64_t bytes;                   /* the backup file's size */
    int64_t source_bytes;            /* the database's size as read */
    enum backup_status status;
    char error[512]; /* when failed */
};

/* Write m as JSON to dir/<id>.json: temporary name, 0600, fsync, rename, fsync of dir. */
bool backup_manifest_write(const char *dir, const struct backup_manifest *m, char *err,
                           size_t errlen);
/* Read and check one manifest (every field present and well-formed; a truncated or edited
 * file is an error that says what is wrong, never a crash). */
bool backup_manifest_read(const char *path, struct backup_manifest *m, char *err, size_t errlen);
/* The manifests of dir (for database db, or all when NULL), newest first; unreadable ones
 * are skipped and counted in *n_bad. The caller frees *out. */
int backup_manifest_list(const char *dir, const char *db, struct backup_manifest **out, int *n_bad);

/* --- schedule and retention ------------------------------------------------------------- */

/* A cron expression: five fields (minute hour day-of-month month day-of-week) with lists,
 * ranges, steps and names (jan..dec, sun..sat; 7 is Sunday), or @hourly, @daily (@midnight),
 * @weekly, @monthly, @yearly (@annually). Day of month and day of week combine as cron does:
 * when both are restricted, either may match. */
struct cron_spec {
    uint64_t minutes; /* bit m: 0..59 */
    uint32_t hours;   /* 0..23 */
    uint32_t mdays;   /* 1..31 */
    uint16_t months;  /* 1..12 */
    uint8_t wdays;    /* 0..6, Sunday 0 */
    bool mday_any, wday_any;
};
bool cron_parse(const char *text, struct cron_spec *out, char *err, size_t errlen);
/* The first time strictly after `after` (local time, to the minute) the spec matches; 0 when
 * none within five years (e.g. February 30). */
time_t cron_next(const struct cron_spec *spec, time_t after);

/* Which backups retention removes: given n manifests of one database newest first, keep the
 * newest keep_count complete ones (0: no count limit) and none older than keep_days days
 * before now (0: no age limit), but never the newest complete backup. Failed ones older than
 * the newest complete one go too. remove[i] is set for each to delete; returns how many. */
int backup_retention(const struct backup_manifest *m, int n, int keep_count, int keep_days,
                     int64_t now_ms, bool *remove);

/* --- SQLite --------------------------------------------------------------------------- */

struct backup_progress {
    void *arg;
    void (*progress)(void *arg, int percent, const char *line); /* may be NULL */
    bool (*cancelled)(void *arg);                               /* may be NULL */
};

/*
 * An online, consistent copy of the SQLite database at db_path through SQLite's backup API
 * from a connection of its own, in slices of pages with a pause between them so that writers
 * are not starved, into dir as <id>.db (or <id>.db.gz with gzip). Fills m (id, database,
 * backend, method, label, compression, file, sha256, bytes, times, status) and writes the
 * manifest. On failure nothing that looks complete is left: no final file, a manifest only
 * when one could say "failed". Files of a run killed midway are named *.partial.
 */
bool backup_sqlite(const char *db_path, const char *dir, const char *database, const char *label,
                   bool gzip, const struct backup_progress *p, struct backup_manifest *m, char *err,
                   size_t errlen);

/*
 * Check a backup: its file's SHA-256 against the manifest, then a trial restore into a
 * scratch file under scratch_dir with PRAGMA integrity_check and every table's row count
 * (report gets lines "table N"). false with why in err.
 */
bool backup_verify_sqlite(const char *dir, const struct backup_manifest *m, const char *scratch_dir,
                          const struct backup_progress *p, char *report, size_t reportlen,
                          char *err, size_t errlen);

/* Restore a backup into the file dest_path (written beside it, then renamed over it; the
 * caller holds the database's clients and closes its connections first). */
bool backup_restore_sqlite(const char *dir, const struct backup_manifest *m, const char *dest_path,
                           const struct backup_progress *p, char *err, size_t errlen);

/* Remove the *.partial files a killed run left in dir; returns how many. */
int backup_clean_partial(const char *dir);

#endif
