# Ruby pg (ruby-pg) against one target: tests/clients/ruby.sh. exec_params (unnamed statements,
# text and binary results) and prepare / exec_prepared (named statements), re-executed.
require 'pg'

$stdout.sync = true
E = %w[HOST PORT USER PASSWORD DBNAME TABLE].to_h { |k| [k, ENV.fetch("MX_#{k}")] }
T = E['TABLE']
REPEAT = 12
COLS = %w[id t i2 i4 i8 n f8 b nul u by ts uu j big].freeze
UNI = "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \u{1f41c}".freeze
JSON_TEXT = "{\"a\": [1, 2, {\"b\": null}], \"c\": \"\u00fc\", \"d\": 1.5}".freeze
BYTES = ((0..255).map(&:chr).join + "\0\\'").b.freeze
BIG = ((0...1024).map { |i| (0x61 + i % 26).chr }.join * 1024).freeze
TS = '2024-02-29 12:34:56.789+00'.freeze
INSERT = "INSERT INTO #{T} (#{COLS.join(', ')}) VALUES (#{(1..COLS.size).map { |i| "$#{i}" }.join(', ')})".freeze
SELECT = "SELECT #{COLS.join(', ')}, ts = $1::timestamptz AS ts_ok FROM #{T} WHERE id = $2".freeze

def values_of(id)
  [id.to_s, "plain text #{id}", '-32768', '2147483647', '9007199254740993', '-1234567890.12345', '0.1', 't', nil,
   UNI, BYTES, TS, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', JSON_TEXT, BIG]
end

def fail!(what) = raise(RuntimeError, what)

def eqv(want, got, what)
  return if want == got
  short = ->(v) { v.nil? ? 'nil' : v.inspect[0, 200] }
  fail!("#{what}: got #{short.(got)}, want #{short.(want)}")
end

def step(name)
  yield
  puts "ok #{name}"
rescue StandardError => e
  state = e.respond_to?(:result) && e.result ? " [#{e.result.error_field(PG::Result::PG_DIAG_SQLSTATE)}]" : ''
  puts "FAIL #{name}#{state}: #{e.class}: #{e.message.gsub("\n", ' ')}"
  puts e.backtrace.first(4)
  exit 1
end

def params_of(id)
  values_of(id).each_with_index.map { |v, i| COLS[i] == 'by' ? { value: v, format: 1 } : v }
end

def check_row(conn, id, format)
  r = conn.exec_params(SELECT, [TS, id], format)
  eqv(1, r.ntuples, "rows with id #{id}")
  want = values_of(id)
  COLS.each_with_index do |c, i|
    v = r.getvalue(0, i)
    if format == 1
      # binary results: check the byte forms of a few types, the text columns as they are
      case c
      when 'id', 'i4' then v = v.unpack1('l>').to_s
      when 'i2' then v = v.unpack1('s>').to_s
      when 'i8' then v = v.unpack1('q>').to_s
      when 'b' then v = v == "\x01" ? 't' : 'f'
      when 'f8' then v = v.unpack1('G').to_s
      when 'uu' then v = v.unpack1('H*').sub(/(.{8})(.{4})(.{4})(.{4})/, '\1-\2-\3-\4-')
      when 'n', 'ts' then next
      else v = v.force_encoding('UTF-8') unless c == 'by' || v.nil?
      end
    elsif c == 'by'
      v = conn.unescape_bytea(v)
    end
    next if c == 'ts'
    eqv(want[i], c == 'by' ? v&.b : v, "column #{c} (#{format == 1 ? 'binary' : 'text'})")
  end
  eqv(format == 1 ? "\x01" : 't', r.getvalue(0, COLS.size), "column ts (#{r.getvalue(0, COLS.index('ts')).inspect})")
end

def count(conn) = conn.exec("SELECT count(*) FROM #{T}").getvalue(0, 0).to_i

def expect_state(code)
  yield
  fail!("expected an error with SQLSTATE #{code}, but the statement succeeded")
rescue PG::Error => e
  got = e.result&.error_field(PG::Result::PG_DIAG_SQLSTATE)
  eqv(code, got, "SQLSTATE (#{e.message.strip})")
end

conn = nil
step('connect with SCRAM') do
  conn = PG.connect(host: E['HOST'], port: E['PORT'].to_i, user: E['USER'], password: E['PASSWORD'],
                    dbname: E['DBNAME'], connect_timeout: 10)
  eqv('1', conn.exec('SELECT 1').getvalue(0, 0), 'SELECT 1')
end
step('create table') do
  conn.exec("DROP TABLE IF EXISTS #{T}")
  conn.exec("CREATE TABLE #{T} (id integer PRIMARY KEY, t text, i2 smallint, i4 integer, i8 bigint, n numeric, " \
            'f8 double precision, b boolean, nul text, u text, by bytea, ts timestamptz, uu uuid, j json, big text)')
end
step('insert and select with parameters') do
  conn.exec_params(INSERT, params_of(1))
  check_row(conn, 1, 0)
  check_row(conn, 1, 1)
end
step('transaction rolled back') do
  conn.exec('BEGIN')
  conn.exec_params(INSERT, params_of(2))
  eqv(2, count(conn), 'rows inside the transaction')
  conn.exec('ROLLBACK')
  eqv(1, count(conn), 'rows after ROLLBACK')
end
step('error then the same connection goes on') do
  expect_state('23505') { conn.exec_params(INSERT, params_of(1)) }
  expect_state('22012') { conn.exec_params('SELECT 1 / $1::int', [0]) }
  eqv('42', conn.exec_params('SELECT $1::int + 1', [41]).getvalue(0, 0), 'query after the errors')
end
step('prepared statements re-executed (exec_prepared)') do
  conn.prepare('calc', "SELECT i4 - $1::int, u || $2::text, n + $3::int FROM #{T} WHERE id = $4::int")
  conn.prepare('echo', "SELECT $1::text || 'x', $2::int * 2")
  conn.prepare('sel', SELECT)
  d = conn.describe_prepared('calc')
  eqv(4, d.nparams, 'parameters of a prepared statement')
  eqv([23, 25, 23, 23], (0...4).map { |i| d.paramtype(i) }, 'parameter types of a prepared statement')
  REPEAT.times do |i|
    r = conn.exec_prepared('calc', [i, i, i, 1])
    eqv([(2147483647 - i).to_s, UNI + i.to_s, format('%.5f', -1234567890.12345 + i)], r.values[0], "execution #{i}")
    r = conn.exec_prepared('echo', ["s#{i}", i], i.odd? ? 1 : 0)
    eqv("s#{i}x", r.getvalue(0, 0), "second statement, execution #{i}")
    eqv(i.odd? ? [2 * i].pack('l>') : (2 * i).to_s, r.getvalue(0, 1), "second statement, execution #{i}")
    r = conn.exec_prepared('sel', [TS, 1])
    eqv('t', r.getvalue(0, COLS.size), "ts from the prepared select, execution #{i}")
    eqv(BIG, r.getvalue(0, COLS.index('big')), "1 MB value from the prepared select, execution #{i}")
  end
end
step('close') { conn.close }
