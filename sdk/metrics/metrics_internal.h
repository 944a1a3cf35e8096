/* The metrics recorder's invocation end (run by its invocation hook); not public. */
#ifndef LAMBDA_C_METRICS_INTERNAL_H
#define LAMBDA_C_METRICS_INTERNAL_H

/*
 * Ends the invocation for the calling thread's current recorder (see
 * lambda_metrics_current): writes its EMF lines to stdout, then resets it
 * completely (namespace included). Metrics recorded without a namespace are
 * dropped with a warning in the log. Call it on the worker thread that ran the
 * handler, after the handler returned (whatever its outcome) and while the
 * logger still knows the request id. Cheap when the handler recorded nothing
 * or never touched the recorder.
 */
void lc_metrics_flush_current(void);

/* Frees the calling thread's current recorder, unwritten (tests; thread exit
 * does it by itself). */
void lc_metrics_discard_current(void);

#endif
