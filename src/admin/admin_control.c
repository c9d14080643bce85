/*
 * The console's control commands, PgBouncer's set: PAUSE, RESUME, DISABLE, ENABLE, RECONNECT,
 * WAIT_CLOSE, KILL, KILL_CLIENT, SUSPEND, SHUTDOWN, RELOAD and SET key = value.
 *
 * They run on the console session's thread, so the commands that wait (PAUSE until the
 * database's servers are closed, WAIT_CLOSE until the servers RECONNECT marked are gone) block
 * only their own client: they poll the pools' counters, tell the client what they wait for,
 * and stop waiting (leaving the change in effect) when the client leaves. Commands that touch
 * clients (KILL, KILL_CLIENT) run on each worker's thread through worker_call, as the owner.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin_parse.h"
#include "admin_int.h"
#include "client/client.h"
#include "core/control.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "util/log.h"
#include "util/util.h"

#define ADMIN_WAIT_POLL_MS   20
#define ADMIN_WAIT_NOTICE_MS 5000
#define ADMIN_CALL_WAIT_MS   2000

/* The database a command names (NULL for none), after checking it exists. */
static bool admin_db_arg(const struct admin_parse_cmd *cmd, bool required, const char **db,
                         struct admin_result *r)
{
    const char *verb = cmd->verb;

    *db = NULL;
    if (admin_too_many_words(cmd, 1, r))
        return false;
    if (cmd->n_words == 0) {
        if (required) {
            admin_result_error(r, "42601", "bad arguments: %s needs a database name", verb);
            return false;
        }
        return true;
    }
    *db = cmd->words[0];
    if (admin_is_db(*db)) {
        admin_result_error(r, "55000", "cannot %s the admin console", verb);
        return false;
    }
    /* RESUME and ENABLE also reach a database a reload removed while it was paused or
     * disabled, so that it does not come back that way. */
    if (!config_find_db(proxy_config(), *db) &&
        !((strcmp(verb, "resume") == 0 && control_db_paused_itself(*db)) ||
          (strcmp(verb, "enable") == 0 && control_disabled(*db)))) {
        admin_result_error(r, "3D000", "database \"%s\" does not exist", *db);
        return false;
    }
    return true;
}

static void admin_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

enum admin_wait { ADMIN_WAIT_DONE, ADMIN_WAIT_GONE, ADMIN_WAIT_RESUMED };

/*
 * Wait until db's servers (stale_only: those RECONNECT marked) are gone, telling the client
 * what it waits for every few seconds. Each round closes the idle ones the wait is for (a
 * server released while the command began may have gone idle). Ends early when the client
 * leaves, or (PAUSE) when a RESUME ends the pause it waits for.
 */
static enum admin_wait admin_wait_servers(const struct admin_ctx *ctx, const char *db,
                                          bool stale_only, const char *what)
{
    int64_t next_notice = now_ms();
    int n;

    for (;;) {
        if (!stale_only && !(db ? control_paused(db) : control_all_paused()))
            return ADMIN_WAIT_RESUMED;
        if (stale_only)
            pool_reconnect_sweep(db);
        else
            pool_close_idle_of(db);
        n = pool_count_servers_of(db, stale_only);
        if (n == 0)
            return ADMIN_WAIT_DONE;
        if (ctx->gone && ctx->gone(ctx->session))
            return ADMIN_WAIT_GONE;
        if (now_ms() >= next_notice) {
            char msg[160];
            snprintf(msg, sizeof(msg), "waiting for %d server connection(s) of %s %s", n,
                     db ? "database" : "every database", db ? db : "");
            admin_notify(ctx, msg, what);
            next_notice = now_ms() + ADMIN_WAIT_NOTICE_MS;
        }
        admin_sleep_ms(ADMIN_WAIT_POLL_MS);
    }
}

/* Give waiting clients servers now instead of at the janitor's next round (worker 0). */
static void admin_kick_worker(struct worker *w, void *arg)
{
    (void)w;
    (void)arg;
    pool_janitor(now_ms());
}

void admin_kick(void)
{
    if (proxy.n_workers > 0)
        worker_call(&proxy.workers[0], admin_kick_worker, NULL, ADMIN_CALL_WAIT_MS);
}

void admin_cmd_pause(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r)
{
    const char *db;

    if (!admin_db_arg(cmd, false, &db, r))
        return;
    if (db ? control_db_paused_itself(db) : control_all_paused()) {
        admin_result_error(r, "55000", "%s%s is already paused", db ? "database " : "",
                           db ? db : "the proxy");
        return;
    }
    log_info("PAUSE %s by %s: new transactions wait; servers close as transactions end",
             db ? db : "(every database)", ctx->user);
    control_set_paused(db, true);
    switch (admin_wait_servers(ctx, db, false,
                               "Running transactions finish first; new ones wait until RESUME.")) {
    case ADMIN_WAIT_DONE:
        admin_result_tag(r, "PAUSE");
        break;
    case ADMIN_WAIT_GONE:
        break; /* the client left; the pause stays */
    case ADMIN_WAIT_RESUMED:
        admin_result_error(r, "57014", "PAUSE ended by RESUME before every server was closed");
        break;
    }
}

void admin_cmd_resume(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r)
{
    const char *db;

    if (!admin_db_arg(cmd, false, &db, r))
        return;
    if (db) {
        if (!control_db_paused_itself(db)) {
            admin_result_error(r, "55000", "database %s is not paused%s", db,
                               control_all_paused() ? " (every database is: RESUME with no name)"
                                                    : "");
            return;
        }
        control_set_paused(db, false);
    } else {
        bool suspended = control_suspended();
        if (!control_all_paused() && !suspended && !control_any_db_paused()) {
            admin_result_error(r, "55000", "the proxy is not paused or suspended");
            return;
        }
        control_set_paused(NULL, false);
        if (suspended) {
            control_set_suspended(false);
            proxy_set_accepting(true);
        }
    }
    log_info("RESUME %s by %s", db ? db : "(everything)", ctx->user);
    admin_kick();
    admin_result_tag(r, "RESUME");
}

void admin_cmd_suspend(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r)
{
    if (admin_too_many_words(cmd, 0, r))
        return;
    if (control_suspended()) {
        admin_result_error(r, "55000", "the proxy is already suspended");
        return;
    }
    log_info("SUSPEND by %s: no new connections, new transactions wait until RESUME", ctx->user);
    control_set_suspended(true);
    proxy_set_accepting(false);
    admin_result_tag(r, "SUSPEND");
}

static void admin_cmd_able(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           struct admin_result *r, bool disable)
{
    const char *db;

    if (!admin_db_arg(cmd, true, &db, r))
        return;
    log_info("%s %s by %s", disable ? "DISABLE" : "ENABLE", db, ctx->user);
    control_set_disabled(db, disable);
    admin_result_tag(r, disable ? "DISABLE" : "ENABLE");
}

void admin_cmd_disable(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r)
{
    admin_cmd_able(ctx, cmd, r, true);
}

void admin_cmd_enable(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r)
{
    admin_cmd_able(ctx, cmd, r, false);
}

void admin_cmd_reconnect(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r)
{
    const char *db;

    if (!admin_db_arg(cmd, false, &db, r))
        return;
    log_info("RECONNECT %s by %s", db ? db : "(every database)", ctx->user);
    pool_reconnect(db);
    admin_result_tag(r, "RECONNECT");
}

void admin_cmd_wait_close(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                          struct admin_result *r)
{
    const char *db;

    if (!admin_db_arg(cmd, false, &db, r))
        return;
    if (admin_wait_servers(ctx, db, true,
                           "Servers marked by RECONNECT or RELOAD close when "
                           "their clients release them.") != ADMIN_WAIT_DONE)
        return;
    admin_result_tag(r, "WAIT_CLOSE");
}

/* KILL and KILL_CLIENT, on each worker's thread. */
struct admin_kill {
    const char *db; /* KILL: the database (NULL: every one but the console) */
    int id;         /* KILL_CLIENT: the client's id (0 for KILL) */
    char msg[128];
    int killed;
};

static void admin_kill_worker(struct worker *w, void *arg)
{
    struct admin_kill *k = arg;
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &w->clients)
    {
        struct client *c = list_entry(pos, struct client, node);
        if (c->state == CLIENT_CLOSED)
            continue;
        if (k->id
                ? c->id != k->id
                : !c->dbname || admin_is_db(c->dbname) || (k->db && strcmp(c->dbname, k->db) != 0))
            continue;
        client_kill(c, "57P01", k->msg);
        k->killed++;
    }
}

/* Run on every worker; the number of workers that did not answer (stopping). */
static int admin_kill_run(struct admin_kill *k)
{
    int missed = 0;
    for (int i = 0; i < proxy.n_workers; i++)
        if (!worker_call(&proxy.workers[i], admin_kill_worker, k, ADMIN_CALL_WAIT_MS))
            missed++;
    return missed;
}

static void admin_kill_missed(struct admin_result *r, int missed)
{
    if (missed > 0)
        admin_result_notice(r,
                            "some workers did not answer in time (the proxy is stopping): "
                            "their clients were not looked at",
                            NULL);
}

void admin_cmd_kill(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                    struct admin_result *r)
{
    struct admin_kill k = {0};
    char note[128];

    if (!admin_db_arg(cmd, false, &k.db, r))
        return;
    snprintf(k.msg, sizeof(k.msg), "terminating connection due to administrator command (KILL%s%s)",
             k.db ? " " : "", k.db ? k.db : "");
    /* As PgBouncer's: the database stays paused, so new clients wait for RESUME. */
    control_set_paused(k.db, true);
    admin_kill_missed(r, admin_kill_run(&k));
    pool_close_idle_of(k.db);
    log_info("KILL %s by %s: %d client(s) closed", k.db ? k.db : "(every database)", ctx->user,
             k.killed);
    snprintf(note, sizeof(note), "closed %d client connection(s); %s paused until RESUME", k.killed,
             k.db ? "the database stays" : "every database stays");
    admin_result_notice(r, note, NULL);
    admin_result_tag(r, "KILL");
}

void admin_cmd_kill_client(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           struct admin_result *r)
{
    struct admin_kill k = {0};
    char *end;
    long id;

    if (admin_too_many_words(cmd, 1, r))
        return;
    if (cmd->n_words != 1) {
        admin_result_error(r, "42601",
                           "bad arguments: KILL_CLIENT needs a client id (SHOW CLIENTS)");
        return;
    }
    errno = 0;
    id = strtol(cmd->words[0], &end, 10);
    if (errno || *end || id <= 0 || id > INT32_MAX) {
        admin_result_error(r, "22P02", "invalid client id \"%s\"", cmd->words[0]);
        return;
    }
    k.id = (int)id;
    snprintf(k.msg, sizeof(k.msg),
             "terminating connection due to administrator command (KILL_CLIENT)");
    admin_kill_missed(r, admin_kill_run(&k));
    if (k.killed == 0) {
        admin_result_error(r, "42704", "client %ld does not exist", id);
        return;
    }
    log_info("KILL_CLIENT %ld by %s", id, ctx->user);
    admin_result_tag(r, "KILL_CLIENT");
}

void admin_cmd_shutdown(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r)
{
    enum proxy_shutdown how = PROXY_SHUTDOWN_NOW;

    if (admin_too_many_words(cmd, 1, r))
        return;
    if (cmd->n_words == 1) {
        if (strcmp(cmd->words[0], "wait_for_servers") == 0) {
            how = PROXY_SHUTDOWN_WAIT_SERVERS;
        } else if (strcmp(cmd->words[0], "wait_for_clients") == 0) {
            how = PROXY_SHUTDOWN_WAIT_CLIENTS;
        } else {
            admin_result_error(r, "42601",
                               "bad arguments: SHUTDOWN takes WAIT_FOR_SERVERS or "
                               "WAIT_FOR_CLIENTS, not \"%s\"",
                               cmd->words[0]);
            return;
        }
    }
    log_info("SHUTDOWN%s by %s", cmd->n_words ? " (waiting)" : "", ctx->user);
    proxy_request_shutdown(how);
    admin_result_tag(r, "SHUTDOWN");
}

void admin_cmd_reload(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r)
{
    char err[1024];

    if (admin_too_many_words(cmd, 0, r))
        return;
    if (!proxy_reload(err, sizeof(err))) {
        log_error("RELOAD by %s failed, keeping the current configuration: %s", ctx->user, err);
        admin_result_error(r, "F0000", "reload failed, keeping the current configuration: %s", err);
        return;
    }
    log_info("configuration reloaded by %s (RELOAD)", ctx->user);
    admin_result_tag(r, "RELOAD");
}

void admin_cmd_set(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                   struct admin_result *r)
{
    char err[1024], sqlstate[6];

    if (!proxy_set_option(cmd->arg, cmd->value, sqlstate, err, sizeof(err))) {
        admin_result_error(r, sqlstate, "%s", err);
        return;
    }
    log_info("SET %s by %s (until the next RELOAD)", cmd->arg, ctx->user);
    admin_result_tag(r, "SET");
}
