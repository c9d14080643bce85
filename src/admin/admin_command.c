/*
 * Console commands: who may run what, and the commands that need no connection state.
 * admin_users run everything; stats_users only SHOW (and the harmless SETs of session
 * parameters drivers send at connect, which are acknowledged and ignored as PgBouncer does).
 * Commands PgBouncer has and myrmex does not yet are refused with 0A000, never mistaken for
 * syntax errors; anything else is 42601 with PgBouncer's text.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin/admin_parse.h"
#include "admin_int.h"
#include "config.h"
#include "core/control.h"
#include "core/proxy.h"

/* Session parameters drivers set or read at connect; the console has no session. */
static const struct {
    const char *name, *value;
} admin_fake_params[] = {
    {"client_encoding", "UTF8"},
    {"default_transaction_isolation", "read committed"},
    {"standard_conforming_strings", "on"},
    {"datestyle", "ISO"},
    {"timezone", "UTC"},
    {"extra_float_digits", "2"},
    {"application_name", ""},
};

static const char *admin_fake_param(const char *name)
{
    for (size_t i = 0; i < sizeof(admin_fake_params) / sizeof(admin_fake_params[0]); i++)
        if (strcasecmp(name, admin_fake_params[i].name) == 0)
            return admin_fake_params[i].value;
    return NULL;
}

static void admin_show_help(struct admin_result *r)
{
    admin_result_notice(r, "Console usage",
                        "\n\tSHOW HELP|CONFIG|DATABASES|POOLS|CLIENTS|SERVERS|USERS|VERSION"
                        "\n\tSHOW LISTS|MEM|STATE|JOBS"
                        "\n\tSHOW STATS|STATS_TOTALS|STATS_AVERAGES|TOTALS|PREPARED_STATEMENTS"
                        "\n\tSHOW QUERIES [<db>] [ORDER BY total_time|mean_time|p99|calls|"
                        "wait_time|errors|rows [ASC|DESC]] [LIMIT n]"
                        "\n\tSHOW QUERY <queryid> [<db>]"
                        "\n\tSHOW QUERY HISTORY <queryid> [<db>]"
                        "\n\tSHOW SLOW [<db>] [LIMIT n]"
                        "\n\tSHOW BOTTLENECKS [<db>]"
                        "\n\tSHOW ALERTS"
                        "\n\tRESET QUERIES [<queryid>]"
                        "\n\tSHOW MIGRATIONS [<db>]"
                        "\n\tMIGRATE [<db>] [TO <version>] [DRY RUN] (a job)"
                        "\n\tMIGRATE DOWN [<db>] [n] [DRY RUN] (a job)"
                        "\n\tMIGRATE VALIDATE [<db>] (a job)"
                        "\n\tMIGRATE REPAIR [<db>] <version> (a job)"
                        "\n\tMIGRATE BASELINE [<db>] <version> (a job)"
                        "\n\tBACKUP [<db>] [LABEL 'text'] (a job)"
                        "\n\tSHOW BACKUPS [<db>]"
                        "\n\tVERIFY BACKUP <id> (a job)"
                        "\n\tDELETE BACKUP <id>"
                        "\n\tSET key = arg"
                        "\n\tRELOAD"
                        "\n\tPAUSE [<db>]"
                        "\n\tRESUME [<db>]"
                        "\n\tDISABLE <db>"
                        "\n\tENABLE <db>"
                        "\n\tRECONNECT [<db>]"
                        "\n\tKILL [<db>]"
                        "\n\tKILL_CLIENT <client_id>"
                        "\n\tSUSPEND"
                        "\n\tSHUTDOWN [WAIT_FOR_SERVERS|WAIT_FOR_CLIENTS]"
                        "\n\tWAIT_CLOSE [<db>]"
                        "\n\tCHECK DATABASES (a job)"
                        "\n\tWAIT JOB id"
                        "\n\tCANCEL JOB id");
    admin_result_tag(r, "SHOW");
}

static void admin_show_version(struct admin_result *r)
{
    admin_result_columns(r, "s", "version");
    admin_result_row(r, PACKAGE_NAME " " PACKAGE_VERSION);
}

static void admin_show_state(struct admin_result *r)
{
    bool running = atomic_load(&proxy.run_state) == PROXY_RUNNING;
    bool paused = control_all_paused(), suspended = control_suspended();
    admin_result_columns(r, "ss", "key", "value");
    admin_result_row(r, "active", running && !paused && !suspended ? "yes" : "no");
    admin_result_row(r, "paused", paused ? "yes" : "no");
    admin_result_row(r, "suspended", suspended ? "yes" : "no");
}

static void admin_config_row(void *arg, const char *key, const char *value,
                             const char *default_value, bool reloadable, const char *doc)
{
    admin_result_row(arg, key, value, default_value, reloadable ? "yes" : "no");
}

static void admin_show_config(struct admin_result *r)
{
    admin_result_columns(r, "ssss", "key", "value", "default", "changeable");
    config_visit(proxy_config(), admin_config_row, r);
}

/* PgBouncer's SHOW subjects myrmex does not serve (no DNS cache, no peers, no fd passing). */
static const char *const admin_show_unsupported[] = {
    "fds", "sockets", "active_sockets", "peers", "peer_pools", "dns_hosts", "dns_zones",
};

static bool admin_in(const char *word, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(word, list[i]) == 0)
            return true;
    return false;
}

static void admin_syntax_error(struct admin_result *r, const char *stmt)
{
    size_t len;
    while (*stmt == ' ' || *stmt == '\t' || *stmt == '\n' || *stmt == '\r')
        stmt++;
    len = strlen(stmt);
    while (len > 0 && strchr(" \t\n\r", stmt[len - 1]))
        len--;
    admin_result_error(r, "42601", "invalid command '%.*s', use SHOW HELP;", (int)len, stmt);
}

static void admin_denied(const struct admin_ctx *ctx, struct admin_result *r, const char *verb)
{
    admin_result_error(r, "42501",
                       "admin access needed: user \"%s\" is in stats_users and may only run "
                       "SHOW commands, not %s",
                       ctx->user, verb);
}

bool admin_too_many_words(const struct admin_parse_cmd *cmd, int max, struct admin_result *r)
{
    if (cmd->n_words <= max)
        return false;
    admin_result_error(r, "42601", "bad arguments: %s takes at most %d argument%s", cmd->verb, max,
                       max == 1 ? "" : "s");
    return true;
}

void admin_notify(const struct admin_ctx *ctx, const char *message, const char *detail)
{
    if (ctx->notify)
        ctx->notify(ctx->session, message, detail);
}

/*
 * SHOW subjects. plain: a subject with no arguments (SHOW POOLS); fn: one that reads its own
 * words (SHOW JOBS, SHOW QUERIES app LIMIT 5).
 */
static const struct {
    const char *name;
    void (*plain)(struct admin_result *r);
    admin_fn fn;
} admin_shows[] = {
    {"help", admin_show_help, NULL},
    {"version", admin_show_version, NULL},
    {"config", admin_show_config, NULL},
    {"state", admin_show_state, NULL},
    {"databases", admin_show_databases, NULL},
    {"pools", admin_show_pools, NULL},
    {"clients", admin_show_clients, NULL},
    {"servers", admin_show_servers, NULL},
    {"users", admin_show_users, NULL},
    {"lists", admin_show_lists, NULL},
    {"mem", admin_show_mem, NULL},
    {"stats", admin_show_stats, NULL},
    {"stats_totals", admin_show_stats_totals, NULL},
    {"stats_averages", admin_show_stats_averages, NULL},
    {"totals", admin_show_totals, NULL},
    {"prepared_statements", admin_show_prepared_statements, NULL},
    {"jobs", NULL, admin_show_jobs},
    {"queries", NULL, admin_show_queries},
    {"query", NULL, admin_show_query},
    {"slow", NULL, admin_show_slow},
    {"bottlenecks", NULL, admin_show_bottlenecks},
    {"alerts", NULL, admin_show_alerts},
    {"migrations", NULL, admin_show_migrations},
    {"backups", NULL, admin_show_backups},
};

/* Commands other than SHOW and SET: all for admin_users only. */
static const struct {
    const char *verb;
    admin_fn fn;
} admin_commands[] = {
    {"pause", admin_cmd_pause},
    {"resume", admin_cmd_resume},
    {"suspend", admin_cmd_suspend},
    {"disable", admin_cmd_disable},
    {"enable", admin_cmd_enable},
    {"reconnect", admin_cmd_reconnect},
    {"wait_close", admin_cmd_wait_close},
    {"kill", admin_cmd_kill},
    {"kill_client", admin_cmd_kill_client},
    {"shutdown", admin_cmd_shutdown},
    {"reload", admin_cmd_reload},
    {"wait", admin_wait_job},
    {"cancel", admin_cancel_job},
    {"check", admin_check},
    {"migrate", admin_migrate},
    {"backup", admin_backup},
    {"verify", admin_verify_backup},
    {"delete", admin_delete_backup},
    {"reset", admin_cmd_reset},
};

static void admin_run_show(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           const char *stmt, struct admin_result *r)
{
    const char *what = cmd->arg;
    const char *fake = admin_fake_param(what);

    if (!what[0]) {
        admin_syntax_error(r, stmt);
        return;
    }
    for (size_t i = 0; i < sizeof(admin_shows) / sizeof(admin_shows[0]); i++) {
        if (strcmp(what, admin_shows[i].name) != 0)
            continue;
        if (admin_shows[i].fn) {
            admin_shows[i].fn(ctx, cmd, r);
        } else if (cmd->n_words > 1) {
            admin_syntax_error(r, stmt);
        } else {
            admin_shows[i].plain(r);
        }
        return;
    }
    if (fake && cmd->n_words == 1) {
        admin_result_columns(r, "s", what);
        admin_result_row(r, fake);
        return;
    }
    if (cmd->n_words == 1 &&
        admin_in(what, admin_show_unsupported,
                 sizeof(admin_show_unsupported) / sizeof(admin_show_unsupported[0]))) {
        admin_result_error(r, "0A000", "SHOW %s is not supported by myrmex", what);
        return;
    }
    admin_syntax_error(r, stmt);
}

bool admin_command_read_only(const char *stmt)
{
    struct admin_parse_cmd cmd;
    admin_parse_command(stmt, &cmd);
    return cmd.kind != ADMIN_PARSE_COMMAND || strcmp(cmd.verb, "show") == 0;
}

void admin_command_run(const struct admin_ctx *ctx, const char *stmt, struct admin_result *r)
{
    struct admin_parse_cmd cmd;

    admin_parse_command(stmt, &cmd);
    switch (cmd.kind) {
    case ADMIN_PARSE_EMPTY:
        return;
    case ADMIN_PARSE_INVALID:
        admin_syntax_error(r, stmt);
        return;
    case ADMIN_PARSE_TOO_LONG:
        admin_result_error(r, "42601", "bad arguments: a name or value is too long");
        return;
    case ADMIN_PARSE_SET:
        if (admin_fake_param(cmd.arg)) {
            admin_result_notice(r, "SET ignored", NULL);
            admin_result_tag(r, "SET");
            return;
        }
        if (ctx->role != ADMIN_ROLE_ADMIN) {
            admin_denied(ctx, r, "SET");
            return;
        }
        admin_cmd_set(ctx, &cmd, r);
        return;
    case ADMIN_PARSE_COMMAND:
        break;
    }
    if (strcmp(cmd.verb, "show") == 0) {
        admin_run_show(ctx, &cmd, stmt, r);
        return;
    }
    for (size_t i = 0; i < sizeof(admin_commands) / sizeof(admin_commands[0]); i++) {
        if (!admin_commands[i].fn || strcmp(cmd.verb, admin_commands[i].verb) != 0)
            continue;
        if (ctx->role != ADMIN_ROLE_ADMIN) {
            admin_denied(ctx, r, cmd.verb);
            return;
        }
        admin_commands[i].fn(ctx, &cmd, r);
        return;
    }
    admin_syntax_error(r, stmt);
}
