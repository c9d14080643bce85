/*
 * The emulated pg_catalog and information_schema of an SQLite session, as SQL (private to
 * sqlite_catalog.c): TEMP tables with PostgreSQL's column names and types (so RowDescription
 * and the text output of bool/oid/"char" columns come out as PostgreSQL's), the static rows,
 * and the views built on them. Columns clients do not read may be left out.
 */
#ifndef MYRMEX_SQLITE_CATALOG_DDL_H
#define MYRMEX_SQLITE_CATALOG_DDL_H

/* Tables refilled whenever the schema changes (see sq_catalog_prepare). */
static const char *const sq_cat_tables[] = {
    "CREATE TEMP TABLE IF NOT EXISTS pg_namespace (oid oid, nspname name, nspowner oid, "
    "nspacl text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_class (oid oid, relname name, relnamespace oid, "
    "reltype oid, reloftype oid, relowner oid, relam oid, relfilenode oid, reltablespace oid, "
    "relpages int4, reltuples float4, relallvisible int4, reltoastrelid oid, relhasindex bool, "
    "relisshared bool, relpersistence [\"char\"], relkind [\"char\"], relnatts int2, relchecks "
    "int2, "
    "relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool, "
    "relforcerowsecurity bool, relispopulated bool, relreplident [\"char\"], relispartition bool, "
    "relrewrite oid, relfrozenxid text, relminmxid text, relacl text, reloptions text, "
    "relpartbound text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_attribute (attrelid oid, attname name, atttypid oid, "
    "attstattarget int4, attlen int2, attnum int2, attndims int4, attcacheoff int4, "
    "atttypmod int4, attbyval bool, attalign [\"char\"], attstorage [\"char\"], "
    "attcompression [\"char\"], attnotnull bool, atthasdef bool, atthasmissing bool, "
    "attidentity [\"char\"], attgenerated [\"char\"], attisdropped bool, attislocal bool, "
    "attinhcount int4, attcollation oid, attacl text, attoptions text, attfdwoptions text, "
    "attmissingval text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_attrdef (oid oid, adrelid oid, adnum int2, adbin text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_index (indexrelid oid, indrelid oid, indnatts int2, "
    "indnkeyatts int2, indisunique bool, indnullsnotdistinct bool, indisprimary bool, "
    "indisexclusion bool, indimmediate bool, indisclustered bool, indisvalid bool, "
    "indcheckxmin bool, indisready bool, indislive bool, indisreplident bool, indkey text, "
    "indcollation text, indclass text, indoption text, indexprs text, indpred text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_constraint (oid oid, conname name, connamespace oid, "
    "contype [\"char\"], condeferrable bool, condeferred bool, convalidated bool, conrelid oid, "
    "contypid oid, conindid oid, conparentid oid, confrelid oid, confupdtype [\"char\"], "
    "confdeltype [\"char\"], confmatchtype [\"char\"], conislocal bool, coninhcount int4, "
    "connoinherit bool, conkey text, confkey text, conpfeqop text, conppeqop text, "
    "conffeqop text, confdelsetcols text, conexclop text, conbin text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_type (oid oid, typname name, typnamespace oid, "
    "typowner oid, typlen int2, typbyval bool, typtype [\"char\"], typcategory [\"char\"], "
    "typispreferred bool, typisdefined bool, typdelim [\"char\"], typrelid oid, typsubscript text, "
    "typelem oid, typarray oid, typinput regproc, typoutput regproc, typreceive regproc, "
    "typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, "
    "typalign [\"char\"], typstorage [\"char\"], typnotnull bool, typbasetype oid, typtypmod int4, "
    "typndims int4, typcollation oid, typdefaultbin text, typdefault text, typacl text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_am (oid oid, amname name, amhandler regproc, "
    "amtype [\"char\"])",
    "CREATE TEMP TABLE IF NOT EXISTS pg_database (oid oid, datname name, datdba oid, "
    "encoding int4, datlocprovider [\"char\"], datistemplate bool, datallowconn bool, "
    "datconnlimit int4, datfrozenxid text, datminmxid text, dattablespace oid, datcollate text, "
    "datctype text, daticulocale text, datcollversion text, datacl text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_authid (oid oid, rolname name, rolsuper bool, "
    "rolinherit bool, rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, "
    "rolreplication bool, rolbypassrls bool, rolconnlimit int4, rolpassword text, "
    "rolvaliduntil timestamptz)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_auth_members (roleid oid, member oid, grantor oid, "
    "admin_option bool)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_settings (name text, setting text, unit text, "
    "category text, short_desc text, extra_desc text, context text, vartype text, source text, "
    "min_val text, max_val text, enumvals text, boot_val text, reset_val text, sourcefile text, "
    "sourceline int4, pending_restart bool)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_proc (oid oid, proname name, pronamespace oid, "
    "proowner oid, prolang oid, procost float4, prorows float4, provariadic oid, "
    "prosupport regproc, prokind [\"char\"], prosecdef bool, proleakproof bool, proisstrict bool, "
    "proretset bool, provolatile [\"char\"], proparallel [\"char\"], pronargs int2, "
    "pronargdefaults int2, prorettype oid, proargtypes text, proallargtypes text, "
    "proargmodes text, proargnames text, proargdefaults text, protrftypes text, prosrc text, "
    "probin text, prosqlbody text, proconfig text, proacl text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_description (objoid oid, classoid oid, objsubid int4, "
    "description text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_shdescription (objoid oid, classoid oid, "
    "description text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_collation (oid oid, collname name, collnamespace oid, "
    "collowner oid, collprovider [\"char\"], collisdeterministic bool, collencoding int4, "
    "collcollate text, collctype text, colliculocale text, collversion text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_inherits (inhrelid oid, inhparent oid, inhseqno int4, "
    "inhdetachpending bool)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_tablespace (oid oid, spcname name, spcowner oid, "
    "spcacl text, spcoptions text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_extension (oid oid, extname name, extowner oid, "
    "extnamespace oid, extrelocatable bool, extversion text, extconfig text, "
    "extcondition text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_language (oid oid, lanname name, lanowner oid, "
    "lanispl bool, lanpltrusted bool, lanplcallfoid oid, laninline oid, lanvalidator oid, "
    "lanacl text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_sequence (seqrelid oid, seqtypid oid, seqstart int8, "
    "seqincrement int8, seqmax int8, seqmin int8, seqcache int8, seqcycle bool)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_depend (classid oid, objid oid, objsubid int4, "
    "refclassid oid, refobjid oid, refobjsubid int4, deptype [\"char\"])",
    /* What SQLite does not have: present and empty. */
    "CREATE TEMP TABLE IF NOT EXISTS pg_policy (oid oid, polname name, polrelid oid, "
    "polcmd [\"char\"], polpermissive bool, polroles text, polqual text, polwithcheck text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_rewrite (oid oid, rulename name, ev_class oid, "
    "ev_type [\"char\"], ev_enabled [\"char\"], is_instead bool, ev_qual text, ev_action text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_trigger (oid oid, tgrelid oid, tgparentid oid, "
    "tgname name, tgfoid oid, tgtype int2, tgenabled [\"char\"], tgisinternal bool, "
    "tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, "
    "tginitdeferred bool, tgnargs int2, tgattr text, tgargs text, tgqual text, "
    "tgoldtable name, tgnewtable name)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_publication (oid oid, pubname name, pubowner oid, "
    "puballtables bool, pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, "
    "pubviaroot bool)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_publication_rel (oid oid, prpubid oid, prrelid oid, "
    "prqual text, prattrs text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_publication_namespace (oid oid, pnpubid oid, "
    "pnnspid oid)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_statistic_ext (oid oid, stxrelid oid, stxname name, "
    "stxnamespace oid, stxowner oid, stxstattarget int4, stxkeys text, stxkind text, "
    "stxexprs text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_partitioned_table (partrelid oid, partstrat [\"char\"], "
    "partnatts int2, partdefid oid, partattrs text, partclass text, partcollation text, "
    "partexprs text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_foreign_table (ftrelid oid, ftserver oid, "
    "ftoptions text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_enum (oid oid, enumtypid oid, enumsortorder float4, "
    "enumlabel name)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_event_trigger (oid oid, evtname name, evtevent name, "
    "evtowner oid, evtfoid oid, evtenabled [\"char\"], evttags text)",
    "CREATE TEMP TABLE IF NOT EXISTS pg_cast (oid oid, castsource oid, casttarget oid, "
    "castfunc oid, castcontext [\"char\"], castmethod [\"char\"])",
    "CREATE TEMP TABLE IF NOT EXISTS pg_operator (oid oid, oprname name, oprnamespace oid, "
    "oprowner oid, oprkind [\"char\"], oprleft oid, oprright oid, oprresult oid, oprcode regproc)",
    /* Helpers of pg_get_indexdef / pg_get_constraintdef / pg_get_viewdef. */
    "CREATE TEMP TABLE IF NOT EXISTS _myrmex_catalog_def (oid oid PRIMARY KEY, def text, "
    "cols text)",
    "CREATE TEMP TABLE IF NOT EXISTS _myrmex_catalog_state (kind text PRIMARY KEY, sig text)",
};

/* Rows that do not depend on the database (inserted with each refill). */
static const char *const sq_cat_static[] = {
    "INSERT INTO temp.pg_namespace VALUES (11, 'pg_catalog', 10, NULL), "
    "(99, 'pg_toast', 10, NULL), (2200, 'public', 6171, NULL), "
    "(13205, 'information_schema', 10, NULL)",
    "INSERT INTO temp.pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't'), "
    "(403, 'btree', 'bthandler', 'i')",
    "INSERT INTO temp.pg_tablespace VALUES (1663, 'pg_default', 10, NULL, NULL), "
    "(1664, 'pg_global', 10, NULL, NULL)",
    "INSERT INTO temp.pg_collation VALUES (100, 'default', 11, 10, 'd', 1, -1, NULL, NULL, "
    "NULL, NULL), (950, 'C', 11, 10, 'c', 1, -1, 'C', 'C', NULL, NULL), "
    "(951, 'POSIX', 11, 10, 'c', 1, -1, 'POSIX', 'POSIX', NULL, NULL)",
    /* The catalog's own tables, with PostgreSQL's OIDs ('pg_class'::regclass is 1259). */
    "INSERT INTO temp.pg_class (oid, relname, relnamespace, reltype, reloftype, relowner, "
    "relam, relfilenode, reltablespace, relpages, reltuples, relallvisible, reltoastrelid, "
    "relhasindex, relisshared, relpersistence, relkind, relnatts, relchecks, relhasrules, "
    "relhastriggers, relhassubclass, relrowsecurity, relforcerowsecurity, relispopulated, "
    "relreplident, relispartition, relrewrite) SELECT column1, column2, 11, 0, 0, 10, 2, "
    "column1, 0, 0, -1, 0, 0, 0, 0, 'p', 'r', 0, 0, 0, 0, 0, 0, 0, 1, 'n', 0, 0 FROM (VALUES "
    "(1247, 'pg_type'), (1249, 'pg_attribute'), (1255, 'pg_proc'), (1259, 'pg_class'), "
    "(1260, 'pg_authid'), (1261, 'pg_auth_members'), (1262, 'pg_database'), "
    "(2615, 'pg_namespace'), (2606, 'pg_constraint'), (2610, 'pg_index'), "
    "(2604, 'pg_attrdef'), (2609, 'pg_description'), (2396, 'pg_shdescription'), "
    "(2601, 'pg_am'), (3456, 'pg_collation'), (2611, 'pg_inherits'), (1213, 'pg_tablespace'), "
    "(3079, 'pg_extension'), (2612, 'pg_language'), (2224, 'pg_sequence'), "
    "(2608, 'pg_depend'), (2618, 'pg_rewrite'), (2620, 'pg_trigger'), (3256, 'pg_policy'), "
    "(3381, 'pg_statistic_ext'), (6104, 'pg_publication'), (6106, 'pg_publication_rel'), "
    "(6237, 'pg_publication_namespace'), (3350, 'pg_partitioned_table'), "
    "(3118, 'pg_foreign_table'), (3501, 'pg_enum'), (3466, 'pg_event_trigger'), "
    "(2605, 'pg_cast'), (2617, 'pg_operator'))",
    "INSERT INTO temp.pg_language VALUES (12, 'internal', 10, 0, 0, 0, 0, 2246, NULL), "
    "(13, 'c', 10, 0, 0, 0, 0, 2247, NULL), (14, 'sql', 10, 0, 1, 0, 0, 2248, NULL)",
};

/* Views: PostgreSQL's own views over the tables above, and information_schema. */
static const char *const sq_cat_views[] = {
    "CREATE TEMP VIEW IF NOT EXISTS pg_roles AS SELECT rolname, rolsuper, rolinherit, "
    "rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, "
    "'********' AS rolpassword, rolvaliduntil, rolbypassrls, NULL AS rolconfig, oid "
    "FROM temp.pg_authid",
    "CREATE TEMP VIEW IF NOT EXISTS pg_user AS SELECT rolname AS usename, oid AS usesysid, "
    "rolcreatedb AS usecreatedb, rolsuper AS usesuper, rolreplication AS userepl, "
    "rolbypassrls AS usebypassrls, '********' AS passwd, rolvaliduntil AS valuntil, "
    "NULL AS useconfig FROM temp.pg_authid WHERE rolcanlogin",
    "CREATE TEMP VIEW IF NOT EXISTS pg_tables AS SELECT n.nspname AS schemaname, "
    "c.relname AS tablename, pg_get_userbyid(c.relowner) AS tableowner, NULL AS tablespace, "
    "c.relhasindex AS hasindexes, c.relhasrules AS hasrules, c.relhastriggers AS hastriggers, "
    "c.relrowsecurity AS rowsecurity FROM temp.pg_class c JOIN temp.pg_namespace n ON "
    "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')",
    "CREATE TEMP VIEW IF NOT EXISTS pg_views AS SELECT n.nspname AS schemaname, "
    "c.relname AS viewname, pg_get_userbyid(c.relowner) AS viewowner, "
    "pg_get_viewdef(c.oid) AS definition FROM temp.pg_class c JOIN temp.pg_namespace n ON "
    "n.oid = c.relnamespace WHERE c.relkind = 'v'",
    "CREATE TEMP VIEW IF NOT EXISTS pg_indexes AS SELECT n.nspname AS schemaname, "
    "c.relname AS tablename, i.relname AS indexname, NULL AS tablespace, "
    "pg_get_indexdef(i.oid) AS indexdef FROM temp.pg_index x JOIN temp.pg_class c ON "
    "c.oid = x.indrelid JOIN temp.pg_class i ON i.oid = x.indexrelid JOIN temp.pg_namespace n "
    "ON n.oid = c.relnamespace",
    "CREATE TEMP VIEW IF NOT EXISTS pg_matviews AS SELECT NULL AS schemaname, "
    "NULL AS matviewname, NULL AS matviewowner, NULL AS tablespace, NULL AS hasindexes, "
    "NULL AS ispopulated, NULL AS definition WHERE 0",
    "CREATE TEMP VIEW IF NOT EXISTS pg_sequences AS SELECT 'public' AS schemaname, "
    "c.relname AS sequencename, pg_get_userbyid(c.relowner) AS sequenceowner, "
    "format_type(s.seqtypid, NULL) AS data_type, s.seqstart AS start_value, "
    "s.seqmin AS min_value, s.seqmax AS max_value, s.seqincrement AS increment_by, "
    "s.seqcycle AS cycle, s.seqcache AS cache_size, NULL AS last_value "
    "FROM temp.pg_sequence s JOIN temp.pg_class c ON c.oid = s.seqrelid",
    /* information_schema */
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.schemata\" AS SELECT "
    "current_database() AS catalog_name, nspname AS schema_name, "
    "pg_get_userbyid(nspowner) AS schema_owner, NULL AS default_character_set_catalog, "
    "NULL AS default_character_set_schema, NULL AS default_character_set_name, "
    "NULL AS sql_path FROM temp.pg_namespace",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.tables\" AS SELECT "
    "current_database() AS table_catalog, n.nspname AS table_schema, c.relname AS table_name, "
    "CASE c.relkind WHEN 'r' THEN 'BASE TABLE' WHEN 'v' THEN 'VIEW' ELSE 'LOCAL TEMPORARY' "
    "END AS table_type, NULL AS self_referencing_column_name, NULL AS reference_generation, "
    "NULL AS user_defined_type_catalog, NULL AS user_defined_type_schema, "
    "NULL AS user_defined_type_name, CASE c.relkind WHEN 'r' THEN 'YES' ELSE 'NO' END "
    "AS is_insertable_into, 'NO' AS is_typed, NULL AS commit_action FROM temp.pg_class c "
    "JOIN temp.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v', 'p')",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.views\" AS SELECT "
    "current_database() AS table_catalog, 'public' AS table_schema, c.relname AS table_name, "
    "pg_get_viewdef(c.oid) AS view_definition, 'NONE' AS check_option, "
    "'NO' AS is_updatable, 'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, "
    "'NO' AS is_trigger_deletable, 'NO' AS is_trigger_insertable_into "
    "FROM temp.pg_class c WHERE c.relkind = 'v'",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.columns\" AS SELECT "
    "current_database() AS table_catalog, 'public' AS table_schema, c.relname AS table_name, "
    "a.attname AS column_name, a.attnum AS ordinal_position, d.adbin AS column_default, "
    "CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable, "
    "format_type(a.atttypid, NULL) AS data_type, "
    "CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4 END "
    "AS character_maximum_length, "
    "CASE WHEN a.atttypid IN (25, 1042, 1043) THEN CASE WHEN a.atttypmod >= 4 THEN "
    "4 * (a.atttypmod - 4) ELSE 1073741824 END END AS character_octet_length, "
    "CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 "
    "WHEN 701 THEN 53 WHEN 1700 THEN CASE WHEN a.atttypmod >= 4 THEN "
    "((a.atttypmod - 4) >> 16) & 65535 END END AS numeric_precision, "
    "CASE WHEN a.atttypid IN (21, 23, 20, 700, 701) THEN 2 WHEN a.atttypid = 1700 THEN 10 END "
    "AS numeric_precision_radix, "
    "CASE WHEN a.atttypid IN (21, 23, 20) THEN 0 WHEN a.atttypid = 1700 AND a.atttypmod >= 4 "
    "THEN (a.atttypmod - 4) & 65535 END AS numeric_scale, "
    "CASE WHEN a.atttypid IN (1082) THEN 0 WHEN a.atttypid IN (1083, 1114, 1184, 1186) THEN "
    "CASE WHEN a.atttypmod >= 0 THEN a.atttypmod ELSE 6 END END AS datetime_precision, "
    "NULL AS interval_type, NULL AS interval_precision, NULL AS character_set_catalog, "
    "NULL AS character_set_schema, NULL AS character_set_name, NULL AS collation_catalog, "
    "NULL AS collation_schema, NULL AS collation_name, current_database() AS domain_catalog, "
    "NULL AS domain_schema, NULL AS domain_name, current_database() AS udt_catalog, "
    "'pg_catalog' AS udt_schema, t.typname AS udt_name, NULL AS scope_catalog, "
    "NULL AS scope_schema, NULL AS scope_name, NULL AS maximum_cardinality, "
    "a.attnum AS dtd_identifier, 'NO' AS is_self_referencing, 'NO' AS is_identity, "
    "NULL AS identity_generation, NULL AS identity_start, NULL AS identity_increment, "
    "NULL AS identity_maximum, NULL AS identity_minimum, NULL AS identity_cycle, "
    "CASE WHEN a.attgenerated = 's' THEN 'ALWAYS' ELSE 'NEVER' END AS is_generated, "
    "CASE WHEN a.attgenerated = 's' THEN d.adbin END AS generation_expression, "
    "CASE WHEN c.relkind = 'r' THEN 'YES' ELSE 'NO' END AS is_updatable "
    "FROM temp.pg_attribute a JOIN temp.pg_class c ON c.oid = a.attrelid "
    "LEFT JOIN temp.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "LEFT JOIN temp.pg_type t ON t.oid = a.atttypid "
    "WHERE c.relkind IN ('r', 'v', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.table_constraints\" AS SELECT "
    "current_database() AS constraint_catalog, 'public' AS constraint_schema, "
    "k.conname AS constraint_name, current_database() AS table_catalog, "
    "'public' AS table_schema, c.relname AS table_name, CASE k.contype WHEN 'p' THEN "
    "'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY' WHEN 'c' THEN 'CHECK' "
    "END AS constraint_type, CASE WHEN k.condeferrable THEN 'YES' ELSE 'NO' END "
    "AS is_deferrable, CASE WHEN k.condeferred THEN 'YES' ELSE 'NO' END "
    "AS initially_deferred, 'YES' AS enforced, NULL AS nulls_distinct "
    "FROM temp.pg_constraint k JOIN temp.pg_class c ON c.oid = k.conrelid "
    /* PostgreSQL lists each NOT NULL column as a CHECK named nspoid_reloid_attnum_not_null. */
    "UNION ALL SELECT current_database(), 'public', '2200_' || c.oid || '_' || a.attnum || "
    "'_not_null', current_database(), 'public', c.relname, 'CHECK', 'NO', 'NO', 'YES', NULL "
    "FROM temp.pg_attribute a JOIN temp.pg_class c ON c.oid = a.attrelid WHERE a.attnotnull "
    "AND a.attnum > 0 AND c.relkind = 'r'",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.key_column_usage\" AS SELECT "
    "current_database() AS constraint_catalog, 'public' AS constraint_schema, "
    "k.conname AS constraint_name, current_database() AS table_catalog, "
    "'public' AS table_schema, c.relname AS table_name, a.attname AS column_name, "
    "pg_array_position(k.conkey, a.attnum) AS ordinal_position, "
    "CASE WHEN k.contype = 'f' THEN pg_array_position(k.conkey, a.attnum) END "
    "AS position_in_unique_constraint FROM temp.pg_constraint k JOIN temp.pg_class c ON "
    "c.oid = k.conrelid JOIN temp.pg_attribute a ON a.attrelid = k.conrelid AND "
    "pg_array_position(k.conkey, a.attnum) IS NOT NULL WHERE k.contype IN ('p', 'u', 'f')",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.constraint_column_usage\" AS SELECT "
    "current_database() AS table_catalog, 'public' AS table_schema, c.relname AS table_name, "
    "a.attname AS column_name, current_database() AS constraint_catalog, "
    "'public' AS constraint_schema, k.conname AS constraint_name FROM temp.pg_constraint k "
    "JOIN temp.pg_class c ON c.oid = CASE WHEN k.contype = 'f' THEN k.confrelid ELSE "
    "k.conrelid END JOIN temp.pg_attribute a ON a.attrelid = c.oid AND pg_array_position("
    "CASE WHEN k.contype = 'f' THEN k.confkey ELSE k.conkey END, a.attnum) IS NOT NULL",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.referential_constraints\" AS SELECT "
    "current_database() AS constraint_catalog, 'public' AS constraint_schema, "
    "k.conname AS constraint_name, current_database() AS unique_constraint_catalog, "
    "'public' AS unique_constraint_schema, u.conname AS unique_constraint_name, "
    "CASE k.confmatchtype WHEN 'f' THEN 'FULL' WHEN 'p' THEN 'PARTIAL' ELSE 'NONE' END "
    "AS match_option, CASE k.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' "
    "WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS update_rule, "
    "CASE k.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN "
    "'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS delete_rule "
    "FROM temp.pg_constraint k LEFT JOIN temp.pg_constraint u ON u.conrelid = k.confrelid "
    "AND u.contype IN ('p', 'u') AND u.conkey = k.confkey WHERE k.contype = 'f'",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.check_constraints\" AS SELECT "
    "current_database() AS constraint_catalog, 'public' AS constraint_schema, "
    "conname AS constraint_name, substr(pg_get_constraintdef(oid), 7) AS check_clause "
    "FROM temp.pg_constraint WHERE contype = 'c' UNION ALL SELECT current_database(), "
    "'public', '2200_' || c.oid || '_' || a.attnum || '_not_null', a.attname || "
    "' IS NOT NULL' FROM temp.pg_attribute a JOIN temp.pg_class c ON c.oid = a.attrelid "
    "WHERE a.attnotnull AND a.attnum > 0 AND c.relkind = 'r'",
    "CREATE TEMP VIEW IF NOT EXISTS \"information_schema.sequences\" AS SELECT "
    "current_database() AS sequence_catalog, 'public' AS sequence_schema, "
    "c.relname AS sequence_name, format_type(s.seqtypid, NULL) AS data_type, "
    "CASE s.seqtypid WHEN 21 THEN 16 WHEN 23 THEN 32 ELSE 64 END AS numeric_precision, "
    "2 AS numeric_precision_radix, 0 AS numeric_scale, CAST(s.seqstart AS TEXT) "
    "AS start_value, CAST(s.seqmin AS TEXT) AS minimum_value, CAST(s.seqmax AS TEXT) "
    "AS maximum_value, CAST(s.seqincrement AS TEXT) AS increment, CASE WHEN s.seqcycle THEN "
    "'YES' ELSE 'NO' END AS cycle_option FROM temp.pg_sequence s JOIN temp.pg_class c ON "
    "c.oid = s.seqrelid",
};

#endif
