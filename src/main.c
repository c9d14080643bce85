/*
 * myrmex: command line, start-up order and exit code. Configuration errors are reported
 * with their file and line before anything starts listening.
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config.h"
#include "config/config.h"
#include "core/proxy.h"
#include "util/log.h"

static void usage(FILE *out)
{
    fprintf(out, "Usage: myrmex [options] [config.ini]\n"
                 "       myrmex admin [-c FILE] [-U USER] COMMAND...  run console commands\n"
                 "       myrmex migrate [-c FILE] [-d DB] status|up|down|validate|repair|baseline\n"
                 "  -c, --config FILE   configuration file (default: conf/myrmex.ini if present)\n"
                 "      --check-config  validate the configuration and exit\n"
                 "  -d, --daemon        run in the background\n"
                 "  -p, --pidfile FILE  write the process id to FILE\n"
                 "  -v, --verbose       log at debug level\n"
                 "  -V, --version       print the version and exit\n"
                 "  -h, --help          show this help\n"
                 "Every option can also be set as MYRMEX_<KEY> in the environment.\n");
}

static void print_option(void *arg, const char *key, const char *value, const char *def,
                         bool reloadable, const char *doc)
{
    printf("  %-28s = %s\n", key, value);
}

static bool write_pidfile(const char *path)
{
    FILE *f;
    if (!path || !path[0])
        return true;
    f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "myrmex: cannot write pidfile %s\n", path);
        return false;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return true;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"check-config", no_argument, NULL, 'C'},
        {"daemon", no_argument, NULL, 'd'},       {"pidfile", required_argument, NULL, 'p'},
        {"verbose", no_argument, NULL, 'v'},      {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *path = NULL, *pidfile = NULL;
    bool check = false, daemonize = false, verbose = false;
    struct config *cfg;
    char err[1024];
    int opt, rc;

    if (argc > 1 && strcmp(argv[1], "admin") == 0)
        return cli_admin_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "migrate") == 0)
        return cli_migrate_main(argc - 1, argv + 1);
    while ((opt = getopt_long(argc, argv, "c:dp:vVh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'C':
            check = true;
            break;
        case 'd':
            daemonize = true;
            break;
        case 'p':
            pidfile = optarg;
            break;
        case 'v':
            verbose = true;
            break;
        case 'V':
            printf("myrmex %s\n", PACKAGE_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc && !path)
        path = argv[optind++];
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (!path && access("conf/myrmex.ini", R_OK) == 0 && !getenv("MYRMEX_DATABASES") &&
        !getenv("MYRMEX_DATABASE_URL"))
        path = "conf/myrmex.ini";

    cfg = config_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "myrmex: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < cfg->n_warnings; i++)
        fprintf(stderr, "myrmex: warning: %s\n", cfg->warnings[i]);
    if (check) {
        printf("configuration %s is valid: %zu database(s), %zu user entr%s in auth_file\n",
               path ? path : "(environment)", cfg->n_dbs, cfg->n_auth,
               cfg->n_auth == 1 ? "y" : "ies");
        if (verbose)
            config_visit(cfg, print_option, NULL);
        config_destroy(cfg);
        return 0;
    }
    if (verbose)
        cfg->log_level = LOG_DEBUG;
    if (daemonize && daemon(1, 0) < 0) {
        fprintf(stderr, "myrmex: could not daemonize\n");
        config_destroy(cfg);
        return 1;
    }
    /* The configuration is replaced by reloads and freed by proxy_run(),
     * so keep our own copy of the pidfile path for the unlink at exit. */
    char *own_pidfile = strdup(pidfile ? pidfile : cfg->pidfile ? cfg->pidfile : "");
    if (!own_pidfile) {
        fprintf(stderr, "myrmex: out of memory\n");
        config_destroy(cfg);
        return 1;
    }
    pidfile = own_pidfile;
    proxy_set_config_path(path);
    /*
     * Socket buffers are allocated per read and freed once forwarded: keep freed memory in
     * the process instead of giving it back to the kernel (and faulting it in) every time.
     */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
    if (!write_pidfile(pidfile)) {
        config_destroy(cfg);
        free(own_pidfile);
        return 1;
    }
    if (!proxy_start(cfg)) {
        proxy_cleanup();
        free(own_pidfile);
        return 1;
    }
    rc = proxy_run();
    if (pidfile[0])
        unlink(pidfile);
    proxy_cleanup();
    free(own_pidfile);
    return rc;
}
