// postgres.js ("postgres") against one target: tests/clients/node.sh. postgres.js prepares every
// parameterized query as a named statement (prepare: true, the default) and pipelines the
// queries issued together on one connection.
'use strict';
const postgres = require('postgres');
const { conn, TABLE, REPEAT, COLUMNS, DDL, UNI, row, checkRow, eq, expectCode, step } = require('./common');

(async () => {
  let sql;
  const count = async () => Number((await sql`SELECT count(*) AS n FROM ${sql(TABLE)}`)[0].n);
  const insert = (s, id) => { const r = row(id); r.j = s.json(r.j); return s`INSERT INTO ${s(TABLE)} ${s(r, COLUMNS)}`; };
  const select = (s, id) => s`SELECT ${s(COLUMNS)} FROM ${s(TABLE)} WHERE id = ${id}`;

  await step('connect with SCRAM', async () => {
    sql = postgres({ host: conn.host, port: conn.port, user: conn.user, pass: conn.password, database: conn.database,
      max: 1, prepare: true, connect_timeout: 10, onnotice: () => {} });
    eq([{ one: 1 }], [...await sql`SELECT 1 AS one`], 'SELECT 1');
  });
  await step('create table', async () => {
    await sql.unsafe(`DROP TABLE IF EXISTS ${TABLE}`);
    await sql.unsafe(DDL);
  });
  await step('insert and select with parameters', async () => {
    await insert(sql, 1);
    const r = await select(sql, 1);
    eq(1, r.length, 'rows');
    checkRow(r[0], 1);
  });
  await step('transaction rolled back', async () => {
    let rolledBack = false;
    try {
      await sql.begin(async (tx) => {
        await insert(tx, 2);
        eq(2, Number((await tx`SELECT count(*) AS n FROM ${tx(TABLE)}`)[0].n), 'rows inside the transaction');
        throw new Error('roll back');
      });
    } catch (e) {
      if (e.message !== 'roll back') throw e;
      rolledBack = true;
    }
    eq(true, rolledBack, 'sql.begin rejected');
    eq(1, await count(), 'rows after the rollback');
  });
  await step('error then the same connection goes on', async () => {
    await expectCode('23505', () => insert(sql, 1));
    await expectCode('22012', () => sql`SELECT 1 / ${0}::int AS v`);
    await expectCode('22012', () => sql`SELECT 1 / ${0}::int AS v`);
    eq(42, (await sql`SELECT ${41}::int + 1 AS v`)[0].v, 'query after the errors');
  });
  await step('prepared statements re-executed', async () => {
    for (let i = 0; i < REPEAT; i++) {
      const r = await sql`SELECT i4 - ${i}::int AS a, u || ${String(i)} AS b, n + ${i}::int AS c FROM ${sql(TABLE)} WHERE id = ${1}`;
      eq([{ a: 2147483647 - i, b: UNI + i, c: (-1234567890.12345 + i).toFixed(5) }], [...r], `execution ${i}`);
      const r2 = await sql`SELECT ${`s${i}`}::text || 'x' AS s, ${i}::int * 2 AS d`;
      eq([{ s: `s${i}x`, d: 2 * i }], [...r2], `second statement, execution ${i}`);
      checkRow((await select(sql, 1))[0], 1);
    }
  });
  await step('pipelined queries in a transaction', async () => {
    await sql.begin((tx) => [10, 11, 12, 13, 14].map((id) => insert(tx, id)));
    const rows = await Promise.all([10, 11, 12, 13, 14].map((id) => select(sql, id)));
    rows.forEach((r, k) => checkRow(r[0], 10 + k));
    eq(6, await count(), 'rows after the pipelined transaction');
  });
  await step('pipelined queries with an error among them', async () => {
    const res = await Promise.allSettled([sql`SELECT ${1}::int AS v`, sql`SELECT 1 / ${0}::int AS v`, sql`SELECT ${3}::int AS v`]);
    eq('fulfilled', res[0].status, 'query before the error');
    eq('rejected', res[1].status, 'the failing query');
    eq('22012', res[1].reason.code, 'SQLSTATE of the failing query');
    if (res[2].status === 'fulfilled') eq(3, res[2].value[0].v, 'query after the error');
    eq(7, (await sql`SELECT ${7}::int AS v`)[0].v, 'query after the pipeline');
  });
  await step('close', async () => { await sql.end({ timeout: 5 }); });
})();
