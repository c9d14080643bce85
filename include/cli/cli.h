/*
 * Command-line twins of the console: `myrmex admin "SHOW POOLS" -c conf/myrmex.ini` runs
 * console commands against the running proxy the configuration describes, so scripts and
 * containers need no psql.
 */
#ifndef MYRMEX_CLI_CLI_H
#define MYRMEX_CLI_CLI_H

/* `myrmex admin ...` with argv[0] == "admin": exit 0, 1 (a command failed), 2 (usage or
 * connection). */
int cli_admin_main(int argc, char **argv);
/* `myrmex migrate ...` with argv[0] == "migrate": exit 0, 1 (the action failed), 2 (usage or
 * connection). */
int cli_migrate_main(int argc, char **argv);

#endif
