/*
 * The option table: one row per configuration key of the [myrmex] section (also read from
 * [pgbouncer]). Parsing, defaults, SHOW CONFIG, MYRMEX_<KEY> environment overrides and the
 * check of conf/myrmex.ini are all generated from these rows.
 *
 * OPT(name, type, reload, default, doc)
 *   type:   STR, INT, BOOL, DUR (seconds in the file, may be fractional; stored as
 *           milliseconds in <name>_ms), MODE (session|transaction|statement), AUTH
 *           (trust|plain|md5|scram-sha-256), LEVEL (log level name)
 *   reload: true when a SIGHUP reload may change it; false when a restart is needed.
 */
/* clang-format off */
OPT(listen_addr,              STR,   false, "127.0.0.1",   "address to listen on for TCP clients; '*' for all; empty to disable TCP")
OPT(listen_port,              INT,   false, "6432",        "TCP port (also names the unix socket .s.PGSQL.<port>)")
OPT(unix_socket_dir,          STR,   false, "/tmp",        "directory of the unix socket; empty to disable it")
OPT(workers,                  INT,   false, "0",           "worker threads, each with its own event loop; 0 means one per core")
OPT(pidfile,                  STR,   false, "",            "file to write the process id to")
OPT(log_level,                LEVEL, true,  "info",        "debug, info, warning or error")
OPT(log_format,               STR,   true,  "text",        "text or json")
OPT(auth_type,                AUTH,  true,  "md5",         "client authentication: trust, plain, md5 or scram-sha-256 (md5 uses SCRAM for users with a SCRAM secret)")
OPT(auth_file,                STR,   true,  "",            "userlist.txt-style file of \"user\" \"secret\" lines (plain, md5 or SCRAM secrets)")
OPT(admin_users,              STR,   true,  "",            "comma-separated users allowed to run every console command")
OPT(stats_users,              STR,   true,  "",            "comma-separated users allowed to run SHOW on the console")
OPT(pool_mode,                MODE,  true,  "session",     "default pool mode: session, transaction or statement")
OPT(default_pool_size,        INT,   true,  "20",          "server connections per (database, user) pool")
OPT(min_pool_size,            INT,   true,  "0",           "keep at least this many server connections open per pool")
OPT(reserve_pool_size,        INT,   true,  "0",           "extra connections a pool may open when a client waited reserve_pool_timeout")
OPT(reserve_pool_timeout,     DUR,   true,  "5",           "seconds a client waits before the reserve pool is used")
OPT(max_client_conn,          INT,   true,  "100",         "maximum client connections")
OPT(max_db_connections,       INT,   true,  "0",           "maximum server connections per database over all users; 0 is unlimited")
OPT(max_user_connections,     INT,   true,  "0",           "maximum server connections per user over all databases; 0 is unlimited")
OPT(server_reset_query,       STR,   true,  "DISCARD ALL", "query run on a server before it is handed to another client in session mode")
OPT(server_reset_query_always,BOOL,  true,  "0",           "also run server_reset_query in transaction and statement mode")
OPT(server_check_query,       STR,   true,  "select 1",    "query that checks an idle server before reuse; empty to disable")
OPT(server_check_delay,       DUR,   true,  "30",          "seconds a server may be idle before it is checked again")
OPT(server_lifetime,          DUR,   true,  "3600",        "close a server connection older than this once it is released; 0 disables")
OPT(server_idle_timeout,      DUR,   true,  "600",         "close a server connection idle longer than this; 0 disables")
OPT(server_connect_timeout,   DUR,   true,  "15",          "seconds allowed for connect and login to a server")
OPT(server_login_retry,       DUR,   true,  "15",          "seconds to wait after a failed server login before trying again")
OPT(query_timeout,            DUR,   true,  "0",           "cancel queries running longer than this; 0 disables")
OPT(query_wait_timeout,       DUR,   true,  "120",         "seconds a client may wait for a server before it gets an error; 0 disables")
OPT(client_idle_timeout,      DUR,   true,  "0",           "close client connections idle longer than this; 0 disables")
OPT(client_login_timeout,     DUR,   true,  "60",          "seconds a client has to finish login")
OPT(idle_transaction_timeout, DUR,   true,  "0",           "close clients idle inside a transaction longer than this; 0 disables")
OPT(shutdown_timeout,         DUR,   true,  "30",          "seconds SIGTERM waits for transactions to finish before closing them")
OPT(max_packet_size,          INT,   true,  "2147483647",  "largest protocol message accepted from a client, in bytes")
OPT(max_prepared_statements,  INT,   true,  "200",         "named statements a server keeps for transaction/statement pooling (LRU); 0 refuses them there")
OPT(ignore_startup_parameters,STR,   true,  "",            "comma-separated startup parameters to accept and ignore")
OPT(application_name_add_host,BOOL,  true,  "0",           "append the client's address and port to application_name")
OPT(stats_period,             DUR,   true,  "60",          "seconds over which SHOW STATS averages are computed")
OPT(tcp_keepalive,            BOOL,  true,  "1",           "enable TCP keepalive on client and server sockets")
OPT(sqlite_synchronous,       STR,   true,  "full",        "PRAGMA synchronous for sqlite:// databases: full (a committed transaction survives power loss), normal (faster, may lose the last transactions on power loss) or off")
OPT(sqlite_busy_timeout,      DUR,   true,  "5",           "seconds a statement on an sqlite:// database waits for another writer before failing with 55P03")
OPT(metrics_listen,           STR,   false, "",            "host:port of the HTTP listener (/healthz, /readyz); empty disables it")
/* clang-format on */
