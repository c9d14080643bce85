// Shared by the JavaScript driver programs of tests/clients/node.sh: connection parameters from
// the environment client_run sets, the row every driver writes and reads back, its comparison,
// and step() which prints "ok <step>" or "FAIL <step>: <what>" and exits 1.
'use strict';
const assert = require('assert');

const env = process.env;
const conn = {
  host: env.MX_HOST, port: Number(env.MX_PORT), user: env.MX_USER, password: env.MX_PASSWORD,
  database: env.MX_DBNAME,
};
const TABLE = env.MX_TABLE;
const REPEAT = 12;
const COLUMNS = ['id', 't', 'i2', 'i4', 'i8', 'n', 'f8', 'b', 'nul', 'u', 'by', 'ts', 'uu', 'j', 'big'];
const DDL = `CREATE TABLE ${TABLE} (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint,
  n numeric, f8 double precision, b boolean, nul text, u text, by bytea, ts timestamptz, uu uuid, j json, big text)`;
let big = '';
for (let i = 0; i < 1024; i++) big += String.fromCharCode(0x61 + (i % 26));
const BIG = big.repeat(1024);
const BYTES = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from([0, 0x5c, 0x27])]);
const UNI = 'héllo wörld ✓ 日本語 🐜';

function row(id) {
  return {
    id, t: `plain text ${id}`, i2: -32768, i4: 2147483647, i8: '9007199254740993', n: '-1234567890.12345',
    f8: 0.1, b: true, nul: null, u: UNI, by: BYTES, ts: new Date('2024-02-29T12:34:56.789Z'),
    uu: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', j: { a: [1, 2, { b: null }], c: 'ü', d: 1.5 }, big: BIG,
  };
}

function norm(col, v) {
  if (v === null || v === undefined) return v;
  if (col === 'i8' || col === 'n') return String(v);
  if (col === 'by') return Buffer.from(v).toString('hex');
  if (col === 'ts') return new Date(v).toISOString();
  if (col === 'j' && typeof v === 'string') return JSON.parse(v);
  return v;
}

function checkRow(got, id) {
  const want = row(id);
  for (const c of COLUMNS) {
    if (!(c in got)) throw new Error(`column ${c} missing from the result`);
    try {
      assert.deepStrictEqual(norm(c, got[c]), norm(c, want[c]));
    } catch (e) {
      throw new Error(`column ${c}: got ${String(JSON.stringify(norm(c, got[c]))).slice(0, 200)}, want ${String(JSON.stringify(norm(c, want[c]))).slice(0, 200)}`);
    }
  }
}

function eq(want, got, what) {
  try {
    assert.deepStrictEqual(got, want);
  } catch (e) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

async function expectCode(code, fn) {
  let err = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  if (!err) throw new Error(`expected an error with SQLSTATE ${code}, but the statement succeeded`);
  if (err.code !== code) throw new Error(`expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
}

let current = 'start';
// A driver that throws from its socket handler does so outside any step's promise: report it
// against the step that was running.
process.on('uncaughtException', (e) => {
  console.log(`FAIL ${current}: uncaught ${e && e.constructor && e.constructor.name} in the driver: ${String(e && e.message).replace(/\n/g, ' ')}`);
  console.log(String(e && e.stack).split('\n').slice(0, 6).join('\n'));
  process.exit(1);
});

async function step(name, fn) {
  current = name;
  try {
    await fn();
  } catch (e) {
    const msg = String(e && e.message).replace(/\n/g, ' ').slice(0, 600);
    console.log(`FAIL ${name}: ${e && e.constructor && e.constructor.name}${e && e.code ? ' [' + e.code + ']' : ''}: ${msg}`);
    console.log(String(e && e.stack).split('\n').slice(0, 6).join('\n'));
    process.exit(1);
  }
  console.log(`ok ${name}`);
}

module.exports = { conn, TABLE, REPEAT, COLUMNS, DDL, UNI, row, checkRow, eq, expectCode, step };
