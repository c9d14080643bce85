/*
 * `myrmex migrate [options] status|up|down|validate|repair|baseline`: the console's migration
 * commands on the command line. When the proxy the configuration describes is running, the
 * command goes through its console (MIGRATE as a job, followed with WAIT JOB), so the
 * database's new transactions are held while a migration runs; when it is not, the engine
 * runs here, directly against the database (before the proxy starts, in a deploy step).
 * Progress is a bar on a terminal and plain lines otherwise; the result is printed as a table.
 * Exit code 0 on success, 1 when the action failed, 2 for usage or connection errors.
 */
#include <getopt.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli_int.h"
#include "config/config.h"
#include "core/proxy.h"
#include "migrate/migrate.h"
#include "sqlite/sqlite_server.h"
#include "util/util.h"

#define CLI_BAR_WIDTH 24

enum cli_mode { CLI_AUTO, CLI_DIRECT, CLI_PROXY };

struct cli_mig {
    bool tty;
    bool bar_shown;
    int n_cols;
    char **names;
    char **cells;
    size_t n_rows;
};

static void cli_migrate_usage(FILE *out)
{
    fprintf(out, "Usage: myrmex migrate [-c FILE] [-d DB] [--direct|--proxy] COMMAND\n"
                 "Apply the migrations of migrations_dir (V<version>__<description>.sql,\n"
                 "R__<description>.sql) to the configured databases.\n"
                 "  status              every migration's state (SHOW MIGRATIONS)\n"
                 "  up [--to VERSION] [--dry-run]\n"
                 "                      apply pending migrations (MIGRATE)\n"
                 "  down [N] [--dry-run] revert the last N applied migrations (default 1)\n"
                 "  validate            check applied migrations against their files\n"
                 "  repair VERSION      fix one history row: drop a failed attempt, accept an\n"
                 "                      edited file's checksum, or forget a deleted file\n"
                 "  baseline VERSION    mark an existing database as being at VERSION\n"
                 "  -c, --config FILE   configuration file (default: conf/myrmex.ini)\n"
                 "  -d, --database DB   one database (default: every one with migrations)\n"
                 "  -U, --user USER     console user when going through the proxy\n"
                 "      --direct        run here even when the proxy is running\n"
                 "      --proxy         go through the running proxy's console, or fail\n"
                 "Exit code: 0 done, 1 the action failed, 2 usage or connection error.\n");
}

static int cli_term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

/* One progress line: redraw the bar on a terminal, print the line otherwise. */
static void cli_progress_line(struct cli_mig *c, int percent, const char *line)
{
    if (!c->tty) {
        if (percent >= 0)
            fprintf(stderr, "[%3d%%] %s\n", percent, line);
        else
            fprintf(stderr, "%s\n", line);
        return;
    }
    if (percent < 0) {
        /* A message, not a step: print it above the bar. */
        fprintf(stderr, "\r\033[K%s\n", line);
        c->bar_shown = false;
        return;
    }
    {
        int width = cli_term_width(), fill = percent * CLI_BAR_WIDTH / 100;
        int room = width - CLI_BAR_WIDTH - 10;
        char bar[CLI_BAR_WIDTH + 1];
        memset(bar, '#', (size_t)fill);
        memset(bar + fill, '.', (size_t)(CLI_BAR_WIDTH - fill));
        bar[CLI_BAR_WIDTH] = '\0';
        fprintf(stderr, "\r\033[K[%s] %3d%% %.*s", bar, percent, room > 0 ? room : 0, line);
        c->bar_shown = true;
    }
    fflush(stderr);
}

static void cli_progress_end(struct cli_mig *c)
{
    if (c->tty && c->bar_shown)
        fputc('\n', stderr);
    c->bar_shown = false;
}

static void cli_hook_progress(void *arg, int percent, const char *line)
{
    cli_progress_line(arg, percent, line);
}

static void cli_hook_columns(void *arg, int n, const char *const *names)
{
    struct cli_mig *c = arg;
    if (c->names)
        return;
    c->n_cols = n;
    c->names = xcalloc((size_t)n, sizeof(*c->names));
    for (int i = 0; i < n; i++)
        c->names[i] = xstrdup(names[i]);
}

static void cli_hook_row(void *arg, const char *const *values)
{
    struct cli_mig *c = arg;
    c->cells = xrealloc(c->cells, (c->n_rows + 1) * (size_t)c->n_cols * sizeof(*c->cells));
    for (int i = 0; i < c->n_cols; i++)
        c->cells[c->n_rows * (size_t)c->n_cols + (size_t)i] = values[i] ? xstrdup(values[i]) : NULL;
    c->n_rows++;
}

static void cli_mig_print(struct cli_mig *c)
{
    if (c->names)
        cli_table_print(c->n_cols, (int)c->n_rows, (const char *const *)c->names,
                        (const char *const *)c->cells, NULL);
    for (size_t i = 0; i < c->n_rows * (size_t)c->n_cols; i++)
        free(c->cells[i]);
    for (int i = 0; i < c->n_cols; i++)
        free(c->names[i]);
    free(c->cells);
    free(c->names);
    c->cells = NULL;
    c->names = NULL;
    c->n_rows = 0;
}

/* The engine here, on every target. */
static int cli_migrate_direct(struct config *cfg, const char *db, const struct mig_options *o,
                              struct cli_mig *c)
{
    struct mig_hooks h = {
        .arg = c, .progress = cli_hook_progress, .columns = cli_hook_columns, .row = cli_hook_row};
    struct mig_target *t = xcalloc(cfg->n_dbs + 1, sizeof(*t));
    size_t n = 0;
    int rc = 0;

    /* The SQLite backend reads its settings (busy timeout, synchronous) from here. */
    atomic_store(&proxy.cfg, cfg);
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        if (db && strcmp(cfg->dbs[i].name, db) != 0)
            continue;
        if (!mig_target_init(&t[n], cfg, &cfg->dbs[i]))
            continue;
        if (db || mig_target_has_dir(&t[n]))
            n++;
        else
            mig_target_free(&t[n]);
    }
    if (db && n == 0) {
        fprintf(stderr, "myrmex migrate: no such database with migrations: %s\n", db);
        rc = 2;
    } else if (n != 1 && o->action != MIG_STATUS && o->action != MIG_UP &&
               o->action != MIG_VALIDATE) {
        fprintf(stderr,
                "myrmex migrate: name the database with -d: %zu databases have "
                "migrations\n",
                n);
        rc = 2;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct mig_error err;
        if (!mig_run(&t[i], o, &h, &err)) {
            cli_progress_end(c);
            fprintf(stderr, "myrmex migrate: ERROR: %s: %s\n", err.sqlstate, err.message);
            rc = 1;
        }
    }
    cli_progress_end(c);
    cli_mig_print(c);
    for (size_t i = 0; i < n; i++)
        mig_target_free(&t[i]);
    free(t);
    sqlite_server_shutdown(5000);
    atomic_store(&proxy.cfg, NULL);
    return rc;
}

/* A NOTICE of WAIT JOB: one progress line, its percent in the DETAIL "progress: N%". */
static void cli_notice(void *arg, const PGresult *res)
{
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    int percent = -1;
    if (detail && strncmp(detail, "progress: ", 10) == 0)
        percent = atoi(detail + 10);
    if (msg && strncmp(msg, "job ", 4) == 0 && strstr(msg, "WAIT JOB"))
        return; /* "job N queued; WAIT JOB N to follow it": we do */
    cli_progress_line(arg, percent, msg ? msg : "");
}

/* Run one console command; the result (a table) is printed unless quiet. Returns the first
 * cell of the result in first (when given), false after printing the error. */
static bool cli_console_run(PGconn *conn, const char *sql, struct cli_mig *c, char *first,
                            size_t firstlen)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK;
    cli_progress_end(c);
    if (!ok) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        fprintf(stderr, "myrmex migrate: ERROR: %s: %s\n", state ? state : "08006",
                msg ? msg : PQerrorMessage(conn));
    } else if (first) {
        snprintf(first, firstlen, "%s",
                 PQntuples(res) > 0 && PQnfields(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    } else if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        cli_print_result(res);
    }
    PQclear(res);
    return ok;
}

/* The console command for o (on db, or every database). */
static void cli_command(const char *db, const struct mig_options *o, char *out, size_t outlen)
{
    const char *d = db ? db : "";
    switch (o->action) {
    case MIG_STATUS:
        snprintf(out, outlen, "SHOW MIGRATIONS %s", d);
        break;
    case MIG_UP:
        snprintf(out, outlen, "MIGRATE %s%s%s%s", d, o->to_version ? " TO " : "",
                 o->to_version ? o->to_version : "", o->dry_run ? " DRY RUN" : "");
        break;
    case MIG_DOWN:
        snprintf(out, outlen, "MIGRATE DOWN %s %d%s", d, o->down_count,
                 o->dry_run ? " DRY RUN" : "");
        break;
    case MIG_VALIDATE:
        snprintf(out, outlen, "MIGRATE VALIDATE %s", d);
        break;
    case MIG_REPAIR: /* a 'string': a script name has dots (no quote in it: checked) */
        snprintf(out, outlen, "MIGRATE REPAIR %s '%s'", d, o->version);
        break;
    case MIG_BASELINE:
        snprintf(out, outlen, "MIGRATE BASELINE %s '%s'", d, o->version);
        break;
    }
}

static int cli_migrate_proxy(PGconn *conn, const char *db, const struct mig_options *o,
                             struct cli_mig *c)
{
    char sql[512], id[32];
    if (db && strpbrk(db, "\"'; \t\n")) {
        fprintf(stderr, "myrmex migrate: bad database name: %s\n", db);
        return 2;
    }
    PQsetNoticeReceiver(conn, cli_notice, c);
    cli_command(db, o, sql, sizeof(sql));
    if (o->action == MIG_STATUS)
        return cli_console_run(conn, sql, c, NULL, 0) ? 0 : 1;
    if (!cli_console_run(conn, sql, c, id, sizeof(id)))
        return 1;
    snprintf(sql, sizeof(sql), "WAIT JOB %s", id);
    return cli_console_run(conn, sql, c, NULL, 0) ? 0 : 1;
}

int cli_migrate_main(int argc, char **argv)
{
    enum { OPT_DIRECT = 1000, OPT_PROXY, OPT_TO, OPT_DRY };
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"database", required_argument, NULL, 'd'},
                                             {"user", required_argument, NULL, 'U'},
                                             {"direct", no_argument, NULL, OPT_DIRECT},
                                             {"proxy", no_argument, NULL, OPT_PROXY},
                                             {"to", required_argument, NULL, OPT_TO},
                                             {"dry-run", no_argument, NULL, OPT_DRY},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = "conf/myrmex.ini", *db = NULL, *user = NULL, *verb;
    enum cli_mode mode = CLI_AUTO;
    struct mig_options o = {.action = MIG_STATUS, .down_count = 1};
    struct cli_mig c = {.tty = isatty(STDERR_FILENO) == 1};
    char err[1024], admin[128], to[64], version[64];
    struct config *cfg;
    PGconn *conn = NULL;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:d:U:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'U':
            user = optarg;
            break;
        case OPT_DIRECT:
            mode = CLI_DIRECT;
            break;
        case OPT_PROXY:
            mode = CLI_PROXY;
            break;
        case OPT_TO:
            if (!mig_version_normalize(optarg, to, sizeof(to))) {
                fprintf(stderr, "myrmex migrate: not a version: %s\n", optarg);
                return 2;
            }
            o.to_version = to;
            break;
        case OPT_DRY:
            o.dry_run = true;
            break;
        case 'h':
            cli_migrate_usage(stdout);
            return 0;
        default:
            cli_migrate_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        cli_migrate_usage(stderr);
        return 2;
    }
    verb = argv[optind++];
    if (strcmp(verb, "status") == 0) {
        o.action = MIG_STATUS;
    } else if (strcmp(verb, "up") == 0) {
        o.action = MIG_UP;
    } else if (strcmp(verb, "down") == 0) {
        o.action = MIG_DOWN;
        if (optind < argc) {
            char *end;
            long n = strtol(argv[optind], &end, 10);
            if (n <= 0 || n > 1000000 || *end) {
                fprintf(stderr, "myrmex migrate: down takes a count: %s\n", argv[optind]);
                return 2;
            }
            o.down_count = (int)n;
            optind++;
        }
    } else if (strcmp(verb, "validate") == 0) {
        o.action = MIG_VALIDATE;
    } else if (strcmp(verb, "repair") == 0 || strcmp(verb, "baseline") == 0) {
        o.action = verb[0] == 'r' ? MIG_REPAIR : MIG_BASELINE;
        if (optind >= argc ||
            (!mig_version_normalize(argv[optind], version, sizeof(version)) &&
             (o.action == MIG_BASELINE || !argv[optind][0] || strchr(argv[optind], '\'')))) {
            fprintf(stderr, "myrmex migrate: %s takes a version (e.g. 3 or 1.2)%s\n", verb,
                    o.action == MIG_REPAIR ? " or a repeatable migration's script" : "");
            return 2;
        }
        o.version = argv[optind]; /* the engine reads versions and scripts alike */
        optind++;
    } else {
        fprintf(stderr, "myrmex migrate: unknown command: %s\n", verb);
        cli_migrate_usage(stderr);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "myrmex migrate: unexpected argument: %s\n", argv[optind]);
        return 2;
    }
    if ((o.to_version || o.dry_run) && o.action != MIG_UP && !(o.dry_run && o.action == MIG_DOWN)) {
        fprintf(stderr, "myrmex migrate: --to is for up, --dry-run for up and down\n");
        return 2;
    }
    cfg = config_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "myrmex migrate: %s\n", err);
        return 2;
    }
    if (!cfg->migrations_dir || !cfg->migrations_dir[0]) {
        fprintf(stderr, "myrmex migrate: migrations are off in %s: set migrations_dir\n", path);
        config_destroy(cfg);
        return 2;
    }
    if (mode != CLI_DIRECT) {
        if (!user && cli_first_admin(cfg, admin, sizeof(admin)))
            user = admin;
        if (user)
            conn = cli_console_connect(cfg, user, "myrmex-migrate");
        if (conn && PQstatus(conn) != CONNECTION_OK && mode == CLI_AUTO &&
            !strstr(PQerrorMessage(conn), "Connection refused") &&
            !strstr(PQerrorMessage(conn), "No such file or directory")) {
            /* A proxy answers but the console refuses us: running behind its back would
             * skip the pause its clients rely on. */
            fprintf(stderr,
                    "myrmex migrate: the proxy's console refused the connection: %s"
                    "(use --direct to migrate without the proxy)\n",
                    PQerrorMessage(conn));
            PQfinish(conn);
            config_destroy(cfg);
            return 2;
        }
        if (!conn || PQstatus(conn) != CONNECTION_OK) {
            if (mode == CLI_PROXY) {
                fprintf(stderr, "myrmex migrate: could not connect to the console: %s",
                        conn ? PQerrorMessage(conn) : "no admin user (set admin_users or -U)\n");
                PQfinish(conn);
                config_destroy(cfg);
                return 2;
            }
            PQfinish(conn);
            conn = NULL;
        }
    }
    if (conn) {
        rc = cli_migrate_proxy(conn, db, &o, &c);
        PQfinish(conn);
    } else {
        char runner[128], host[64] = "?";
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(runner, sizeof(runner), "myrmex migrate %d on %s", (int)getpid(), host);
        o.runner = runner;
        o.lock_wait_ms = cfg->migrations_lock_wait_ms;
        o.pause_max_ms = cfg->migrations_pause_max_ms;
        if (mode == CLI_AUTO)
            fprintf(stderr, "myrmex migrate: %s; running directly on the database\n",
                    user ? "no proxy console answers"
                         : "no admin_users to reach a proxy's console");
        rc = cli_migrate_direct(cfg, db, &o, &c);
    }
    config_destroy(cfg);
    return rc;
}
