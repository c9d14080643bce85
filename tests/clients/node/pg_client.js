// node-postgres ("pg") against one target: tests/clients/node.sh. Parameterized queries (unnamed
// statements) and named queries ({name: ...}: named prepared statements, re-executed).
'use strict';
const { Client } = require('pg');
const { conn, TABLE, REPEAT, COLUMNS, DDL, UNI, row, checkRow, eq, expectCode, step } = require('./common');

const INSERT = `INSERT INTO ${TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => '$' + (i + 1)).join(', ')})`;
const SELECT = `SELECT ${COLUMNS.join(', ')} FROM ${TABLE} WHERE id = $1`;
const params = (id) => { const r = row(id); r.j = JSON.stringify(r.j); return COLUMNS.map((c) => r[c]); };
const count = async (c) => Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n);

(async () => {
  let c;
  await step('connect with SCRAM', async () => {
    c = new Client({ ...conn, connectionTimeoutMillis: 10000 });
    await c.connect();
    eq([{ one: 1 }], (await c.query('SELECT 1 AS one')).rows, 'SELECT 1');
  });
  await step('create table', async () => {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(DDL);
  });
  await step('insert and select with parameters', async () => {
    await c.query(INSERT, params(1));
    const r = await c.query(SELECT, [1]);
    eq(1, r.rows.length, 'rows');
    checkRow(r.rows[0], 1);
  });
  await step('transaction rolled back', async () => {
    await c.query('BEGIN');
    await c.query(INSERT, params(2));
    eq(2, await count(c), 'rows inside the transaction');
    await c.query('ROLLBACK');
    eq(1, await count(c), 'rows after ROLLBACK');
  });
  await step('error then the same connection goes on', async () => {
    await expectCode('23505', () => c.query(INSERT, params(1)));
    await expectCode('22012', () => c.query({ name: 'div', text: 'SELECT 1 / $1::int', values: [0] }));
    await expectCode('22012', () => c.query({ name: 'div', text: 'SELECT 1 / $1::int', values: [0] }));
    eq(42, (await c.query('SELECT $1::int + 1 AS v', [41])).rows[0].v, 'query after the errors');
  });
  await step('named queries re-executed', async () => {
    for (let i = 0; i < REPEAT; i++) {
      const r = await c.query({ name: 'calc', text: `SELECT i4 - $1 AS a, u || $2 AS b, n + $3 AS c FROM ${TABLE} WHERE id = $4`, values: [i, String(i), i, 1] });
      eq([{ a: 2147483647 - i, b: UNI + i, c: (-1234567890.12345 + i).toFixed(5) }], r.rows, `execution ${i}`);
      const r2 = await c.query({ name: 'echo', text: "SELECT $1::text || 'x' AS s, $2::int * 2 AS d", values: [`s${i}`, i] });
      eq([{ s: `s${i}x`, d: 2 * i }], r2.rows, `second statement, execution ${i}`);
      const r3 = await c.query({ name: 'sel', text: SELECT, values: [1] });
      checkRow(r3.rows[0], 1);
    }
  });
  await step('named queries inside a transaction, pipelined', async () => {
    await c.query('BEGIN');
    // node-postgres queues these and writes each as soon as the previous completes; Promise.all
    // keeps them in flight together from the caller's view.
    await Promise.all([10, 11, 12, 13, 14].map((id) => c.query({ name: 'ins', text: INSERT, values: params(id) })));
    const rows = await Promise.all([10, 11, 12, 13, 14].map((id) => c.query({ name: 'sel', text: SELECT, values: [id] })));
    rows.forEach((r, k) => checkRow(r.rows[0], 10 + k));
    await c.query('COMMIT');
    eq(6, await count(c), 'rows after COMMIT');
  });
  await step('close', async () => { await c.end(); });
})();
