/* Prepared statement stress (tests/clients/stress.sh): NCLIENTS threads, each with its own
 * connection through the proxy, prepare NSTMT named statements each (client c's statement j is
 * "s<j>", whose text is statement number k = (c * 5 + j) % UNIVERSE: the same names stand for
 * different statements in different clients, and the sets overlap), then execute random ones of
 * them for SECONDS seconds, some inside explicit transactions. Every result must belong to the
 * statement executed: statement k returns its own number k, the text 'stmt k' and the echo of
 * its parameter. Every client also samples SELECT count(*) FROM pg_prepared_statements through
 * the pool (the count of the server connection it ran on), which must stay <= MAX_PREPARED
 * (+1 for the sampling statement itself, when it is prepared).
 *
 * usage: stress CONNINFO NCLIENTS NSTMT SECONDS MAX_PREPARED
 * Prints one summary line; exits 1 on any error or wrong result. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNIVERSE 300

static const char *conninfo;
static int nstmt, seconds, max_prepared;
static double deadline;
static atomic_long executions, transactions, samples, errors, max_seen;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(int client, const char *fmt, const char *a, const char *b)
{
    long n = atomic_fetch_add(&errors, 1);
    if (n < 20) {
        pthread_mutex_lock(&print_lock);
        printf("client %d: ", client);
        printf(fmt, a, b);
        printf("\n");
        fflush(stdout);
        pthread_mutex_unlock(&print_lock);
    }
}

static int expect_ok(int client, PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) == want)
        return 1;
    report(client, "%s: %s", what, PQresultErrorMessage(r));
    return 0;
}

static void *client_main(void *arg)
{
    int c = (int)(long)arg;
    unsigned seed = (unsigned)c * 2654435761u;
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        report(c, "connect: %s%s", PQerrorMessage(conn), "");
        PQfinish(conn);
        return NULL;
    }
    int *ks = calloc((size_t)nstmt, sizeof *ks);
    for (int j = 0; j < nstmt && PQstatus(conn) == CONNECTION_OK; j++) {
        char name[32], sql[160];
        ks[j] = (c * 5 + j) % UNIVERSE;
        snprintf(name, sizeof name, "s%d", j);
        snprintf(sql, sizeof sql, "SELECT %d AS id, 'stmt %d' AS tag, $1::int AS echo", ks[j],
                 ks[j]);
        PGresult *r = PQprepare(conn, name, sql, 1, NULL);
        int good = expect_ok(c, r, PGRES_COMMAND_OK, "PQprepare");
        PQclear(r);
        if (!good)
            goto out;
    }
    for (long it = 0; now() < deadline; it++) {
        int in_tx = rand_r(&seed) % 8 == 0, n = in_tx ? 3 : 1;
        PGresult *r;
        if (in_tx) {
            r = PQexec(conn, "BEGIN");
            int good = expect_ok(c, r, PGRES_COMMAND_OK, "BEGIN");
            PQclear(r);
            if (!good)
                goto out;
        }
        for (int e = 0; e < n; e++) {
            int j = rand_r(&seed) % nstmt, v = rand_r(&seed) % 1000000;
            char name[32], val[16], want_tag[32];
            snprintf(name, sizeof name, "s%d", j);
            snprintf(val, sizeof val, "%d", v);
            const char *p[1] = {val};
            r = PQexecPrepared(conn, name, 1, p, NULL, NULL, 0);
            if (!expect_ok(c, r, PGRES_TUPLES_OK, name)) {
                PQclear(r);
                goto out;
            }
            snprintf(want_tag, sizeof want_tag, "stmt %d", ks[j]);
            if (PQntuples(r) != 1 || PQnfields(r) != 3 || atoi(PQgetvalue(r, 0, 0)) != ks[j] ||
                strcmp(PQgetvalue(r, 0, 1), want_tag) != 0 ||
                strcmp(PQgetvalue(r, 0, 2), val) != 0) {
                char got[128];
                snprintf(got, sizeof got, "%s / %s / %s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "-",
                         PQntuples(r) ? PQgetvalue(r, 0, 1) : "-",
                         PQntuples(r) ? PQgetvalue(r, 0, 2) : "-");
                report(c, "WRONG RESULT for %s: got %s", want_tag, got);
            }
            PQclear(r);
            atomic_fetch_add(&executions, 1);
        }
        if (in_tx) {
            r = PQexec(conn, "COMMIT");
            int good = expect_ok(c, r, PGRES_COMMAND_OK, "COMMIT");
            PQclear(r);
            if (!good)
                goto out;
            atomic_fetch_add(&transactions, 1);
        }
        if (it % 50 == 25) {
            r = PQexecParams(conn, "SELECT count(*) FROM pg_prepared_statements", 0, NULL, NULL,
                             NULL, NULL, 0);
            if (!expect_ok(c, r, PGRES_TUPLES_OK, "count of pg_prepared_statements")) {
                PQclear(r);
                goto out;
            }
            long cnt = atol(PQgetvalue(r, 0, 0));
            PQclear(r);
            long m = atomic_load(&max_seen);
            while (cnt > m && !atomic_compare_exchange_weak(&max_seen, &m, cnt))
                ;
            if (cnt > max_prepared) {
                char s[32];
                snprintf(s, sizeof s, "%ld", cnt);
                report(c,
                       "a server holds %s prepared statements, more than max_prepared_statements%s",
                       s, "");
            }
            atomic_fetch_add(&samples, 1);
        }
    }
out:
    free(ks);
    PQfinish(conn);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s CONNINFO NCLIENTS NSTMT SECONDS MAX_PREPARED\n", argv[0]);
        return 64;
    }
    conninfo = argv[1];
    int nclients = atoi(argv[2]);
    nstmt = atoi(argv[3]);
    seconds = atoi(argv[4]);
    max_prepared = atoi(argv[5]);
    if (nclients < 1 || nclients > 1000 || nstmt < 1 || nstmt > UNIVERSE || seconds < 1 ||
        seconds > 600)
        return 64;
    deadline = now() + seconds;
    pthread_t *th = calloc((size_t)nclients, sizeof *th);
    for (int i = 0; i < nclients; i++)
        if (pthread_create(&th[i], NULL, client_main, (void *)(long)i) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    for (int i = 0; i < nclients; i++)
        pthread_join(th[i], NULL);
    free(th);
    printf("clients %d statements %d seconds %d: executions %ld transactions %ld samples %ld "
           "max_server_prepared %ld errors %ld\n",
           nclients, nstmt, seconds, atomic_load(&executions), atomic_load(&transactions),
           atomic_load(&samples), atomic_load(&max_seen), atomic_load(&errors));
    return atomic_load(&errors) == 0 && atomic_load(&executions) > 0 && atomic_load(&samples) > 0
               ? 0
               : 1;
}
