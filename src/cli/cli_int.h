/*
 * Shared by the command-line twins of the console (cli_admin.c, cli_migrate.c): the console
 * connection and psql-style tables.
 */
#ifndef MYRMEX_CLI_CLI_INT_H
#define MYRMEX_CLI_CLI_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct config;

/* Connect to the console of the proxy cfg describes as user: PGPASSWORD or ~/.pgpass, else a
 * plain-text auth_file secret. Check PQstatus. */
PGconn *cli_console_connect(const struct config *cfg, const char *user,
                            const char *application_name);
/* The first of admin_users into out; false when there is none. */
bool cli_first_admin(const struct config *cfg, char *out, size_t outlen);
/* A result set as psql prints it in aligned mode: cells row by row (NULL prints empty);
 * right[c] right-aligns a column (NULL: none). */
void cli_table_print(int nf, int nt, const char *const *names, const char *const *cells,
                     const bool *right);
void cli_print_result(const PGresult *res);

#endif
