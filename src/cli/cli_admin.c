/*
 * `myrmex admin [-c FILE] [-U USER] COMMAND...`: connects with libpq to the console (database
 * myrmex) of the proxy the configuration file describes, runs each COMMAND and prints its
 * result sets as psql's aligned tables. NOTICEs go to stderr; an error is printed as
 * "myrmex admin: ERROR: <sqlstate>: <message>" and ends the run with exit code 1.
 */
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli_int.h"
#include "config/config.h"
#include "util/util.h"

#define CLI_INT8OID 20
#define CLI_INT4OID 23
#define CLI_INT2OID 21

static void cli_admin_usage(FILE *out)
{
    fprintf(out, "Usage: myrmex admin [-c FILE] [-U USER] COMMAND...\n"
                 "Run console commands (SHOW POOLS, CHECK DATABASES, WAIT JOB 1, ...) on the\n"
                 "running proxy that FILE configures, and print the results as tables.\n"
                 "  -c, --config FILE  configuration file (default: conf/myrmex.ini)\n"
                 "  -U, --user USER    console user (default: the first of admin_users)\n"
                 "  -h, --help         show this help\n"
                 "The password comes from PGPASSWORD or ~/.pgpass, else from a plain-text\n"
                 "auth_file entry for USER.\n");
}

static void cli_admin_notice(void *arg, const PGresult *res)
{
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    (void)arg;
    fprintf(stderr, "%s: %s\n", sev ? sev : "NOTICE", msg ? msg : "");
    if (detail && strncmp(detail, "progress: ", 10) != 0) /* a job's percent (WAIT JOB) */
        fprintf(stderr, "DETAIL: %s\n", detail);
}

/* Display width of a UTF-8 string: code points, not bytes. */
static int cli_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void cli_pad(int n)
{
    for (int i = 0; i < n; i++)
        putchar(' ');
}

void cli_table_print(int nf, int nt, const char *const *names, const char *const *cells,
                     const bool *right)
{
    int *w = xcalloc((size_t)(nf ? nf : 1), sizeof(int));

    for (int c = 0; c < nf; c++) {
        w[c] = cli_width(names[c]);
        for (int r = 0; r < nt; r++) {
            const char *v = cells[(size_t)r * nf + c];
            int cw = cli_width(v ? v : "");
            if (cw > w[c])
                w[c] = cw;
        }
    }
    for (int c = 0; c < nf; c++) {
        int name = cli_width(names[c]), left = (w[c] - name) / 2;
        printf("%s ", c ? "|" : "");
        cli_pad(left);
        fputs(names[c], stdout);
        cli_pad(w[c] - name - left + 1);
    }
    putchar('\n');
    for (int c = 0; c < nf; c++) {
        printf("%s", c ? "+" : "");
        for (int i = 0; i < w[c] + 2; i++)
            putchar('-');
    }
    putchar('\n');
    for (int r = 0; r < nt; r++) {
        for (int c = 0; c < nf; c++) {
            const char *v = cells[(size_t)r * nf + c];
            int pad;
            v = v ? v : "";
            pad = w[c] - cli_width(v);
            printf("%s ", c ? "|" : "");
            if (right && right[c])
                cli_pad(pad);
            fputs(v, stdout);
            if (!(right && right[c]) && c < nf - 1)
                cli_pad(pad);
            if (c < nf - 1)
                putchar(' ');
        }
        putchar('\n');
    }
    printf("(%d row%s)\n\n", nt, nt == 1 ? "" : "s");
    free(w);
}

void cli_print_result(const PGresult *res)
{
    int nf = PQnfields(res), nt = PQntuples(res);
    const char **names = xcalloc((size_t)nf + 1, sizeof(*names));
    const char **cells = xcalloc((size_t)nf * (size_t)nt + 1, sizeof(*cells));
    bool *right = xcalloc((size_t)nf + 1, sizeof(*right));

    for (int c = 0; c < nf; c++) {
        Oid t = PQftype(res, c);
        names[c] = PQfname(res, c);
        right[c] = t == CLI_INT8OID || t == CLI_INT4OID || t == CLI_INT2OID;
        for (int r = 0; r < nt; r++)
            cells[(size_t)r * nf + c] = PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c);
    }
    cli_table_print(nf, nt, names, cells, right);
    free(names);
    free(cells);
    free(right);
}

/* Run one command string; false after printing its error. */
static bool cli_admin_run(PGconn *conn, const char *sql)
{
    PGresult *res;
    bool ok = true;

    if (!PQsendQuery(conn, sql)) {
        fprintf(stderr, "myrmex admin: %s", PQerrorMessage(conn));
        return false;
    }
    while ((res = PQgetResult(conn))) {
        switch (PQresultStatus(res)) {
        case PGRES_TUPLES_OK:
            cli_print_result(res);
            break;
        case PGRES_COMMAND_OK:
            if (PQcmdStatus(res)[0])
                printf("%s\n", PQcmdStatus(res));
            break;
        case PGRES_EMPTY_QUERY:
            break;
        default: {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            if (ok)
                fprintf(stderr, "myrmex admin: ERROR: %s: %s\n", state ? state : "XX000",
                        msg ? msg : PQresultErrorMessage(res));
            ok = false;
            break;
        }
        }
        PQclear(res);
    }
    fflush(stdout);
    return ok;
}

static PGconn *cli_admin_connect(const struct config *cfg, const char *user, const char *password,
                                 const char *application_name)
{
    char port[16];
    const char *host =
        cfg->unix_socket_dir && cfg->unix_socket_dir[0] ? cfg->unix_socket_dir : cfg->listen_addr;
    const char *keys[] = {"host", "port", "dbname", "user", "password", "application_name", NULL};
    const char *vals[] = {host, port, "myrmex", user, password, application_name, NULL};

    if (!host || !host[0] || strcmp(host, "*") == 0)
        host = "127.0.0.1";
    vals[0] = host;
    snprintf(port, sizeof(port), "%d", cfg->listen_port);
    if (!password) {
        keys[4] = "application_name";
        vals[4] = application_name;
        keys[5] = NULL;
    }
    return PQconnectdbParams(keys, vals, 0);
}

PGconn *cli_console_connect(const struct config *cfg, const char *user,
                            const char *application_name)
{
    PGconn *conn = cli_admin_connect(cfg, user, NULL, application_name);
    if (PQstatus(conn) != CONNECTION_OK && PQconnectionNeedsPassword(conn)) {
        /* Neither PGPASSWORD nor ~/.pgpass knew it: a plain auth_file secret may. */
        const char *secret = config_find_secret(cfg, user);
        if (secret && strncmp(secret, "SCRAM-SHA-256$", 14) != 0 &&
            !(strncmp(secret, "md5", 3) == 0 && strlen(secret) == 35)) {
            PQfinish(conn);
            conn = cli_admin_connect(cfg, user, secret, application_name);
        }
    }
    return conn;
}

bool cli_first_admin(const struct config *cfg, char *out, size_t outlen)
{
    const char *a = cfg->admin_users ? cfg->admin_users : "";
    size_t n;
    a += strspn(a, " \t,");
    n = strcspn(a, " \t,");
    snprintf(out, outlen, "%.*s", (int)n, a);
    return out[0] != '\0';
}

int cli_admin_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"user", required_argument, NULL, 'U'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = NULL, *user = NULL;
    char first_admin[128], err[1024];
    struct config *cfg;
    PGconn *conn;
    int opt, rc = 0;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:U:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'U':
            user = optarg;
            break;
        case 'h':
            cli_admin_usage(stdout);
            return 0;
        default:
            cli_admin_usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        cli_admin_usage(stderr);
        return 2;
    }
    if (!path)
        path = "conf/myrmex.ini";
    cfg = config_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "myrmex admin: %s\n", err);
        return 2;
    }
    if (!user) {
        cli_first_admin(cfg, first_admin, sizeof(first_admin));
        user = first_admin;
    }
    if (!user[0]) {
        fprintf(stderr, "myrmex admin: no user: pass -U or set admin_users in %s\n", path);
        config_destroy(cfg);
        return 2;
    }
    conn = cli_console_connect(cfg, user, "myrmex-admin");
    config_destroy(cfg);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "myrmex admin: could not connect to the console: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 2;
    }
    PQsetNoticeReceiver(conn, cli_admin_notice, NULL);
    for (int i = optind; i < argc && rc == 0; i++)
        if (!cli_admin_run(conn, argv[i]))
            rc = 1;
    PQfinish(conn);
    return rc;
}
