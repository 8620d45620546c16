#!/usr/bin/python3
"""store_fuzz.py - `make fuzz`: damaged coordd databases.

A real database is written first: rollcall-coordd (built with AddressSanitizer
and UBSan) serves a short session over HTTP (two runners registered, tasks
submitted, claimed and completed, a sandbox created and reported), then stops.
Each round copies it and damages the copy: a few cells of the runners, tasks
and sandboxes tables set to values from a list of troublemakers (negative and
huge numbers, floats, empty and long texts, a NUL, bytes that are not UTF-8,
other rows' ids, other status words), a row duplicated under a new id, or
bytes of the file itself overwritten. coordd is then started on it:
  - if it refuses the file, it must exit 2 with a message, and the file must
    be byte for byte as it was;
  - if it starts, it must answer a round of requests (listings, a
    registration, a claim, a submission) without a 5xx (but 503
    ids_exhausted, for a stored id at the limit), and stop cleanly (exit 0)
    on SIGTERM.
Any other outcome, any sanitizer report, or a hang is a finding: the damaged
file is kept under OUT. Deterministic for a seed (the damage; times vary).
The review that made coordd refuse such files found its bugs this way by
hand (400 files); this keeps the check.

Usage: store_fuzz.py COORDD SECONDS SEED OUT
"""
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

SECRET = 's3cret'
SANITIZER_MARKS = ('runtime error', 'AddressSanitizer', 'LeakSanitizer')
COLUMNS = {
    'runners': ['id', 'hostname', 'project_dir', 'executor_type', 'instance_token', 'status', 'registered_at_ms',
                'last_heartbeat_ms', 'session', 'max_concurrency', 'running'],
    'tasks': ['id', 'kind', 'payload', 'result', 'state', 'attempt', 'runner_id', 'submitted_at_ms',
              'claimed_at_ms', 'finished_at_ms', 'confirmed'],
    'sandboxes': ['id', 'status', 'runner_id', 'task_id', 'container_id', 'created_at_ms', 'updated_at_ms',
                  'deleted_by_api'],
}
VALUES = [0, -1, 1, 2, 3, 64, 65, 2**31 - 1, 2**31, -2**31, 2**63 - 1, -2**63, 2**62, -2**62, 1.5, -0.5, 1e300, None,
          '', 'x', '123', '-5', '1x', ' 7', 'online', 'stale', 'removed', 'queued', 'running', 'completed', 'failed',
          'pending', 'creating', 'deleted', 'lnch_0b050e4cb50b', 'lnch_0b050e4cb50bX', 'LNCH_0B050E4CB50B',
          'a' * 300, 'b' * 70000, 'é', 'a\x00b', b'\xff\xfe', b'\xc3', b'\xed\xa0\x80']


def http(port, method, path, body=None, secret=False):
    req = urllib.request.Request('http://127.0.0.1:%d%s' % (port, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    if secret:
        req.add_header('X-Runner-Secret', SECRET)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start(coordd, secret_file, db):
    p = subprocess.Popen([coordd, '--listen', '127.0.0.1:0', '--secret-file', secret_file, '--db', db,
                          '--log-format', 'json'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         errors='replace')
    m = re.search(r':(\d+)$', p.stdout.readline().strip())
    return p, int(m.group(1)) if m else None


def stop(p, timeout=20):
    """SIGTERM (when still running); returns (exit status, stderr) or (None, stderr) on a hang."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=timeout)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, err


def session(port):
    """A short session; returns the statuses seen."""
    statuses = []

    def call(method, path, body=None, secret=False):
        status, reply = http(port, method, path, body, secret)
        statuses.append(status)
        return reply

    def field(reply, key, default):
        try:
            return json.loads(reply).get(key, default)
        except (ValueError, AttributeError):
            return default

    call('GET', '/runners')
    call('GET', '/tasks/1')
    call('GET', '/api/v1/sandboxes/1')
    reply = call('POST', '/runners/register', {'hostname': 'fuzz-host', 'project_dir': '/fuzz',
                                               'executor_type': 'fuzz', 'instance_token': 'tok-f'}, True)
    rid, ses = field(reply, 'runner_id', 'lnch_000000000000'), field(reply, 'session', 1)
    call('POST', '/tasks', {'kind': 'build', 'payload': 'echo'})
    call('POST', '/runners/%s/heartbeat' % rid, {'session': ses}, True)
    call('POST', '/runners/%s/claim' % rid, {'session': ses, 'max': 4}, True)
    call('POST', '/api/v1/sandboxes', {})
    return statuses


def write_sample(coordd, work, secret_file):
    db = os.path.join(work, 'sample.db')
    p, port = start(coordd, secret_file, db)
    if port is None:
        sys.exit('store-fuzz: coordd did not start: %s' % stop(p)[1])
    runners = []
    for host in ('h1', 'h2'):
        _, reply = http(port, 'POST', '/runners/register', {'hostname': host, 'project_dir': '/p',
                                                            'executor_type': 'e', 'instance_token': 't' + host}, True)
        runners.append(json.loads(reply))
    for i in range(5):
        http(port, 'POST', '/tasks', {'kind': 'k%d' % i, 'payload': 'p%d' % i})
    http(port, 'POST', '/api/v1/sandboxes', {'task_id': 1})
    r = runners[0]
    _, reply = http(port, 'POST', '/runners/%s/claim' % r['runner_id'], {'session': r['session'], 'max': 2}, True)
    for grant in json.loads(reply).get('tasks', [])[:1]:
        http(port, 'POST', '/tasks/%d/complete' % grant['task_id'],
             {'runner_id': r['runner_id'], 'attempt': grant['attempt'], 'success': True, 'result': 'ok'}, True)
    status, err = stop(p)
    if status != 0:
        sys.exit('store-fuzz: the sample session ended with %s: %s' % (status, err))
    return db


def damage(rng, sample, db):
    for ext in ('', '-wal', '-shm'):
        if os.path.exists(db + ext):
            os.remove(db + ext)
    shutil.copy(sample, db)
    if rng.random() < 0.15:  # bytes of the file itself
        data = bytearray(open(db, 'rb').read())
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        open(db, 'wb').write(bytes(data))
        return
    con = sqlite3.connect(db)
    for _ in range(rng.randint(1, 3)):
        table = rng.choice(sorted(COLUMNS))
        column = rng.choice(COLUMNS[table])
        value = rng.choice(VALUES)
        if isinstance(value, bytes) and rng.random() < 0.5:
            value = value.decode('latin1')
        try:
            con.execute('UPDATE %s SET %s = ? WHERE rowid = (SELECT rowid FROM %s ORDER BY rowid LIMIT 1 OFFSET ?)'
                        % (table, column, table), (value, rng.randrange(3)))
        except sqlite3.Error:
            pass  # a constraint refused it: no damage this time
    if rng.random() < 0.2:
        try:
            con.execute('INSERT INTO tasks SELECT id + 100, kind, payload, result, state, attempt, runner_id,'
                        ' submitted_at_ms, claimed_at_ms, finished_at_ms, confirmed FROM tasks LIMIT 1')
        except sqlite3.Error:
            pass
    con.commit()
    con.close()


def judge(coordd, secret_file, db):
    """'' when coordd behaved, else what went wrong."""
    before = open(db, 'rb').read()
    p, port = start(coordd, secret_file, db)
    if port is None:
        status, err = stop(p)
        if any(m in err for m in SANITIZER_MARKS):
            return 'sanitizer report at load: ' + err[-400:]
        if status != 2 or not err.strip():
            return 'refused the file with exit %s (want 2 and a message): %s' % (status, err[-300:])
        if open(db, 'rb').read() != before:
            return 'refused the file but changed it'
        return ''
    try:
        statuses = session(port)
    except Exception as e:  # a dropped connection, a timeout
        statuses = ['%s' % e]
    status, err = stop(p)
    if any(m in err for m in SANITIZER_MARKS):
        return 'sanitizer report: ' + err[-400:]
    # 503 is ids_exhausted (PROTOCOL.md): a stored id at the limit leaves no next one.
    bad = [s for s in statuses if not isinstance(s, int) or (s >= 500 and s != 503)]
    if bad:
        return 'served %s' % bad
    if status != 0:
        return 'stopped with exit %s: %s' % (status, err[-300:])
    return ''


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    coordd, seconds, seed, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.environ.setdefault('ASAN_OPTIONS', 'detect_leaks=1:abort_on_error=0')
    os.environ.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    work = os.path.join(out, 'store-work-%d' % seed)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    secret_file = os.path.join(work, 'secret')
    open(secret_file, 'w').write(SECRET + '\n')
    sample = write_sample(coordd, work, secret_file)
    rng = random.Random(seed)
    db = os.path.join(work, 'damaged.db')
    rounds = findings = refused = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        rounds += 1
        damage(rng, sample, db)
        kept = db + '.orig'
        shutil.copy(db, kept)
        why = judge(coordd, secret_file, db)
        if why == '' and not os.path.exists(db + '-wal') and open(db, 'rb').read() == open(kept, 'rb').read():
            refused += 1  # refused unchanged (a started coordd writes the grace period)
        if why:
            findings += 1
            path = os.path.join(out, 'store-finding-%d-%d.db' % (seed, findings))
            shutil.copy(kept, path)
            print('store-fuzz: %s: %s' % (path, why))
    shutil.rmtree(work, ignore_errors=True)
    print('store-fuzz: %d damaged databases (seed %d), %d refused unchanged, %d findings' %
          (rounds, seed, refused, findings))
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
