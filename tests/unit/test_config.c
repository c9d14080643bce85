/*
 * Unit tests of src/config/: option types and their errors, the [pgbouncer] alias, the three
 * [databases] forms, [users], the userlist, environment overrides, reload compatibility,
 * config_visit(), and the check that conf/myrmex.ini documents every option and loads.
 */
#include "config/config.h"

#include "util/log.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name tests/data"
#endif

#define CONFIG_DATA   TEST_DATA_DIR "/config"
#define SAMPLE_CONFIG TEST_DATA_DIR "/../../conf/myrmex.ini"

extern char **environ;

/* Every option of the table, for the checks that walk all of them. */
struct option_row {
    const char *name;
    const char *type;
    bool reload;
    const char *def;
};
#define OPT(name, type, reload, def, doc) {#name, #type, reload, def},
static const struct option_row option_rows[] = {
#include "tbl/options.h"
};
#undef OPT
#define N_OPTIONS (sizeof(option_rows) / sizeof(option_rows[0]))

static char tmp_dir[64];
static char tmp_ini[128];
static char err[2048];

static void clear_myrmex_env(void)
{
    char names[64][128];
    size_t n = 0;

    for (char **e = environ; *e && n < 64; e++) {
        if (strncmp(*e, "MYRMEX_", 7) == 0) {
            size_t len = strcspn(*e, "=");
            if (len < sizeof(names[0])) {
                memcpy(names[n], *e, len);
                names[n++][len] = '\0';
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        unsetenv(names[i]);
}

static void setup(void)
{
    clear_myrmex_env();
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_config.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
    snprintf(tmp_ini, sizeof(tmp_ini), "%s/t.ini", tmp_dir);
    err[0] = '\0';
}

static void teardown(void)
{
    char path[192];

    unlink(tmp_ini);
    snprintf(path, sizeof(path), "%s/users.txt", tmp_dir);
    unlink(path);
    rmdir(tmp_dir);
    clear_myrmex_env();
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* Load text as the file tmp_ini; err holds the message when NULL is returned. */
static struct config *load_text(const char *text)
{
    write_text(tmp_ini, text);
    err[0] = '\0';
    return config_load(tmp_ini, err, sizeof(err));
}

/* Assert that text fails to load with an error at tmp_ini:line that mentions needle. */
static void assert_load_error(const char *text, int line, const char *needle)
{
    struct config *cfg = load_text(text);
    char where[192];

    if (cfg) {
        config_destroy(cfg);
        ck_abort_msg("expected an error loading:\n%s", text);
    }
    snprintf(where, sizeof(where), "%s:%d: ", tmp_ini, line);
    ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "error '%s' does not start with '%s'",
                  err, where);
    ck_assert_msg(strstr(err, needle) != NULL, "error '%s' does not mention '%s'", err, needle);
}

struct visit_capture {
    size_t n;
    char *key[64];
    char *value[64];
    bool reloadable[64];
};

static void visit_collect(void *arg, const char *key, const char *value, const char *default_value,
                          bool reloadable, const char *doc)
{
    struct visit_capture *cap = arg;

    ck_assert_ptr_nonnull(default_value);
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_gt((int)strlen(doc), 0);
    ck_assert_uint_lt(cap->n, 64);
    cap->key[cap->n] = strdup(key);
    cap->value[cap->n] = strdup(value);
    cap->reloadable[cap->n] = reloadable;
    cap->n++;
}

static void visit_capture_free(struct visit_capture *cap)
{
    for (size_t i = 0; i < cap->n; i++) {
        free(cap->key[i]);
        free(cap->value[i]);
    }
    cap->n = 0;
}

START_TEST(test_defaults_are_the_table)
{
    struct config *cfg = config_load(NULL, err, sizeof(err));
    struct visit_capture cap = {0};

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_ptr_null(cfg->path);
    ck_assert_str_eq(cfg->listen_addr, "127.0.0.1");
    ck_assert_int_eq(cfg->listen_port, 6432);
    ck_assert_str_eq(cfg->unix_socket_dir, "/tmp");
    ck_assert_str_eq(cfg->pidfile, "");
    ck_assert_int_eq(cfg->log_level, LOG_INFO);
    ck_assert_int_eq(cfg->auth_type, AUTH_MD5);
    ck_assert_int_eq(cfg->pool_mode, POOL_SESSION);
    ck_assert_int_eq(cfg->default_pool_size, 20);
    ck_assert(cfg->reserve_pool_timeout_ms == 5000);
    ck_assert(cfg->server_lifetime_ms == 3600000);
    ck_assert(cfg->query_timeout_ms == 0);
    ck_assert_str_eq(cfg->server_reset_query, "DISCARD ALL");
    ck_assert(!cfg->server_reset_query_always);
    ck_assert(cfg->tcp_keepalive);
    ck_assert_int_eq(cfg->max_packet_size, 2147483647);
    ck_assert_uint_eq(cfg->n_dbs, 0);
    ck_assert_uint_eq(cfg->n_users, 0);
    ck_assert_uint_eq(cfg->n_auth, 0);
    ck_assert_uint_eq(cfg->n_warnings, 0);

    /* Through config_visit, every value is the table's default text. */
    config_visit(cfg, visit_collect, &cap);
    ck_assert_uint_eq(cap.n, N_OPTIONS);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        ck_assert_str_eq(cap.key[i], option_rows[i].name);
        ck_assert_msg(strcmp(cap.value[i], option_rows[i].def) == 0, "%s is '%s', not '%s'",
                      cap.key[i], cap.value[i], option_rows[i].def);
        ck_assert(cap.reloadable[i] == option_rows[i].reload);
    }
    visit_capture_free(&cap);
    config_destroy(cfg);
}
END_TEST

START_TEST(test_value_types)
{
    struct config *cfg = load_text("; comment\n"
                                   "# another comment\n"
                                   "\n"
                                   "[myrmex]\n"
                                   "  listen_port   =   7000  \n"
                                   "LISTEN_ADDR = *\n"
                                   "pidfile =\n"
                                   "workers = 8\n"
                                   "server_reset_query = DISCARD ALL; SELECT 1 # not a comment\n"
                                   "server_reset_query_always = yes\n"
                                   "tcp_keepalive = Off\n"
                                   "application_name_add_host = TRUE\n"
                                   "server_idle_timeout = 0.5\n"
                                   "query_timeout = 250ms\n"
                                   "query_wait_timeout = 2min\n"
                                   "server_lifetime = 1h\n"
                                   "client_idle_timeout = 1.5 s\n"
                                   "server_check_delay = 0.0005\n"
                                   "stats_period = 0.0004\n"
                                   "pool_mode = Transaction\n"
                                   "auth_type = scram-sha-256\n"
                                   "log_level = warning\n"
                                   "log_format = json\n");

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(cfg->path, tmp_ini);
    ck_assert_int_eq(cfg->listen_port, 7000);
    ck_assert_str_eq(cfg->listen_addr, "*");
    ck_assert_str_eq(cfg->pidfile, "");
    ck_assert_int_eq(cfg->workers, 8);
    ck_assert_str_eq(cfg->server_reset_query, "DISCARD ALL; SELECT 1 # not a comment");
    ck_assert(cfg->server_reset_query_always);
    ck_assert(!cfg->tcp_keepalive);
    ck_assert(cfg->application_name_add_host);
    ck_assert(cfg->server_idle_timeout_ms == 500);
    ck_assert(cfg->query_timeout_ms == 250);
    ck_assert(cfg->query_wait_timeout_ms == 120000);
    ck_assert(cfg->server_lifetime_ms == 3600000);
    ck_assert(cfg->client_idle_timeout_ms == 1500);
    ck_assert(cfg->server_check_delay_ms == 1);
    ck_assert(cfg->stats_period_ms == 0);
    ck_assert_int_eq(cfg->pool_mode, POOL_TRANSACTION);
    ck_assert_int_eq(cfg->auth_type, AUTH_SCRAM);
    ck_assert_int_eq(cfg->log_level, LOG_WARNING);
    ck_assert_str_eq(cfg->log_format, "json");
    config_destroy(cfg);

    /* Each boolean spelling. */
    static const struct {
        const char *text;
        bool value;
    } bools[] = {{"0", false},     {"1", true},   {"on", true},  {"off", false}, {"true", true},
                 {"false", false}, {"yes", true}, {"no", false}, {"YES", true}};
    for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "[myrmex]\nserver_reset_query_always = %s\n", bools[i].text);
        cfg = load_text(text);
        ck_assert_msg(cfg != NULL, "%s", err);
        ck_assert_msg(cfg->server_reset_query_always == bools[i].value, "%s", bools[i].text);
        config_destroy(cfg);
    }

    /* Each log level name maps onto util/log.h. */
    static const struct {
        const char *text;
        int level;
    } levels[] = {
        {"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warning", LOG_WARNING}, {"error", LOG_ERROR}};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        char text[128];
        snprintf(text, sizeof(text), "[myrmex]\nlog_level = %s\n", levels[i].text);
        cfg = load_text(text);
        ck_assert_msg(cfg != NULL, "%s", err);
        ck_assert_int_eq(cfg->log_level, levels[i].level);
        config_destroy(cfg);
    }
}
END_TEST

START_TEST(test_errors_name_file_and_line)
{
    assert_load_error("[myrmex]\nlisten_port = abc\n", 2, "listen_port");
    assert_load_error("[myrmex]\nlisten_port = 99999999999\n", 2, "listen_port");
    assert_load_error("[myrmex]\n\nworkers = 4x\n", 3, "workers");
    assert_load_error("[myrmex]\ntcp_keepalive = maybe\n", 2, "tcp_keepalive");
    assert_load_error("[myrmex]\nquery_timeout = 5x\n", 2, "query_timeout");
    assert_load_error("[myrmex]\nquery_timeout = -1\n", 2, "query_timeout");
    assert_load_error("[myrmex]\nquery_timeout =\n", 2, "query_timeout");
    assert_load_error("[myrmex]\nquery_timeout = .\n", 2, "query_timeout");
    assert_load_error("[myrmex]\nquery_timeout = 1.5.2\n", 2, "query_timeout");
    assert_load_error("[myrmex]\nquery_timeout = 5 days\n", 2, "query_timeout");
    assert_load_error("[myrmex]\npool_mode = sometimes\n", 2, "pool_mode");
    assert_load_error("[myrmex]\nauth_type = cert\n", 2, "auth_type");
    assert_load_error("[myrmex]\nlog_level = verbose\n", 2, "log_level");
    assert_load_error("[myrmex]\nno_such_key = 1\n", 2, "no_such_key");
    /* PgBouncer-only settings are unknown in [myrmex]; only [pgbouncer] tolerates them. */
    assert_load_error("[myrmex]\nlogfile = /tmp/x.log\n", 2, "logfile");
    assert_load_error("[pgbouncer]\nclient_tls_sslmode = require\n", 2, "client_tls_sslmode");
    assert_load_error("[peers]\n1 = host=/tmp\n", 1, "peers");
    assert_load_error("listen_port = 1\n", 1, "listen_port");
    assert_load_error("[myrmex]\nlisten_port\n", 2, "=");
    assert_load_error("[myrmex\n", 1, "]");
    assert_load_error("[myrmex]\n%define x\n", 2, "directive");
    assert_load_error("[databases]\napp = host=h sslmode=require\n", 2, "sslmode");
    assert_load_error("[databases]\napp = host=h\nb = port=1\napp = host=i\n", 4, "twice");
    assert_load_error("[users]\nbob = pool_size=3\n", 2, "pool_size");
    assert_load_error("[users]\nbob = pool_mode=x\n", 2, "pool_mode");
    assert_load_error("[users]\nbob = pool_mode=session\nbob = pool_mode=session\n", 3, "twice");

    /* Validation errors point at the line that set the value. */
    assert_load_error("[myrmex]\nlisten_port = 0\n", 2, "listen_port");
    assert_load_error("[myrmex]\nlisten_port = 65536\n", 2, "listen_port");
    assert_load_error("[myrmex]\n\nworkers = 257\n", 3, "workers");
    assert_load_error("[myrmex]\nworkers = -1\n", 2, "workers");
    assert_load_error("[myrmex]\nmax_client_conn = 0\n", 2, "max_client_conn");
    assert_load_error("[myrmex]\ndefault_pool_size = -1\n", 2, "default_pool_size");
    assert_load_error("[myrmex]\nmin_pool_size = -2\n", 2, "min_pool_size");
    assert_load_error("[myrmex]\nreserve_pool_size = -2\n", 2, "reserve_pool_size");
    assert_load_error("[myrmex]\nlog_format = xml\n", 2, "log_format");
    assert_load_error("[myrmex]\nunix_socket_dir =\nlisten_addr =\n", 3, "nothing to listen");
    ck_assert_ptr_null(load_text("[myrmex]\nauth_file = /nonexistent/userlist.txt\n"));
    ck_assert_msg(strstr(err, "/nonexistent/userlist.txt: cannot open") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "t.ini:2)") != NULL, "%s", err);

    /* One of the two listeners suffices. */
    struct config *cfg = load_text("[myrmex]\nlisten_addr =\n");
    ck_assert_msg(cfg != NULL, "%s", err);
    config_destroy(cfg);

    ck_assert_ptr_null(config_load("/nonexistent/myrmex.ini", err, sizeof(err)));
    ck_assert_msg(strstr(err, "/nonexistent/myrmex.ini") != NULL, "%s", err);
}
END_TEST

START_TEST(test_pgbouncer_ini_and_userlist)
{
    struct config *cfg = config_load(CONFIG_DATA "/pgbouncer.ini", err, sizeof(err));
    const struct db_config *db;
    const struct user_config *user;

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(cfg->listen_addr, "localhost");
    ck_assert_int_eq(cfg->listen_port, 6433);
    ck_assert_str_eq(cfg->unix_socket_dir, "/var/run/postgresql");
    ck_assert_str_eq(cfg->pidfile, "/var/run/postgresql/pgbouncer.pid");
    ck_assert_int_eq(cfg->auth_type, AUTH_MD5);
    ck_assert_int_eq(cfg->pool_mode, POOL_TRANSACTION);
    ck_assert_int_eq(cfg->max_client_conn, 500);
    ck_assert_int_eq(cfg->default_pool_size, 25);
    ck_assert(cfg->server_idle_timeout_ms == 500);
    /* A relative auth_file is found next to the config file. */
    ck_assert_str_eq(cfg->auth_file, CONFIG_DATA "/userlist.txt");

    /* logfile is PgBouncer-only: ignored, with a warning naming file and line. */
    ck_assert_uint_eq(cfg->n_warnings, 1);
    ck_assert_ptr_nonnull(strstr(cfg->warnings[0], "pgbouncer.ini:8: "));
    ck_assert_ptr_nonnull(strstr(cfg->warnings[0], "logfile"));

    ck_assert_uint_eq(cfg->n_dbs, 3);
    db = config_find_db(cfg, "app");
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->dbname, "app_prod");
    ck_assert_str_eq(db->host, "127.0.0.1");
    db = config_find_db(cfg, "weird db");
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->host, "/var/run/postgresql");
    ck_assert_str_eq(db->dbname, "weird");
    db = config_find_db(cfg, "reporting");
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->host, "db.example.com");
    ck_assert_int_eq(db->port, 6543);
    ck_assert_str_eq(db->user, "report");
    ck_assert_str_eq(db->password, "it's s'ecret");
    ck_assert_int_eq(db->pool_size, 5);
    ck_assert_int_eq(db->reserve_pool_size, 2);
    ck_assert_int_eq(db->pool_mode, POOL_SESSION);
    ck_assert_ptr_null(config_find_db(cfg, "nope"));

    user = config_find_user(cfg, "report");
    ck_assert_ptr_nonnull(user);
    ck_assert_int_eq(user->pool_mode, POOL_STATEMENT);
    ck_assert_int_eq(user->max_user_connections, 3);
    ck_assert_ptr_null(config_find_user(cfg, "nobody"));

    /* The userlist: comments, blank lines, "" escapes, extra fields, last line wins. */
    ck_assert_uint_eq(cfg->n_auth, 4);
    ck_assert_str_eq(config_find_secret(cfg, "postgres"), "md5a3556571e93b0d20722ba62be61e8c2d");
    ck_assert_str_eq(config_find_secret(cfg, "admin"), "second line wins");
    ck_assert_str_eq(config_find_secret(cfg, "stats"),
                     "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVka2V5:c2VydmVya2V5");
    ck_assert_str_eq(config_find_secret(cfg, "quo\"te"), "se\"cret");
    ck_assert_ptr_null(config_find_secret(cfg, "quote"));
    ck_assert_ptr_null(config_find_secret(cfg, "nobody"));

    ck_assert(config_list_has(cfg->admin_users, "admin"));
    ck_assert(config_list_has(cfg->admin_users, "postgres"));
    ck_assert(!config_list_has(cfg->admin_users, "stats"));
    ck_assert(config_list_has(cfg->stats_users, "stats"));
    config_destroy(cfg);
}
END_TEST

START_TEST(test_userlist_errors)
{
    static const struct {
        const char *text;
        int line;
        const char *needle;
    } cases[] = {
        {"\"alice\" \"pw\"\n\"bob\" \"unterminated\n", 2, "unterminated"},
        {"; comment\nalice \"pw\"\n", 2, "double quotes"},
        {"\"alice\"\n", 1, "secret"},
        {"\"alice\" pw\n", 1, "secret"},
        {"\n\n\"\" \"pw\"\n", 3, "empty user"},
    };
    char users[192], where[256], text[512];

    snprintf(users, sizeof(users), "%s/users.txt", tmp_dir);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct auth_entry *entries;
        size_t n;
        write_text(users, cases[i].text);
        ck_assert(!config_auth_load(users, &entries, &n, err, sizeof(err)));
        snprintf(where, sizeof(where), "%s:%d: ", users, cases[i].line);
        ck_assert_msg(strncmp(err, where, strlen(where)) == 0, "'%s' lacks '%s'", err, where);
        ck_assert_msg(strstr(err, cases[i].needle) != NULL, "'%s' lacks '%s'", err,
                      cases[i].needle);
    }

    /* Through config_load, the message also says where auth_file was set. */
    write_text(users, "\"a\" \"b\"\nbroken\n");
    snprintf(text, sizeof(text), "[myrmex]\n\nauth_file = users.txt\n");
    ck_assert_ptr_null(load_text(text));
    snprintf(where, sizeof(where), "%s:2: ", users);
    ck_assert_msg(strstr(err, where) != NULL, "%s", err);
    snprintf(where, sizeof(where), "%s:3", tmp_ini);
    ck_assert_msg(strstr(err, where) != NULL, "%s", err);

    /* An empty userlist is fine. */
    write_text(users, "; nobody yet\n");
    struct config *cfg = load_text(text);
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_uint_eq(cfg->n_auth, 0);
    ck_assert_ptr_null(config_find_secret(cfg, "a"));
    config_destroy(cfg);
}
END_TEST

START_TEST(test_reserved_sections_and_quoted_names)
{
    struct config *cfg = load_text("[migrations]\ndir = migrations\nanything = goes\n"
                                   "[backups]\nschedule = daily\n"
                                   "[schema]\nwatch = 1\n"
                                   "[monitor]\nport = 9187\n"
                                   "[databases]\n"
                                   "\"a \"\"b\"\" c\" = dbname=x\n"
                                   "[MYRMEX]\nlisten_port = 6500\n"
                                   "[pgbouncer]\nlisten_port = 6501\n");

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_int_eq(cfg->listen_port, 6501);
    ck_assert_uint_eq(cfg->n_dbs, 1);
    ck_assert_ptr_nonnull(config_find_db(cfg, "a \"b\" c"));
    ck_assert_str_eq(config_find_db(cfg, "a \"b\" c")->dbname, "x");
    ck_assert_uint_eq(cfg->n_warnings, 0);
    config_destroy(cfg);
}
END_TEST

START_TEST(test_db_libpq_form)
{
    struct db_config db;

    ck_assert_msg(config_parse_db("app",
                                  "host=db1 port=5433 dbname=app_real user=u password='p w\\'s''x' "
                                  "pool_size=10 min_pool_size=2 reserve_pool=3 "
                                  "max_db_connections=50 pool_mode=statement "
                                  "connect_query='SET search_path = a, b; SELECT 1' "
                                  "application_name = myapp",
                                  &db, err, sizeof(err)),
                  "%s", err);
    ck_assert_str_eq(db.name, "app");
    ck_assert_int_eq(db.backend, DB_BACKEND_POSTGRES);
    ck_assert_str_eq(db.host, "db1");
    ck_assert_int_eq(db.port, 5433);
    ck_assert_str_eq(db.dbname, "app_real");
    ck_assert_str_eq(db.user, "u");
    ck_assert_str_eq(db.password, "p w's'x");
    ck_assert_int_eq(db.pool_size, 10);
    ck_assert_int_eq(db.min_pool_size, 2);
    ck_assert_int_eq(db.reserve_pool_size, 3);
    ck_assert_int_eq(db.max_db_connections, 50);
    ck_assert_int_eq(db.pool_mode, POOL_STATEMENT);
    ck_assert_str_eq(db.connect_query, "SET search_path = a, b; SELECT 1");
    ck_assert_str_eq(db.application_name, "myapp");
    ck_assert_ptr_null(db.sqlite_path);
    config_db_fini(&db);

    /* Empty: every default. reserve_pool_size is the newer spelling. */
    ck_assert_msg(config_parse_db("plain", "", &db, err, sizeof(err)), "%s", err);
    ck_assert_str_eq(db.host, "127.0.0.1");
    ck_assert_int_eq(db.port, 5432);
    ck_assert_str_eq(db.dbname, "plain");
    ck_assert_ptr_null(db.user);
    ck_assert_ptr_null(db.password);
    ck_assert_ptr_null(db.connect_query);
    ck_assert_ptr_null(db.application_name);
    ck_assert_int_eq(db.pool_size, -1);
    ck_assert_int_eq(db.min_pool_size, -1);
    ck_assert_int_eq(db.reserve_pool_size, -1);
    ck_assert_int_eq(db.max_db_connections, -1);
    ck_assert_int_eq(db.pool_mode, -1);
    config_db_fini(&db);
    ck_assert_msg(
        config_parse_db("x", "host=/tmp reserve_pool_size=4 dbname=", &db, err, sizeof(err)), "%s",
        err);
    ck_assert_str_eq(db.host, "/tmp");
    ck_assert_str_eq(db.dbname, "x");
    ck_assert_int_eq(db.reserve_pool_size, 4);
    config_db_fini(&db);

    static const struct {
        const char *value;
        const char *needle;
    } bad[] = {
        {"host=h sslmode=require", "sslmode"},
        {"port=0", "port"},
        {"port=65536", "port"},
        {"port=54x", "port"},
        {"pool_size=-1", "pool_size"},
        {"pool_size=", "pool_size"},
        {"pool_mode=sometimes", "pool_mode"},
        {"host=a,b", "several hosts"},
        {"password='open", "unterminated"},
        {"host", "'='"},
        {"=x", "parameter name"},
        {"password='a'b", "blank"},
        {"mysql://u@h/db", "scheme"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!config_parse_db("d", bad[i].value, &db, err, sizeof(err)), "%s",
                      bad[i].value);
        ck_assert_msg(strstr(err, bad[i].needle) != NULL, "'%s': '%s' lacks '%s'", bad[i].value,
                      err, bad[i].needle);
    }
}
END_TEST

START_TEST(test_db_url_form)
{
    struct db_config db;

    ck_assert_msg(config_parse_db("app",
                                  "postgresql://us%40er:p%3Aw@@db.example.com:6000/my%20db"
                                  "?pool_size=20&pool_mode=transaction&min_pool_size=1"
                                  "&reserve_pool_size=2&max_db_connections=30"
                                  "&connect_query=SET%20x%20%3D%201&application_name=web",
                                  &db, err, sizeof(err)),
                  "%s", err);
    ck_assert_int_eq(db.backend, DB_BACKEND_POSTGRES);
    ck_assert_str_eq(db.user, "us@er");
    ck_assert_str_eq(db.password, "p:w@");
    ck_assert_str_eq(db.host, "db.example.com");
    ck_assert_int_eq(db.port, 6000);
    ck_assert_str_eq(db.dbname, "my db");
    ck_assert_int_eq(db.pool_size, 20);
    ck_assert_int_eq(db.pool_mode, POOL_TRANSACTION);
    ck_assert_int_eq(db.min_pool_size, 1);
    ck_assert_int_eq(db.reserve_pool_size, 2);
    ck_assert_int_eq(db.max_db_connections, 30);
    ck_assert_str_eq(db.connect_query, "SET x = 1");
    ck_assert_str_eq(db.application_name, "web");
    config_db_fini(&db);

    /* IPv6, postgres:// and defaults. */
    ck_assert_msg(config_parse_db("v6", "postgres://[::1]:5544/db", &db, err, sizeof(err)), "%s",
                  err);
    ck_assert_str_eq(db.host, "::1");
    ck_assert_int_eq(db.port, 5544);
    ck_assert_str_eq(db.dbname, "db");
    ck_assert_ptr_null(db.user);
    config_db_fini(&db);
    ck_assert_msg(config_parse_db("v6", "POSTGRESQL://[fe80::2]", &db, err, sizeof(err)), "%s",
                  err);
    ck_assert_str_eq(db.host, "fe80::2");
    ck_assert_int_eq(db.port, 5432);
    ck_assert_str_eq(db.dbname, "v6");
    config_db_fini(&db);
    ck_assert_msg(config_parse_db("n", "postgresql://", &db, err, sizeof(err)), "%s", err);
    ck_assert_str_eq(db.host, "127.0.0.1");
    ck_assert_int_eq(db.port, 5432);
    ck_assert_str_eq(db.dbname, "n");
    config_db_fini(&db);

    /* A unix socket directory, as a query parameter or percent-encoded host. */
    ck_assert_msg(config_parse_db("s", "postgresql://bob@/app?host=/var/run/postgresql&port=5433",
                                  &db, err, sizeof(err)),
                  "%s", err);
    ck_assert_str_eq(db.host, "/var/run/postgresql");
    ck_assert_int_eq(db.port, 5433);
    ck_assert_str_eq(db.user, "bob");
    ck_assert_ptr_null(db.password);
    ck_assert_str_eq(db.dbname, "app");
    config_db_fini(&db);
    ck_assert_msg(config_parse_db("s", "postgresql://%2Ftmp%2Fpg/app", &db, err, sizeof(err)), "%s",
                  err);
    ck_assert_str_eq(db.host, "/tmp/pg");
    config_db_fini(&db);

    static const struct {
        const char *value;
        const char *needle;
    } bad[] = {
        {"postgresql://h/db?sslmode=require", "sslmode"},
        {"postgresql://h/db?pool_size", "'='"},
        {"postgresql://h:99999/db", "port"},
        {"postgresql://h:/db", "port"},
        {"postgresql://h/db%zz", "percent"},
        {"postgresql://h/db%2", "percent"},
        {"postgresql://h/db%00x", "percent"},
        {"postgresql://[::1/db", "]"},
        {"postgresql://[::1]x/db", "IPv6"},
        {"postgresql://h1,h2/db", "several hosts"},
        {"postgresql://h/db?pool_mode=x", "pool_mode"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!config_parse_db("d", bad[i].value, &db, err, sizeof(err)), "%s",
                      bad[i].value);
        ck_assert_msg(strstr(err, bad[i].needle) != NULL, "'%s': '%s' lacks '%s'", bad[i].value,
                      err, bad[i].needle);
    }
}
END_TEST

START_TEST(test_db_sqlite_form)
{
    struct db_config db;
    struct config *cfg;
    char expect[256];

    ck_assert_msg(config_parse_db("c", "sqlite:///var/lib/x%20y.db?pool_size=4&pool_mode=session",
                                  &db, err, sizeof(err)),
                  "%s", err);
    ck_assert_int_eq(db.backend, DB_BACKEND_SQLITE);
    ck_assert_str_eq(db.sqlite_path, "/var/lib/x y.db");
    ck_assert_ptr_null(db.host);
    ck_assert_int_eq(db.port, 0);
    ck_assert_str_eq(db.dbname, "c");
    ck_assert_int_eq(db.pool_size, 4);
    ck_assert_int_eq(db.pool_mode, POOL_SESSION);
    config_db_fini(&db);

    /* config_parse_db keeps a relative path; config_load resolves it against the file. */
    ck_assert_msg(config_parse_db("c", "sqlite://rel/c.db", &db, err, sizeof(err)), "%s", err);
    ck_assert_str_eq(db.sqlite_path, "rel/c.db");
    config_db_fini(&db);
    cfg = load_text("[databases]\nc = sqlite://rel/c.db\nm = sqlite://:memory:\n"
                    "a = sqlite:///abs/a.db\n");
    ck_assert_msg(cfg != NULL, "%s", err);
    snprintf(expect, sizeof(expect), "%s/rel/c.db", tmp_dir);
    ck_assert_str_eq(config_find_db(cfg, "c")->sqlite_path, expect);
    ck_assert_str_eq(config_find_db(cfg, "m")->sqlite_path, ":memory:");
    ck_assert_str_eq(config_find_db(cfg, "a")->sqlite_path, "/abs/a.db");
    config_destroy(cfg);

    ck_assert(!config_parse_db("c", "sqlite://", &db, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "path"));
    ck_assert(!config_parse_db("c", "sqlite:///x.db?host=h", &db, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "host"));
    ck_assert(!config_parse_db("c", "sqlite:///x.db?user=u", &db, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "user"));
}
END_TEST

START_TEST(test_users_section)
{
    struct user_config user;

    ck_assert_msg(config_parse_user("u", "pool_mode=transaction max_user_connections=10", &user,
                                    err, sizeof(err)),
                  "%s", err);
    ck_assert_str_eq(user.name, "u");
    ck_assert_int_eq(user.pool_mode, POOL_TRANSACTION);
    ck_assert_int_eq(user.max_user_connections, 10);
    config_user_fini(&user);
    ck_assert_msg(config_parse_user("v", "", &user, err, sizeof(err)), "%s", err);
    ck_assert_int_eq(user.pool_mode, -1);
    ck_assert_int_eq(user.max_user_connections, -1);
    config_user_fini(&user);
    ck_assert(!config_parse_user("w", "max_user_connections=-1", &user, err, sizeof(err)));
    ck_assert(!config_parse_user("w", "host=x", &user, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "host"));
}
END_TEST

START_TEST(test_include)
{
    struct config *cfg = config_load(CONFIG_DATA "/include_main.ini", err, sizeof(err));

    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_int_eq(cfg->listen_port, 7100);
    ck_assert_int_eq(cfg->workers, 4);
    ck_assert_uint_eq(cfg->n_dbs, 2);
    ck_assert_str_eq(config_find_db(cfg, "local")->sqlite_path, CONFIG_DATA "/sub/data/local.db");
    ck_assert_str_eq(config_find_db(cfg, "other")->host, "10.0.0.2");
    config_destroy(cfg);

    ck_assert_ptr_null(config_load(CONFIG_DATA "/include_loop.ini", err, sizeof(err)));
    ck_assert_msg(strstr(err, "include_loop.ini:2: ") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "deep") != NULL, "%s", err);

    assert_load_error("[myrmex]\n%include does-not-exist.ini\n", 2, "does-not-exist.ini");
}
END_TEST

START_TEST(test_env_overrides)
{
    struct config *cfg;

    setenv("MYRMEX_LISTEN_PORT", "7000", 1);
    setenv("MYRMEX_POOL_MODE", "statement", 1);
    setenv("MYRMEX_SERVER_IDLE_TIMEOUT", "0.5", 1);
    setenv("MYRMEX_LOG_LEVEL", "debug", 1);
    setenv("MYRMEX_TCP_KEEPALIVE", "no", 1);
    setenv("MYRMEX_LISTEN_ADDR", "", 1);
    setenv("MYRMEX_NOT_AN_OPTION", "whatever", 1);
    cfg = load_text("[myrmex]\nlisten_port = 6000\npool_mode = transaction\nworkers = 2\n");
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_int_eq(cfg->listen_port, 7000);
    ck_assert_int_eq(cfg->pool_mode, POOL_STATEMENT);
    ck_assert_int_eq(cfg->workers, 2);
    ck_assert(cfg->server_idle_timeout_ms == 500);
    ck_assert_int_eq(cfg->log_level, LOG_DEBUG);
    ck_assert(!cfg->tcp_keepalive);
    ck_assert_str_eq(cfg->listen_addr, "");
    config_destroy(cfg);

    /* Without a file. */
    cfg = config_load(NULL, err, sizeof(err));
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_int_eq(cfg->listen_port, 7000);
    config_destroy(cfg);

    /* A bad value names the variable; so does a validation error it caused. */
    setenv("MYRMEX_LISTEN_PORT", "seven", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_LISTEN_PORT: ", 20) == 0, "%s", err);
    setenv("MYRMEX_LISTEN_PORT", "70000", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_LISTEN_PORT: ", 20) == 0, "%s", err);
    unsetenv("MYRMEX_LISTEN_PORT");
    setenv("MYRMEX_UNIX_SOCKET_DIR", "", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strstr(err, "MYRMEX_LISTEN_ADDR") != NULL, "%s", err);
    unsetenv("MYRMEX_UNIX_SOCKET_DIR");
    setenv("MYRMEX_SERVER_LIFETIME", "forever", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_SERVER_LIFETIME: ", 24) == 0, "%s", err);
    unsetenv("MYRMEX_SERVER_LIFETIME");

    /* A relative MYRMEX_AUTH_FILE is relative to the working directory. */
    char users[192], cwd[512];
    snprintf(users, sizeof(users), "%s/users.txt", tmp_dir);
    write_text(users, "\"env\" \"pw\"\n");
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(tmp_dir), 0);
    setenv("MYRMEX_AUTH_FILE", "users.txt", 1);
    cfg = config_load(NULL, err, sizeof(err));
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(config_find_secret(cfg, "env"), "pw");
    config_destroy(cfg);
}
END_TEST

START_TEST(test_env_databases)
{
    struct config *cfg;
    const struct db_config *db;
    char cwd[512], expect[600];

    setenv("MYRMEX_DATABASES",
           " app=postgresql://u:p@127.0.0.1:5433/app_env ; cache=sqlite:///tmp/c.db;"
           "rel=sqlite://r.db;q = host=h connect_query='SELECT 1; SELECT \\'a;b\\''; ",
           1);
    cfg = load_text("[databases]\napp = host=file dbname=app_file\nkeep = host=k\n");
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_uint_eq(cfg->n_dbs, 5);
    db = config_find_db(cfg, "app");
    ck_assert_str_eq(db->host, "127.0.0.1");
    ck_assert_int_eq(db->port, 5433);
    ck_assert_str_eq(db->dbname, "app_env");
    ck_assert_str_eq(db->user, "u");
    ck_assert_str_eq(db->password, "p");
    ck_assert_str_eq(config_find_db(cfg, "keep")->host, "k");
    ck_assert_str_eq(config_find_db(cfg, "cache")->sqlite_path, "/tmp/c.db");
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    snprintf(expect, sizeof(expect), "%s/r.db", cwd);
    ck_assert_str_eq(config_find_db(cfg, "rel")->sqlite_path, expect);
    ck_assert_str_eq(config_find_db(cfg, "q")->connect_query, "SELECT 1; SELECT 'a;b'");
    config_destroy(cfg);

    /* Errors name the variable. */
    setenv("MYRMEX_DATABASES", "a=host=x;a=host=y", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASES: ", 18) == 0 && strstr(err, "twice"), "%s", err);
    setenv("MYRMEX_DATABASES", "justaname", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASES: ", 18) == 0, "%s", err);
    setenv("MYRMEX_DATABASES", "=host=x", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASES: ", 18) == 0, "%s", err);
    setenv("MYRMEX_DATABASES", "a=host=x bogus=1", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASES: ", 18) == 0 && strstr(err, "bogus"), "%s", err);
    unsetenv("MYRMEX_DATABASES");

    /* MYRMEX_DATABASE_URL alone: a container sidecar with no file at all. */
    setenv("MYRMEX_DATABASE_URL", "postgresql://svc:pw@db:5432/orders?pool_mode=transaction", 1);
    cfg = config_load(NULL, err, sizeof(err));
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_uint_eq(cfg->n_dbs, 1);
    db = config_find_db(cfg, "orders");
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->host, "db");
    ck_assert_str_eq(db->user, "svc");
    ck_assert_int_eq(db->pool_mode, POOL_TRANSACTION);
    config_destroy(cfg);
    setenv("MYRMEX_DATABASE_URL", "sqlite:///var/lib/cache.db", 1);
    cfg = config_load(NULL, err, sizeof(err));
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(config_find_db(cfg, "cache")->sqlite_path, "/var/lib/cache.db");
    config_destroy(cfg);
    setenv("MYRMEX_DATABASE_URL", "postgresql://db:5432", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASE_URL: ", 21) == 0, "%s", err);
    setenv("MYRMEX_DATABASE_URL", "host=db", 1);
    ck_assert_ptr_null(config_load(NULL, err, sizeof(err)));
    ck_assert_msg(strncmp(err, "MYRMEX_DATABASE_URL: ", 21) == 0, "%s", err);
}
END_TEST

START_TEST(test_lookups)
{
    struct config *cfg;
    const struct db_config *db;

    ck_assert(config_list_has("alice, bob ,carol", "bob"));
    ck_assert(config_list_has("alice bob", "alice"));
    ck_assert(config_list_has(" carol ", "carol"));
    ck_assert(!config_list_has("alice,bob", "bo"));
    ck_assert(!config_list_has("alice,bob", "alice,bob"));
    ck_assert(!config_list_has("*", "alice"));
    ck_assert(!config_list_has("", "alice"));
    ck_assert(!config_list_has(NULL, "alice"));

    cfg = load_text("[myrmex]\npool_mode = session\ndefault_pool_size = 7\n"
                    "[databases]\nfixed = pool_mode=statement pool_size=3\nfree = host=x\n"
                    "zero = pool_size=0\n"
                    "[users]\ntx = pool_mode=transaction\n");
    ck_assert_msg(cfg != NULL, "%s", err);
    db = config_find_db(cfg, "fixed");
    ck_assert_int_eq(config_pool_mode(cfg, db, "tx"), POOL_TRANSACTION); /* the user wins */
    ck_assert_int_eq(config_pool_mode(cfg, db, "other"), POOL_STATEMENT);
    ck_assert_int_eq(config_pool_size(cfg, db), 3);
    db = config_find_db(cfg, "free");
    ck_assert_int_eq(config_pool_mode(cfg, db, "tx"), POOL_TRANSACTION);
    ck_assert_int_eq(config_pool_mode(cfg, db, "other"), POOL_SESSION);
    ck_assert_int_eq(config_pool_size(cfg, db), 7);
    ck_assert_int_eq(config_pool_size(cfg, config_find_db(cfg, "zero")), 0);
    config_destroy(cfg);
}
END_TEST

START_TEST(test_reload_compatible)
{
    struct config *a, *b;

    a = load_text("[myrmex]\nlisten_port = 6432\npool_mode = session\n");
    ck_assert_msg(a != NULL, "%s", err);
    b = load_text("[myrmex]\nlisten_port = 6432\npool_mode = transaction\nquery_timeout = 3\n"
                  "[databases]\nnew = host=x\n");
    ck_assert_msg(b != NULL, "%s", err);
    err[0] = '\0';
    ck_assert(config_reload_compatible(a, b, err, sizeof(err)));
    config_destroy(b);

    b = load_text("[myrmex]\nlisten_port = 6433\npool_mode = session\n");
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert(!config_reload_compatible(a, b, err, sizeof(err)));
    ck_assert_msg(strstr(err, "listen_port") != NULL, "%s", err);
    config_destroy(b);

    b = load_text("[myrmex]\nworkers = 3\n");
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert(!config_reload_compatible(a, b, err, sizeof(err)));
    ck_assert_msg(strstr(err, "workers") != NULL, "%s", err);
    config_destroy(b);

    b = load_text("[myrmex]\nunix_socket_dir = /run\n");
    ck_assert_msg(b != NULL, "%s", err);
    ck_assert(!config_reload_compatible(a, b, err, sizeof(err)));
    ck_assert_msg(strstr(err, "unix_socket_dir") != NULL, "%s", err);
    config_destroy(b);
    config_destroy(a);
}
END_TEST

/* Writes every visited option back as an ini line. */
static void visit_write(void *arg, const char *key, const char *value, const char *default_value,
                        bool reloadable, const char *doc)
{
    (void)default_value;
    (void)reloadable;
    (void)doc;
    fprintf(arg, "%s = %s\n", key, value);
}

START_TEST(test_visit_round_trip)
{
    struct config *a, *b;
    struct visit_capture ca = {0}, cb = {0};
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    a = load_text("[myrmex]\nlisten_addr = 0.0.0.0\nlisten_port = 7001\nworkers = 3\n"
                  "pidfile = /run/m.pid\nlog_level = error\nauth_type = plain\n"
                  "admin_users = a, b\npool_mode = statement\nreserve_pool_timeout = 0.25\n"
                  "server_lifetime = 90min\nquery_timeout = 1500ms\nclient_login_timeout = 0\n"
                  "tcp_keepalive = off\nserver_reset_query_always = on\n");
    ck_assert_msg(a != NULL, "%s", err);
    config_visit(a, visit_collect, &ca);
    ck_assert_uint_eq(ca.n, N_OPTIONS);
    for (size_t i = 0; i < ca.n; i++) {
        if (strcmp(ca.key[i], "reserve_pool_timeout") == 0)
            ck_assert_str_eq(ca.value[i], "0.25");
        if (strcmp(ca.key[i], "server_lifetime") == 0)
            ck_assert_str_eq(ca.value[i], "5400");
        if (strcmp(ca.key[i], "query_timeout") == 0)
            ck_assert_str_eq(ca.value[i], "1.5");
        if (strcmp(ca.key[i], "auth_type") == 0)
            ck_assert_str_eq(ca.value[i], "plain");
        if (strcmp(ca.key[i], "tcp_keepalive") == 0)
            ck_assert_str_eq(ca.value[i], "0");
    }

    f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    fputs("[myrmex]\n", f);
    config_visit(a, visit_write, f);
    fclose(f);
    b = load_text(text);
    free(text);
    ck_assert_msg(b != NULL, "%s", err);
    config_visit(b, visit_collect, &cb);
    ck_assert_uint_eq(cb.n, ca.n);
    for (size_t i = 0; i < ca.n; i++) {
        ck_assert_str_eq(ca.key[i], cb.key[i]);
        ck_assert_str_eq(ca.value[i], cb.value[i]);
    }
    ck_assert(config_reload_compatible(a, b, err, sizeof(err)));
    visit_capture_free(&ca);
    visit_capture_free(&cb);
    config_destroy(a);
    config_destroy(b);
}
END_TEST

/* The docs check: conf/myrmex.ini names every option, commented ones with their default. */
/* A malformed entry's error never quotes its text: it may hold a password. */
START_TEST(test_db_errors_hide_passwords)
{
    static const char *const bad[] = {
        "postgresql://app:Sec%zzRet42@127.0.0.1/app",
        "host=127.0.0.1 password='Sec Ret42' =x",
        "host=127.0.0.1 password=Sec Ret42",
    };
    struct db_config db;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&db, 0, sizeof(db));
        ck_assert(!config_parse_db("d", bad[i], &db, err, sizeof(err)));
        ck_assert_msg(!strstr(err, "Ret42") && !strstr(err, "Sec"), "%s", err);
        config_db_fini(&db);
    }
}
END_TEST

START_TEST(test_sample_config_documents_every_option)
{
    FILE *f = fopen(SAMPLE_CONFIG, "r");
    char line[1024];
    bool seen[N_OPTIONS] = {false};
    struct config *cfg;

    ck_assert_msg(f != NULL, "cannot open %s", SAMPLE_CONFIG);
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *eq, *value;
        bool commented = false;
        size_t n;
        if (p[0] == ';' && p[1] != ';') {
            commented = true;
            p++;
        }
        eq = strchr(p, '=');
        if (!eq || p[0] == ';' || p[0] == '[')
            continue;
        *eq = '\0';
        for (n = strlen(p); n > 0 && p[n - 1] == ' ';)
            p[--n] = '\0';
        value = eq + 1 + strspn(eq + 1, " ");
        value[strcspn(value, "\n")] = '\0';
        for (size_t i = 0; i < N_OPTIONS; i++) {
            if (strcmp(p, option_rows[i].name) != 0)
                continue;
            seen[i] = true;
            if (commented)
                ck_assert_msg(strcmp(value, option_rows[i].def) == 0,
                              "conf/myrmex.ini shows %s = '%s' but the default is '%s'", p, value,
                              option_rows[i].def);
        }
    }
    fclose(f);
    for (size_t i = 0; i < N_OPTIONS; i++)
        ck_assert_msg(seen[i], "option %s is missing from conf/myrmex.ini", option_rows[i].name);

    cfg = config_load(SAMPLE_CONFIG, err, sizeof(err));
    ck_assert_msg(cfg != NULL, "%s", err);
    ck_assert_str_eq(cfg->listen_addr, "127.0.0.1");
    ck_assert_int_eq(cfg->listen_port, 6432);
    ck_assert_int_eq(cfg->auth_type, AUTH_TRUST);
    ck_assert_int_eq(cfg->pool_mode, POOL_TRANSACTION);
    ck_assert_uint_eq(cfg->n_dbs, 1);
    ck_assert_str_eq(config_find_db(cfg, "app")->dbname, "app");
    ck_assert_uint_eq(cfg->n_warnings, 0);
    config_destroy(cfg);
}
END_TEST

/* The commented examples of conf/myrmex.ini parse as written. */
START_TEST(test_sample_config_examples_parse)
{
    FILE *f = fopen(SAMPLE_CONFIG, "r");
    char line[1024];
    bool in_databases = false;
    int examples = 0;

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        struct db_config db;
        char *eq, *name;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '[')
            in_databases = strcmp(line, "[databases]") == 0;
        if (!in_databases || line[0] != ';' || line[1] == ';' || !(eq = strchr(line, '=')))
            continue;
        *eq = '\0';
        name = line + 1;
        name[strcspn(name, " ")] = '\0';
        ck_assert_msg(config_parse_db(name, eq + 1, &db, err, sizeof(err)), "%s: %s", name, err);
        config_db_fini(&db);
        examples++;
    }
    fclose(f);
    ck_assert_int_ge(examples, 4);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_are_the_table);
    tcase_add_test(tc, test_value_types);
    tcase_add_test(tc, test_errors_name_file_and_line);
    tcase_add_test(tc, test_pgbouncer_ini_and_userlist);
    tcase_add_test(tc, test_userlist_errors);
    tcase_add_test(tc, test_reserved_sections_and_quoted_names);
    tcase_add_test(tc, test_db_libpq_form);
    tcase_add_test(tc, test_db_url_form);
    tcase_add_test(tc, test_db_sqlite_form);
    tcase_add_test(tc, test_users_section);
    tcase_add_test(tc, test_include);
    tcase_add_test(tc, test_env_overrides);
    tcase_add_test(tc, test_env_databases);
    tcase_add_test(tc, test_lookups);
    tcase_add_test(tc, test_reload_compatible);
    tcase_add_test(tc, test_visit_round_trip);
    tcase_add_test(tc, test_db_errors_hide_passwords);
    tcase_add_test(tc, test_sample_config_documents_every_option);
    tcase_add_test(tc, test_sample_config_examples_parse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
