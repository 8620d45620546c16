#!/usr/bin/python3
"""input_fuzz.py - `make fuzz`: mutated input files through the rollcall commands that read them.

Three kinds of input, each from real examples:
  scenarios  the library, the bad-scenario fixtures and the explore examples,
             through `rollcall run` and `rollcall explore`;
  traces     a `rollcall sim` trace with every fault kind and a scenario's
             trace (written at the start into OUT), through `rollcall
             timeline` and `rollcall replay`;
  profiles   the conform dialect profiles, through `rollcall conform
             --profile` (against a port nothing listens on: a profile that
             loads ends at the health check with exit 2).
Each is mutated line by line (lines dropped, duplicated or cut short; words
replaced, inserted or dropped, taken from the inputs' own vocabulary plus
extreme numbers and stray quotes; a byte changed; a line repeated fifty
times; a line spliced in from another input) and run with a rollcall built
with AddressSanitizer and UBSan. Any exit code but 0, 1 or 2, any sanitizer
report, or a run over the time limit is a finding: the input is kept under
OUT. Deterministic for a seed (the mutations; run times vary).

Usage: input_fuzz.py ROLLCALL SECONDS SEED OUT
"""
import glob
import os
import random
import subprocess
import sys
import time

EXTRA_WORDS = ['-1', '0', '999999999999999999999', '1e9', '0ms', '-5s', '99999h', '""', "'", '#', '\t', '\r',
               'at', 'expect', 'between', 'and', 'never', 'every', 'r1', 'coordinator', '1h0m0s', '1.5s',
               '2147483648', '-2147483649', '{', '}', '[', ']', ',', ':', 'null', '"\\ud800"', '1e308']
SANITIZER_MARKS = ('runtime error', 'AddressSanitizer', 'LeakSanitizer')


def read_all(paths):
    return [open(f, errors='replace').read() for f in paths]


def load_corpus(rollcall, out, seed):
    """{kind: texts} and the vocabulary; writes the seed traces into out."""
    traces = [os.path.join(out, 'seed-sim-%d.jsonl' % seed), os.path.join(out, 'seed-run-%d' % seed)]
    subprocess.run([rollcall, 'sim', '--runners', '3', '--duration', '40m', '--seed', '3', '--faults', 'all',
                    '--trace', traces[0]], capture_output=True, check=True)
    subprocess.run([rollcall, 'run', '--seeds', '1', '--trace', traces[1], 'scenarios/timeout-reassignment.scn'],
                   capture_output=True, check=True)
    corpus = {
        'scenario': read_all(sorted(glob.glob('scenarios/*.scn') + glob.glob('fixtures/scenarios-bad/*.scn') +
                                    glob.glob('explore/examples/*.scn'))),
        'trace': read_all([traces[0]] + glob.glob(os.path.join(traces[1], '*.jsonl'))),
        'profile': read_all(sorted(glob.glob('fixtures/profiles/*.json'))),
    }
    words = sorted({w for texts in corpus.values() for t in texts for w in t.split()}) + EXTRA_WORDS
    return corpus, words


def mutate_words(line, rng, words):
    w = line.split(' ')
    op = rng.randrange(3)
    if op == 0:
        w[rng.randrange(len(w))] = rng.choice(words)
    elif op == 1:
        w.insert(rng.randrange(len(w) + 1), rng.choice(words))
    elif len(w) > 1:
        del w[rng.randrange(len(w))]
    return ' '.join(w)


def mutate(text, rng, texts, words):
    lines = text.split('\n')
    for _ in range(rng.randint(1, 4)):
        if not lines:
            lines = ['']
        i = rng.randrange(len(lines))
        op = rng.randrange(7)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            lines[i] = mutate_words(lines[i], rng, words)
        elif op == 3 and lines[i]:
            j = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:j] + chr(rng.randrange(1, 256)) + lines[i][j + 1:]
        elif op == 4:
            lines = lines[:i]
        elif op == 5:
            lines[i] = lines[i] * rng.randint(2, 50)
        else:
            lines.insert(i, rng.choice(rng.choice(texts).split('\n')))
    return '\n'.join(lines)


def command(kind, rollcall, path, rng, out):
    if kind == 'trace':
        return [rollcall, 'timeline', path, '-o', path + '.svg'] if rng.random() < 0.7 else \
            [rollcall, 'replay', path]
    if kind == 'profile':
        return [rollcall, 'conform', '--profile', path, '--target', 'http://127.0.0.1:9', '--timeout', '200ms',
                'scenarios/stale-after-2-min.scn']
    if rng.random() < 0.8:
        return [rollcall, 'run', '--seeds', '1-2', path]
    return [rollcall, 'explore', '--seeds', '1-3', '--no-progress', '--out', os.path.join(out, 'explore'), path]


def run_case(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return 'timeout', ''
    return p.returncode, p.stderr.decode(errors='replace') + p.stdout.decode(errors='replace')


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split('\n\n')[-1])
    rollcall, seconds, seed, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    corpus, words = load_corpus(rollcall, out, seed)
    suffix = {'scenario': '.scn', 'trace': '.jsonl', 'profile': '.json'}
    end = time.time() + seconds
    runs = {kind: 0 for kind in corpus}
    findings = 0
    while time.time() < end:
        kind = rng.choice(['scenario', 'scenario', 'trace', 'profile'])
        texts = corpus[kind]
        text = mutate(rng.choice(texts), rng, texts, words)
        case = os.path.join(out, 'case-%d%s' % (seed, suffix[kind]))
        with open(case, 'w', errors='replace') as f:
            f.write(text)
        cmd = command(kind, rollcall, case, rng, out)
        rc, output = run_case(cmd)
        runs[kind] += 1
        if rc in (0, 1, 2) and not any(m in output for m in SANITIZER_MARKS):
            continue
        findings += 1
        kept = os.path.join(out, 'finding-%d-%d%s' % (seed, findings, suffix[kind]))
        with open(kept, 'w', errors='replace') as f:
            f.write(text)
        marks = [l for l in output.split('\n') if any(m in l for m in SANITIZER_MARKS)][:3]
        print('input-fuzz: FINDING exit %s from `%s`: %s %s' % (rc, ' '.join(cmd[1:3]), kept, marks), flush=True)
    print('input-fuzz: %d scenarios, %d traces, %d profiles mutated (seed %d), %d findings' %
          (runs['scenario'], runs['trace'], runs['profile'], seed, findings))
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
