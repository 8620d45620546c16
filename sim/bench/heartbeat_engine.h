/*
 * heartbeat_engine.h - heartbeat_simpy.py's model on the simulator's event
 * queue alone, for sim-bench to compare engines with engines.
 */
#ifndef HEARTBEAT_ENGINE_H
#define HEARTBEAT_ENGINE_H

#include <stdint.h>

/* Run the model with n runners for `hours` of virtual time after a 60 s
 * warm-up, as the SimPy script does; *events gets the events counted after
 * the warm-up, the way the script counts them. Returns the wall seconds they
 * took. */
double heartbeat_engine_run(int n, double hours, uint64_t *events);

#endif
