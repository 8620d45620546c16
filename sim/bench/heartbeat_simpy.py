#!/usr/bin/python3
"""heartbeat_simpy.py - the heartbeat model of sim-bench, written in SimPy 3.

A peer for the C simulator's benchmark: N runners, each heartbeating every
20 s to one coordinator over links of 5 ms + up to 5 ms jitter; after each
acknowledged heartbeat the runner claims work (request and reply), as the
reference runner does; the coordinator records receive times, sweeps every
30 s (stale after 120 s, removed after 600 s) and runs a monitor every 10 s.
Events are counted the way the C simulator counts them: a runner's timer,
each message delivery, each coordinator tick.

Usage: heartbeat_simpy.py RUNNERS HOURS   (prints "events/s X" last)
"""
import random
import sys
import time

import simpy

LATENCY_S = 0.005
JITTER_S = 0.005
HEARTBEAT_S = 20.0


def run(runners, hours):
    env = simpy.Environment()
    rng = random.Random(42)
    last_heartbeat = [0.0] * runners
    status = ["online"] * runners
    events = [0]

    def latency():
        return LATENCY_S + rng.uniform(0.0, JITTER_S)

    def send(on_arrival):
        """A message: an event firing after the link latency."""
        ev = env.timeout(latency())
        ev.callbacks.append(on_arrival)

    def runner(i):
        yield env.timeout(i * HEARTBEAT_S / runners)
        while True:
            events[0] += 1  # the runner's timer: send a heartbeat

            def heartbeat_arrives(_ev, i=i):
                events[0] += 1
                last_heartbeat[i] = env.now
                status[i] = "online"
                send(heartbeat_acknowledged)

            def heartbeat_acknowledged(_ev):
                events[0] += 1
                send(claim_arrives)

            def claim_arrives(_ev):
                events[0] += 1
                send(claim_answered)

            def claim_answered(_ev):
                events[0] += 1

            send(heartbeat_arrives)
            yield env.timeout(HEARTBEAT_S)

    def sweep():
        while True:
            yield env.timeout(30.0)
            events[0] += 1
            for i in range(runners):
                age = env.now - last_heartbeat[i]
                if age >= 600.0:
                    status[i] = "removed"
                elif age >= 120.0 and status[i] == "online":
                    status[i] = "stale"

    def monitor():
        while True:
            yield env.timeout(10.0)
            events[0] += 1

    for i in range(runners):
        env.process(runner(i))
    env.process(sweep())
    env.process(monitor())
    env.run(until=60.0)  # warm up as the C benchmark does
    start_events = events[0]
    t0 = time.perf_counter()
    env.run(until=60.0 + hours * 3600.0)
    wall = time.perf_counter() - t0
    n = events[0] - start_events
    print("runners %d, %.2f h simulated, %d events in %.2f s" % (runners, hours, n, wall))
    print("events/s %.0f" % (n / wall))


if __name__ == "__main__":
    run(int(sys.argv[1]), float(sys.argv[2]))
