#!/usr/bin/env python3
"""Send malformed startup packets and random bytes to a PostgreSQL wire-protocol port.

usage: fuzz_startup.py PORT COUNT SECONDS [SEED]

Loopback only (127.0.0.1). At most COUNT connections, spread over about SECONDS, each bounded
by short socket timeouts. Prints a summary; exits 0 unless the port stopped accepting.
"""
import random
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


def startup(params, version=196608):
    body = struct.pack("!i", version)
    for k, v in params:
        body += k + b"\0" + v + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


GOOD = [(b"user", b"app"), (b"database", b"app")]


def case_payloads(rng, case):
    """A list of (bytes, pause) chunks to send for one connection."""
    r = rng.randbytes
    if case == "random":
        return [(r(rng.randint(1, 300)), 0)]
    if case == "short_length":
        return [(struct.pack("!i", rng.randint(-5, 7)) + r(rng.randint(0, 20)), 0)]
    if case == "huge_length":
        return [(struct.pack("!i", rng.choice([0x7FFFFFFF, 0x10000000, 10001, 1 << 20])) + r(64), 0)]
    if case == "negative_length":
        return [(struct.pack("!i", -rng.randint(1, 1 << 30)) + r(16), 0)]
    if case == "bad_version":
        return [(startup(GOOD, rng.choice([0, 1, 2 << 16, 4 << 16, 1234 << 16 | 5680, 0x7FFFFFFF])), 0)]
    if case == "unterminated":
        body = struct.pack("!i", 196608) + b"user\0app\0database"
        return [(struct.pack("!i", len(body) + 4) + body, 0)]
    if case == "odd_params":
        body = struct.pack("!i", 196608) + b"user\0\0\0\0" + r(10).replace(b"\0", b"x") + b"\0"
        return [(struct.pack("!i", len(body) + 4) + body, 0)]
    if case == "long_param":
        return [(startup([(b"user", b"a" * rng.randint(100, 20000)), (b"database", b"app")]), 0)]
    if case == "many_params":
        return [(startup([(b"k%d" % i, b"v") for i in range(rng.randint(50, 2000))]), 0)]
    if case == "ssl_then_garbage":
        return [(struct.pack("!ii", 8, 80877103), 0.01), (r(rng.randint(1, 200)), 0)]
    if case == "gssenc":
        return [(struct.pack("!ii", 8, 80877104), 0.01), (r(rng.randint(0, 50)), 0)]
    if case == "cancel_random":
        return [(struct.pack("!iiii", 16, 80877102, rng.getrandbits(31), rng.getrandbits(31)), 0)]
    if case == "cancel_bad_length":
        return [(struct.pack("!ii", 12, 80877102) + r(4), 0)]
    if case == "startup_then_garbage":
        return [(startup(GOOD), 0.01), (r(rng.randint(1, 100)), 0)]
    if case == "startup_then_query":
        q = b"SELECT 1\0"
        return [(startup(GOOD), 0.01), (b"Q" + struct.pack("!i", len(q) + 4) + q, 0)]
    if case == "startup_then_bad_password":
        return [(startup(GOOD), 0.01), (b"p" + struct.pack("!i", rng.choice([0, 3, 0x7FFFFFFF])) + r(8), 0)]
    if case == "truncated":
        pkt = startup(GOOD)
        return [(pkt[: rng.randint(1, len(pkt) - 1)], 0)]
    if case == "unknown_db":
        return [(startup([(b"user", b"app"), (b"database", r(8).hex().encode())]), 0)]
    if case == "replication":
        return [(startup(GOOD + [(b"replication", b"database")]), 0)]
    if case == "two_startups":
        return [(startup(GOOD) + startup(GOOD), 0)]
    if case == "slow":
        pkt = startup(GOOD)
        return [(pkt[:3], 0.05), (pkt[3:9], 0.05)]
    return [(b"", 0)]  # connect and close


CASES = ["random", "short_length", "huge_length", "negative_length", "bad_version", "unterminated",
         "odd_params", "long_param", "many_params", "ssl_then_garbage", "gssenc", "cancel_random",
         "cancel_bad_length", "startup_then_garbage", "startup_then_query",
         "startup_then_bad_password", "truncated", "unknown_db", "replication", "two_startups",
         "slow", "close"]


def one_connection(port, rng, case, replies, lock):
    try:
        s = socket.create_connection((HOST, port), timeout=1.0)
    except OSError:
        return False
    key = "?"
    try:
        s.settimeout(0.05)
        for chunk, wait in case_payloads(rng, case):
            if chunk:
                s.sendall(chunk)
            if wait:
                time.sleep(wait)
        try:
            data = s.recv(4096)
            key = chr(data[0]) if data else "EOF"
        except socket.timeout:
            key = "no reply"
    except OSError as e:
        key = type(e).__name__
    finally:
        s.close()
    with lock:
        replies[key] = replies.get(key, 0) + 1
    return True


def main():
    port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    threads = 8
    start = time.monotonic()
    deadline = start + seconds * 3 + 10
    lock = threading.Lock()
    stats, replies, refused = {}, {}, [0]

    def worker(w):
        rng = random.Random(seed * 1000 + w)
        share = count // threads + (1 if w < count % threads else 0)
        pause = seconds / max(share, 1)
        for i in range(share):
            if time.monotonic() > deadline:
                break
            n = i * threads + w
            case = CASES[n] if n < len(CASES) else rng.choice(CASES)
            with lock:
                stats[case] = stats.get(case, 0) + 1
            if not one_connection(port, rng, case, replies, lock):
                with lock:
                    refused[0] += 1
            t_next = start + (i + 1) * pause
            if t_next > time.monotonic():
                time.sleep(t_next - time.monotonic())

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("fuzz: connections=%d refused=%d seconds=%.1f seed=%d" % (
        sum(stats.values()), refused[0], time.monotonic() - start, seed))
    print("fuzz: first reply bytes: %s" % sorted(replies.items()))
    return 1 if refused[0] > count // 10 else 0


if __name__ == "__main__":
    sys.exit(main())
