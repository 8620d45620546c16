#!/usr/bin/python3
"""scenario_fuzz.py - `make fuzz`: mutated scenario files through `rollcall run` and `rollcall explore`.

Takes the scenario library, the bad-scenario fixtures and the explore examples,
mutates them line by line (lines dropped, duplicated or cut short; words
replaced, inserted or dropped, taken from the library's own vocabulary plus
extreme numbers and stray quotes; a byte changed; a line repeated fifty
times; a line spliced in from another file) and runs each result with a
rollcall built with AddressSanitizer and UBSan. Any exit code but 0, 1 or 2,
any sanitizer report, or a run over the time limit is a finding: the input
is kept under OUT. Deterministic for a seed (the mutations; run times vary).

Usage: scenario_fuzz.py ROLLCALL SECONDS SEED OUT
"""
import glob
import os
import random
import subprocess
import sys
import time

EXTRA_WORDS = ['-1', '0', '999999999999999999999', '1e9', '0ms', '-5s', '99999h', '""', "'", '#', '\t', '\r',
               'at', 'expect', 'between', 'and', 'never', 'every', 'r1', 'coordinator', '1h0m0s', '1.5s',
               '2147483648', '-2147483649']
SANITIZER_MARKS = ('runtime error', 'AddressSanitizer', 'LeakSanitizer')


def load_corpus():
    files = sorted(glob.glob('scenarios/*.scn') + glob.glob('fixtures/scenarios-bad/*.scn') +
                   glob.glob('explore/examples/*.scn'))
    texts = [open(f, errors='replace').read() for f in files]
    words = sorted({w for t in texts for w in t.split()}) + EXTRA_WORDS
    return texts, words


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


def run_case(rollcall, path, rng, out):
    if rng.random() < 0.8:
        cmd = [rollcall, 'run', '--seeds', '1-2', path]
    else:
        cmd = [rollcall, 'explore', '--seeds', '1-3', '--no-progress', '--out', os.path.join(out, 'explore'), path]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return cmd, 'timeout', ''
    return cmd, p.returncode, p.stderr.decode(errors='replace') + p.stdout.decode(errors='replace')


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.split('\n\n')[-1])
    rollcall, seconds, seed, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    texts, words = load_corpus()
    case = os.path.join(out, 'case-%d.scn' % seed)
    end = time.time() + seconds
    runs = findings = 0
    while time.time() < end:
        text = mutate(rng.choice(texts), rng, texts, words)
        with open(case, 'w', errors='replace') as f:
            f.write(text)
        cmd, rc, output = run_case(rollcall, case, rng, out)
        runs += 1
        if rc in (0, 1, 2) and not any(m in output for m in SANITIZER_MARKS):
            continue
        findings += 1
        kept = os.path.join(out, 'finding-%d-%d.scn' % (seed, findings))
        with open(kept, 'w', errors='replace') as f:
            f.write(text)
        marks = [l for l in output.split('\n') if any(m in l for m in SANITIZER_MARKS)][:3]
        print('scenario-fuzz: FINDING exit %s from `%s`: %s %s' % (rc, ' '.join(cmd[1:3]), kept, marks), flush=True)
    os.remove(case)
    print('scenario-fuzz: %d mutated scenarios (seed %d), %d findings' % (runs, seed, findings))
    return 1 if findings else 0


if __name__ == '__main__':
    sys.exit(main())
