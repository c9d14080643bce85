#!/usr/bin/env python3
"""Prepared statements in transaction pooling, checked at the protocol level.

usage: pswire.py diff REFERENCE TARGET [SCENARIO...]
       pswire.py check TARGET

A target is "host:port:user:password:dbname". `diff` runs each scenario's steps with two
clients (A and B) against REFERENCE, where each client has its own session, and against
TARGET, the proxy in transaction mode with one server and a small max_prepared_statements, so
that both clients share a server, statements are evicted and re-prepared. Every reply (type,
fields that matter) must be the same, step by step: the proxy's renaming, injected messages,
replies written in place and undoing after errors are invisible to the client.

`check` asserts what the proxy does differently on purpose: SQL-level PREPARE/EXECUTE are
refused with 0A000, and a statement whose plan broke after DDL works again once re-prepared.

Only the standard library; only loopback targets. Every read has a timeout.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
import sys

TIMEOUT = 20


class Conn:
    def __init__(self, target):
        host, port, user, password, db = target.split(":", 4)
        assert host in ("127.0.0.1", "::1", "localhost"), "loopback only"
        self.sock = socket.create_connection((host, int(port)), timeout=TIMEOUT)
        self.buf = b""
        params = b"user\0" + user.encode() + b"\0database\0" + db.encode() + b"\0\0"
        body = struct.pack("!I", 196608) + params
        self.sock.sendall(struct.pack("!I", len(body) + 4) + body)
        self._auth(user, password)
        while True:
            t, b = self.read()
            if t == "Z":
                break
            if t == "E":
                raise RuntimeError("login failed: " + repr(fields(b)))

    def _auth(self, user, password):
        nonce = client_first = None
        while True:
            t, b = self.read()
            if t == "E":
                raise RuntimeError("login failed: " + repr(fields(b)))
            if t != "R":
                raise RuntimeError("unexpected %s during login" % t)
            code = struct.unpack("!I", b[:4])[0]
            if code == 0:
                return
            if code == 3:
                self.send(b"p", password.encode() + b"\0")
            elif code == 5:
                inner = hashlib.md5((password + user).encode()).hexdigest().encode()
                self.send(b"p", b"md5" + hashlib.md5(inner + b[4:8]).hexdigest().encode() + b"\0")
            elif code == 10:
                nonce = base64.b64encode(os.urandom(18)).decode()
                client_first = "n=,r=" + nonce
                msg = ("n,," + client_first).encode()
                self.send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!I", len(msg)) + msg)
            elif code == 11:
                server_first = b[4:].decode()
                kv = dict(x.split("=", 1) for x in server_first.split(","))
                salted = hashlib.pbkdf2_hmac("sha256", password.encode(),
                                             base64.b64decode(kv["s"]), int(kv["i"]))
                ckey = hmac.new(salted, b"Client Key", "sha256").digest()
                stored = hashlib.sha256(ckey).digest()
                final = "c=biws,r=" + kv["r"]
                auth = ",".join([client_first, server_first, final]).encode()
                sig = hmac.new(stored, auth, "sha256").digest()
                proof = bytes(x ^ y for x, y in zip(ckey, sig))
                self.send(b"p", (final + ",p=" + base64.b64encode(proof).decode()).encode())
            elif code == 12:
                pass
            else:
                raise RuntimeError("unsupported auth %d" % code)

    def send(self, t, body):
        self.sock.sendall(t + struct.pack("!I", len(body) + 4) + body)

    def read(self):
        while True:
            if len(self.buf) >= 5:
                n = struct.unpack("!I", self.buf[1:5])[0]
                if len(self.buf) >= n + 1:
                    t, b = self.buf[:1].decode(), self.buf[5:n + 1]
                    self.buf = self.buf[n + 1:]
                    return t, b
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk

    def close(self):
        try:
            self.send(b"X", b"")
        except OSError:
            pass
        self.sock.close()


def fields(b):
    out = {}
    for part in b.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode(errors="replace")
    return out


def cstr(s):
    return s.encode() + b"\0"


# Message builders: each returns (type, body).
def P(name, query, oids=()):
    return (b"P", cstr(name) + cstr(query) + struct.pack("!H", len(oids)) +
            b"".join(struct.pack("!I", o) for o in oids))


def B(stmt, params=(), portal=""):
    body = cstr(portal) + cstr(stmt) + struct.pack("!H", 0) + struct.pack("!H", len(params))
    for p in params:
        if p is None:
            body += struct.pack("!i", -1)
        else:
            v = str(p).encode()
            body += struct.pack("!I", len(v)) + v
    return (b"B", body + struct.pack("!H", 0))


def D(kind, name):
    return (b"D", kind.encode() + cstr(name))


def E(portal="", rows=0):
    return (b"E", cstr(portal) + struct.pack("!I", rows))


def C(kind, name):
    return (b"C", kind.encode() + cstr(name))


def S():
    return (b"S", b"")


def H():
    return (b"H", b"")


def Q(sql):
    return (b"Q", cstr(sql))


def describe_reply(t, b):
    """One reply as a comparable string (None for the ones that may differ)."""
    if t in "123nIs":
        return t
    if t == "t":
        n = struct.unpack("!H", b[:2])[0]
        return "t:" + ",".join(str(x) for x in struct.unpack("!%dI" % n, b[2:2 + 4 * n]))
    if t == "T":
        n = struct.unpack("!H", b[:2])[0]
        cols, off = [], 2
        for _ in range(n):
            end = b.index(b"\0", off)
            name = b[off:end].decode()
            typ = struct.unpack("!I", b[end + 7:end + 11])[0]
            cols.append("%s/%d" % (name, typ))
            off = end + 19
        return "T:" + ",".join(cols)
    if t == "D":
        n = struct.unpack("!H", b[:2])[0]
        vals, off = [], 2
        for _ in range(n):
            ln = struct.unpack("!i", b[off:off + 4])[0]
            off += 4
            if ln < 0:
                vals.append("NULL")
            else:
                vals.append(b[off:off + ln].decode(errors="replace"))
                off += ln
        return "D:" + "|".join(vals)
    if t == "C":
        return "C:" + b.rstrip(b"\0").decode()
    if t == "E":
        f = fields(b)
        return "E:%s %s" % (f.get("C"), f.get("M"))
    if t == "Z":
        return "Z:" + b.decode()
    return None  # ParameterStatus, notices, notifications


def copy_step(conn, msgs, rows):
    """An extended-protocol COPY FROM STDIN: msgs (ending in Sync, which the server ignores
    while copying), then the rows, CopyDone and another Sync."""
    for t, body in msgs:
        conn.send(t, body)
    out = []
    while True:
        t, b = conn.read()
        out.append(describe_reply(t, b) or t)
        if t == "G" or t == "Z":
            break
    if out[-1] == "G":
        for r in rows:
            conn.send(b"d", r.encode())
        conn.send(b"c", b"")
        conn.send(b"S", b"")
        while True:
            t, b = conn.read()
            r = describe_reply(t, b)
            if r is not None:
                out.append(r)
            if t == "Z":
                break
    return out


def run_step(conn, msgs, flush_replies=None):
    """Send msgs; read replies up to the ReadyForQuery of each Sync/Query (or, with no
    Sync, exactly flush_replies replies after a Flush)."""
    for t, body in msgs:
        conn.send(t, body)
    want = sum(1 for t, _ in msgs if t in (b"S", b"Q"))
    out = []
    while want > 0 or (flush_replies is not None and len(out) < flush_replies):
        t, b = conn.read()
        r = describe_reply(t, b)
        if r is not None:
            out.append(r)
        if t == "Z":
            want -= 1
    return out


# --------------------------------------------------------------------------------------------
# Scenarios: lists of (client, [messages]) steps. Clients A and B share one server through the
# proxy. A "SQL" marker lets a scenario run only where the statement is supported.

def sc_shared_names():
    return [
        ("A", [P("s1", "SELECT $1::int + 1", [23]), S()]),
        ("B", [P("s1", "SELECT $1::text || 'b'"), S()]),
        ("A", [B("s1", [41]), D("P", ""), E(), S()]),
        ("B", [B("s1", ["a"]), D("P", ""), E(), S()]),
        ("B", [P("s2", "SELECT $1::int + 1", [23]), B("s2", [1]), E(), S()]),
        ("A", [B("s1", [2]), E(), B("s1", [3]), E(), S()]),
        ("A", [P("", "SELECT 11 AS u"), B("", []), D("P", ""), E(), S()]),
        ("A", [D("S", "s1"), S()]),
    ]


def sc_eviction():
    steps = [("A", [P("e%d" % i, "SELECT %d AS n, $1::int AS p" % i, [23]), S()])
             for i in range(1, 6)]
    steps.append(("A", [x for i in range(1, 6) for x in (B("e%d" % i, [i]), E())] + [S()]))
    steps.append(("B", [P("e1", "SELECT 3 AS n, $1::int AS p", [23]), B("e1", [9]), E(), S()]))
    steps.append(("A", [B("e5", [5]), E(), B("e1", [1]), E(), B("e3", [3]), E(), S()]))
    steps.append(("A", [D("S", "e2"), B("e2", [2]), E(), S()]))
    return steps


def sc_error_skips():
    return [
        # The Parse after the error is skipped: e2 never exists.
        ("A", [P("x1", "SELECT 1/$1::int", [23]), B("x1", [0]), E(),
               P("x2", "SELECT 2"), B("x2"), E(), S()]),
        ("A", [B("x2"), E(), S()]),
        ("A", [B("x1", [1]), E(), S()]),
        ("A", [P("x2", "SELECT 2"), B("x2"), E(), S()]),
        # A Close after an error is skipped: the statement is still there.
        ("A", [B("nope"), C("S", "x2"), S()]),
        ("A", [B("x2"), E(), S()]),
        # Closing a name never prepared is no error; closing twice neither.
        ("A", [C("S", "x2"), C("S", "x2"), C("S", "never"), S()]),
        ("A", [B("x2"), E(), S()]),
        # Duplicate names.
        ("B", [P("d1", "SELECT 'first'"), S()]),
        ("B", [P("d1", "SELECT 'second'"), B("d1"), E(), S()]),
        ("B", [B("d1"), E(), S()]),
        # An error in the middle of a pipeline of several syncs.
        ("B", [P("y1", "SELECT $1::int * 2", [23]), S(), B("y1", ["bad"]), E(), S(),
               B("y1", [21]), E(), S()]),
        # Bad parameter count.
        ("B", [B("y1", []), E(), S()]),
    ]


def sc_transactions():
    return [
        ("A", [Q("BEGIN")]),
        ("A", [P("t1", "SELECT 1/$1::int", [23]), B("t1", [0]), E(), S()]),
        ("A", [P("t2", "SELECT 1"), S()]),
        ("A", [B("t1", [1]), E(), S()]),
        ("A", [Q("ROLLBACK")]),
        ("A", [B("t1", [1]), E(), S()]),
        ("A", [B("t2"), E(), S()]),
        # A statement the server already has, prepared in a failed transaction block.
        ("B", [P("f1", "SELECT 7"), S()]),
        ("A", [Q("BEGIN"), Q("SELECT 1/0")]),
        ("A", [P("f2", "SELECT 7"), S()]),
        ("A", [Q("ROLLBACK")]),
        ("A", [B("f2"), E(), S()]),
        ("A", [P("f2", "SELECT 7"), B("f2"), E(), S()]),
        # Statements inside a transaction block that commits.
        ("B", [Q("BEGIN")]),
        ("B", [P("g1", "SELECT $1::int", [23]), B("g1", [4]), E(), S()]),
        ("B", [B("g1", [5]), E(), S(), Q("COMMIT")]),
        ("B", [B("g1", [6]), E(), S()]),
        # ROLLBACK prepared in a failed block, the server holding it already.
        ("B", [P("rb", "ROLLBACK"), S()]),
        ("A", [Q("BEGIN"), Q("SELECT 1/0")]),
        ("A", [P("rb2", "ROLLBACK"), B("rb2"), E(), S()]),
        ("A", [B("rb2"), E(), S()]),
    ]


def sc_deallocate():
    return [
        ("A", [P("h1", "SELECT 8"), S()]),
        ("A", [Q("DEALLOCATE h1")]),
        ("A", [B("h1"), E(), S()]),
        ("A", [Q("DEALLOCATE h1")]),
        ("A", [Q("deallocate prepare \"never\"")]),
        ("A", [P("h1", "SELECT 9"), P("h2", "SELECT 10"), S()]),
        # DEALLOCATE through the extended protocol, as libpq pipelines send it.
        ("A", [P("", "DEALLOCATE h1"), B(""), E(), S()]),
        ("A", [B("h1"), E(), S()]),
        ("A", [B("h2"), E(), S()]),
        ("A", [Q("DEALLOCATE ALL")]),
        ("A", [B("h2"), E(), S()]),
        ("B", [P("h3", "SELECT 12"), S()]),
        ("B", [Q("DISCARD ALL")]),
        ("B", [B("h3"), E(), S()]),
        ("B", [P("h3", "SELECT 13"), B("h3"), E(), S()]),
        ("A", [P("h3", "SELECT 13"), B("h3"), E(), S()]),
    ]


def sc_flush():
    return [
        ("A", [P("k1", "SELECT $1::int + 100", [23]), D("S", "k1"), H()], 3),
        ("A", [B("k1", [1]), E(), S()]),
        ("A", [P("k1", "SELECT 1"), H()], 1),
        ("A", [S()]),
        ("A", [B("k1", [2]), E(), S()]),
    ]


def sc_failed_block():
    return [
        ("A", [P("fb", "SELECT 'kept'"), S()]),
        ("A", [Q("BEGIN"), Q("SELECT 1/0"), Q("DEALLOCATE fb"), Q("ROLLBACK")]),
        ("A", [B("fb"), E(), S()]),
        ("A", [Q("BEGIN"), Q("DEALLOCATE fb"), Q("COMMIT")]),
        ("A", [B("fb"), E(), S()]),
        ("B", [P("fb", "SELECT 'b'"), S(), Q("BEGIN"), Q("SELECT 1/0"), Q("DEALLOCATE ALL"),
               Q("ROLLBACK")]),
        ("B", [B("fb"), E(), S()]),
        ("B", [P("fc", "SELECT 'c'"), B("fc"), E(), S()]),
    ]


def sc_copy():
    return [
        ("A", [Q("DROP TABLE IF EXISTS ps_copy"), Q("CREATE TABLE ps_copy (a int)")]),
        ("A", "copy", [P("", "COPY ps_copy FROM STDIN"), B(""), E(), S()], ["1\n", "2\n"]),
        ("A", [P("cc", "SELECT count(*) FROM ps_copy"), B("cc"), E(), S()]),
        ("B", "copy", [P("", "COPY ps_copy FROM STDIN"), B(""), E(), S()], ["x\n"]),
        ("B", [P("cc", "SELECT sum(a) FROM ps_copy"), B("cc"), E(), S()]),
        ("A", [B("cc"), E(), S(), Q("DROP TABLE ps_copy")]),
    ]


def sc_search_path():
    return [
        ("A", [Q("SET search_path = sp1")]),
        ("B", [Q("SET search_path = sp2")]),
        ("A", [P("sp", "SELECT v FROM spt"), B("sp"), E(), S()]),
        ("B", [P("sp", "SELECT v FROM spt"), B("sp"), E(), S()]),
        ("A", [B("sp"), E(), S()]),
    ]


SCENARIOS = {
    "shared_names": sc_shared_names,
    "eviction": sc_eviction,
    "error_skips": sc_error_skips,
    "transactions": sc_transactions,
    "deallocate": sc_deallocate,
    "flush": sc_flush,
    "failed_block": sc_failed_block,
    "copy": sc_copy,
    "search_path": sc_search_path,
}


def run_scenario(target, steps):
    conns = {"A": Conn(target), "B": Conn(target)}
    transcript = []
    try:
        for step in steps:
            who = step[0]
            if step[1] == "copy":
                transcript.append((who, copy_step(conns[who], step[2], step[3])))
                continue
            msgs = step[1]
            transcript.append((who, run_step(conns[who], msgs, step[2] if len(step) > 2 else None)))
    finally:
        for c in conns.values():
            c.close()
    return transcript


def diff(reference, target, names):
    bad = 0
    for name in names or SCENARIOS:
        steps = SCENARIOS[name]()
        want = run_scenario(reference, steps)
        got = run_scenario(target, steps)
        for i, (w, g) in enumerate(zip(want, got)):
            if w != g:
                bad += 1
                print("DIFF %s step %d (%s)\n  reference: %s\n  proxy:     %s"
                      % (name, i + 1, w[0], w[1], g[1]))
        print("%s: %d steps, %s" % (name, len(steps),
                                    "same" if want == got else "DIFFERENT"))
    return bad


def check(target):
    bad = 0

    def expect(what, got, want):
        nonlocal bad
        ok = got == want
        print("%s %s: %s" % ("ok" if ok else "FAIL", what, got))
        if not ok:
            print("   expected: %s" % want)
            bad += 1

    a = Conn(target)
    r = run_step(a, [Q("PREPARE p1 AS SELECT 1")])
    expect("PREPARE refused", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(a, [Q("EXECUTE p1")])
    expect("EXECUTE refused", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(a, [Q("SELECT 1; DEALLOCATE ALL")])
    expect("DEALLOCATE among other statements refused", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(a, [Q("BEGIN"), Q("PREPARE p1 AS SELECT 1"), Q("SELECT 1"), Q("ROLLBACK")])
    expect("a refusal fails the transaction block", [x[:7] for x in r],
           ["C:BEGIN", "Z:T", "E:0A000", "Z:E", "E:25P02", "Z:E", "C:ROLLB", "Z:I"])
    r = run_step(a, [P("", "PREPARE p2 AS SELECT 1"), B(""), E(), S()])
    expect("PREPARE in the extended protocol refused", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(a, [P("dx", "DISCARD ALL"), S()])
    expect("DISCARD ALL as a named statement refused", [x[:7] for x in r], ["E:0A000", "Z:I"])
    # The unnamed statement lives on a server across Syncs; on another client's server it is
    # not this client's: 26000, never the other client's query.
    b = Conn(target)
    run_step(a, [P("", "SELECT 'mine'"), S()])
    run_step(b, [P("", "SELECT 'other'"), B(""), E(), S()])
    r = run_step(a, [B(""), E(), S()])
    expect("unnamed statement of another client", [x[:7] for x in r], ["E:26000", "Z:I"])
    b.close()
    r = run_step(a, [Q("SELECT 'still here'")])
    expect("connection usable", r[-2:], ["C:SELECT 1", "Z:I"])

    # A plan broken by DDL: the old statement fails, as on PostgreSQL, even on another
    # client; prepared again it works.
    b = Conn(target)
    run_step(a, [Q("DROP TABLE IF EXISTS ps_ddl"), Q("CREATE TABLE ps_ddl (a int)"),
                 Q("INSERT INTO ps_ddl VALUES (1)")])
    r = run_step(a, [P("k", "SELECT * FROM ps_ddl"), B("k"), E(), S()])
    expect("before DDL", r, ["1", "2", "D:1", "C:SELECT 1", "Z:I"])
    r = run_step(b, [P("k", "SELECT * FROM ps_ddl"), B("k"), E(), S()])
    expect("before DDL, other client", r, ["1", "2", "D:1", "C:SELECT 1", "Z:I"])
    run_step(b, [Q("ALTER TABLE ps_ddl ADD COLUMN b int DEFAULT 2")])
    r = run_step(a, [B("k"), E(), S()])
    expect("after DDL", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(b, [B("k"), E(), S()])
    expect("after DDL, other client", [x[:7] for x in r], ["E:0A000", "Z:I"])
    r = run_step(a, [C("S", "k"), P("k", "SELECT * FROM ps_ddl"), B("k"), E(), S()])
    expect("prepared again", r, ["3", "1", "2", "D:1|2", "C:SELECT 1", "Z:I"])
    r = run_step(b, [B("k"), E(), S()])
    expect("other client's old statement still fails", [x[:7] for x in r], ["E:0A000", "Z:I"])
    run_step(a, [Q("DROP TABLE ps_ddl")])
    a.close()
    b.close()
    return bad


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "diff":
        bad = diff(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        bad = check(sys.argv[2])
    else:
        print(__doc__)
        return 2
    print("pswire: %s" % ("ok" if bad == 0 else "%d failures" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
