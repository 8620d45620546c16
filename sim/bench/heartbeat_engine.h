/*
 * heartbeat_engine.h - heartbeat_simpy.py's model on the simulator's event
 * queue alone, for sim-bench to compare engines with engines.
 */
#ifndef HEARTBEAT_ENGINE_H
#define HEARTBEAT_ENGINE_H

#include <stdint.h>

struct heartbeat_model;

/* The model with n runners at virtual time 0, before any event. */
struct heartbeat_model *heartbeat_model_new(int n);
/* Run every event due up to until_ms; returns how many ran, counted the way
 * the SimPy script counts them. */
uint64_t heartbeat_model_run_until(struct heartbeat_model *m, int64_t until_ms);
void heartbeat_model_free(struct heartbeat_model *m);

#endif
