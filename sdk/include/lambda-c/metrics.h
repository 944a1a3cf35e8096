/*
 * lambda-c/metrics.h - custom CloudWatch metrics through the Embedded Metric
 * Format (EMF): metrics recorded during an invocation are written to stdout
 * as EMF log lines, from which CloudWatch Logs extracts the metrics.
 *
 *     lambda_handler_fn handler;
 *     int handler(lambda_event *event, const lambda_context *ctx, lambda_response *response)
 *     {
 *         lambda_metrics *m = lambda_metrics_current();
 *         lambda_metrics_set_namespace(m, "Shop");
 *         lambda_metrics_add_dimension(m, "Operation", "checkout");
 *         lambda_metrics_set_property_string(m, "requestId", lambda_context_request_id(ctx));
 *         lambda_metrics_put(m, "Latency", 12.5, LAMBDA_UNIT_MILLISECONDS);
 *         lambda_metrics_put(m, "Items", 3, LAMBDA_UNIT_COUNT);
 *         ...
 *     }   // the runtime writes the EMF line(s) when the invocation ends
 *
 * Two kinds of recorders:
 *   - The current recorder, lambda_metrics_current(): one per thread, owned by
 *     the SDK. The runtime flushes it after each invocation served on that
 *     thread (also when the handler failed) and then resets it completely:
 *     namespace, dimensions, properties, metrics. Every invocation, on
 *     whichever worker thread it runs, therefore starts from an empty
 *     recorder and sets its namespace itself. Never free it.
 *   - Recorders the caller creates with lambda_metrics_new and frees with
 *     lambda_metrics_free; they are written only by lambda_metrics_flush.
 *
 * Thread safety: every call on one recorder is serialized by a lock inside
 * it, so a handler may pass its recorder (the current one included) to
 * helper threads for the duration of the invocation. Recorders are
 * independent of each other. Each EMF line is written to stdout with one
 * write() under a process-wide lock: lines from several threads never
 * interleave. Calling lambda_metrics_current() on a helper thread returns
 * that helper's own recorder, which the runtime does not flush.
 *
 * The EMF document: one JSON object per line,
 *     {"_aws":{"Timestamp":<epoch ms>,"CloudWatchMetrics":[{"Namespace":"...",
 *       "Dimensions":[["Operation"],...],"Metrics":[{"Name":"Latency",
 *       "Unit":"Milliseconds"},{"Name":"Hot","StorageResolution":1}]}]},
 *      "Operation":"checkout","requestId":"...","Latency":12.5,"Hot":[1,2]}
 * A metric with one value is a number, with several an array of numbers.
 * Without any dimension set, Dimensions is [[]] (metrics without dimensions).
 * Limits applied: at most 100 metrics and at most 100 values per metric in a
 * line (more are split over several lines, each repeating the namespace,
 * dimensions and properties); at most 30 dimensions in a dimension set.
 *
 * Names (checked when recorded; CloudWatch's limits):
 *   namespace         1-255 printable ASCII characters, not starting with ':'
 *                     nor "AWS/" (reserved for AWS services);
 *   metric name       1-255 characters of valid UTF-8, no control characters;
 *   dimension name    1-255 printable ASCII characters, not all spaces, not
 *                     starting with ':';
 *   dimension value   1-1024 printable ASCII characters, not all spaces;
 *   property name     non-empty valid UTF-8.
 * Dimension, metric and property names share the root object of the line:
 * a name can be only one of them at a time, and "_aws" is none of them.
 * Every string is copied: the caller keeps ownership of what it passes.
 */
#ifndef LAMBDA_C_METRICS_H
#define LAMBDA_C_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
typedef struct lambda_metrics lambda_metrics;

/* The CloudWatch units (the exact strings EMF accepts). */
#define LAMBDA_UNIT_SECONDS "Seconds"
#define LAMBDA_UNIT_MICROSECONDS "Microseconds"
#define LAMBDA_UNIT_MILLISECONDS "Milliseconds"
#define LAMBDA_UNIT_BYTES "Bytes"
#define LAMBDA_UNIT_KILOBYTES "Kilobytes"
#define LAMBDA_UNIT_MEGABYTES "Megabytes"
#define LAMBDA_UNIT_GIGABYTES "Gigabytes"
#define LAMBDA_UNIT_TERABYTES "Terabytes"
#define LAMBDA_UNIT_BITS "Bits"
#define LAMBDA_UNIT_KILOBITS "Kilobits"
#define LAMBDA_UNIT_MEGABITS "Megabits"
#define LAMBDA_UNIT_GIGABITS "Gigabits"
#define LAMBDA_UNIT_TERABITS "Terabits"
#define LAMBDA_UNIT_PERCENT "Percent"
#define LAMBDA_UNIT_COUNT "Count"
#define LAMBDA_UNIT_BYTES_PER_SECOND "Bytes/Second"
#define LAMBDA_UNIT_KILOBYTES_PER_SECOND "Kilobytes/Second"
#define LAMBDA_UNIT_MEGABYTES_PER_SECOND "Megabytes/Second"
#define LAMBDA_UNIT_GIGABYTES_PER_SECOND "Gigabytes/Second"
#define LAMBDA_UNIT_TERABYTES_PER_SECOND "Terabytes/Second"
#define LAMBDA_UNIT_BITS_PER_SECOND "Bits/Second"
#define LAMBDA_UNIT_KILOBITS_PER_SECOND "Kilobits/Second"
#define LAMBDA_UNIT_MEGABITS_PER_SECOND "Megabits/Second"
#define LAMBDA_UNIT_GIGABITS_PER_SECOND "Gigabits/Second"
#define LAMBDA_UNIT_TERABITS_PER_SECOND "Terabits/Second"
#define LAMBDA_UNIT_COUNT_PER_SECOND "Count/Second"
#define LAMBDA_UNIT_NONE "None"

/* Storage resolutions: CloudWatch keeps high-resolution metrics per second. */
#define LAMBDA_METRICS_RESOLUTION_HIGH 1
#define LAMBDA_METRICS_RESOLUTION_STANDARD 60

/* Limits of one EMF line and of one dimension set. */
#define LAMBDA_METRICS_MAX_METRICS_PER_LINE 100
#define LAMBDA_METRICS_MAX_VALUES_PER_LINE 100
#define LAMBDA_METRICS_MAX_DIMENSIONS 30

/*
 * Creates an empty recorder in *out; free it with lambda_metrics_free.
 * namespace may be NULL (set it later with lambda_metrics_set_namespace) and
 * is copied. Returns LAMBDA_OK, or LAMBDA_E_INVALID_ARGUMENT (out is NULL or
 * the namespace is invalid) or LAMBDA_E_NO_MEMORY; on failure *out is NULL.
 */
lambda_code lambda_metrics_new(const char *namespace_name, lambda_metrics **out);

/*
 * Frees m and everything it recorded, without writing it (flush first to
 * keep it). NULL, and the recorder of lambda_metrics_current(), are ignored.
 */
void lambda_metrics_free(lambda_metrics *m);

/*
 * The calling thread's recorder for the invocation it serves (see the top of
 * this file), created on first use; owned by the SDK, valid until the thread
 * ends. Its namespace is NULL until set. NULL only when out of memory.
 */
lambda_metrics *lambda_metrics_current(void);

/* Sets (replaces) the namespace of m; copied into m. LAMBDA_E_INVALID_ARGUMENT when m
 * is NULL or the namespace is NULL or invalid. */
lambda_code lambda_metrics_set_namespace(lambda_metrics *m, const char *namespace_name);

/*
 * The namespace of m, or NULL. The text is stored inside m: the pointer stays valid as long
 * as m does, but its content changes when the namespace is set again. When another thread
 * may set it concurrently, use lambda_metrics_copy_namespace instead.
 */
const char *lambda_metrics_namespace(const lambda_metrics *m);

/*
 * Copies the namespace of m into buf (cap bytes, NUL-terminated) under m's lock: safe
 * against concurrent lambda_metrics_set_namespace. LAMBDA_E_INVALID_ARGUMENT (m or buf NULL,
 * cap 0), LAMBDA_E_NOT_FOUND (no namespace), LAMBDA_E_TOO_LARGE (cap too small; namespaces
 * fit in LAMBDA_METRICS_NAMESPACE_BUFFER bytes). buf is "" on error. Since 1.2.
 */
#define LAMBDA_METRICS_NAMESPACE_BUFFER 1021
lambda_code lambda_metrics_copy_namespace(const lambda_metrics *m, char *buf, size_t cap);

/*
 * Adds a dimension set: count dimensions named names[i] with the values
 * values[i]. Every metric of m is published once per dimension set. count 0
 * adds the empty set (the metrics without dimensions, also next to other
 * sets). Adding a set equal to one already there does nothing. Names and
 * values are copied. Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  m NULL; names or values NULL while count > 0;
 *                              count > LAMBDA_METRICS_MAX_DIMENSIONS; an
 *                              invalid or repeated name or value; a name that
 *                              is already a metric or a property; a name that
 *                              is already a dimension of m with another
 *                              value (a line holds one value per name);
 *   LAMBDA_E_NO_MEMORY.
 * On failure m is unchanged.
 */
lambda_code lambda_metrics_add_dimension_set(lambda_metrics *m, const char *const *names,
                                             const char *const *values, size_t count);

/* lambda_metrics_add_dimension_set with the one dimension name=value. */
lambda_code lambda_metrics_add_dimension(lambda_metrics *m, const char *name, const char *value);

/* Removes every dimension set (and dimension value) of m. NULL is a no-op. */
void lambda_metrics_clear_dimensions(lambda_metrics *m);

/*
 * Records value for the metric name at standard resolution (60). Recording a
 * name again adds a value: the line then carries an array of values, in
 * recording order. unit is one of the LAMBDA_UNIT_* strings, or NULL for no
 * Unit member (CloudWatch then uses None). Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  m NULL; an invalid name or unit; value not
 *                              finite or beyond +-2^360 (CloudWatch's range);
 *                              a name already recorded with another unit or
 *                              resolution, or that is a dimension or property;
 *   LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_metrics_put(lambda_metrics *m, const char *name, double value, const char *unit);

/* lambda_metrics_put with a storage resolution: LAMBDA_METRICS_RESOLUTION_HIGH
 * (1) or _STANDARD (60); anything else is LAMBDA_E_INVALID_ARGUMENT. */
lambda_code lambda_metrics_put_resolution(lambda_metrics *m, const char *name, double value,
                                          const char *unit, int storage_resolution);

/*
 * Sets (replaces) the root member name, which is not a metric: context such
 * as a request id that is searchable in CloudWatch Logs Insights. Takes over
 * the caller's reference to value (json_object_put when replaced or freed,
 * and at once when this call fails); value NULL is the JSON null. Returns
 * LAMBDA_OK, or LAMBDA_E_INVALID_ARGUMENT (m NULL; an invalid name; a name
 * that is "_aws", a dimension or a metric) or LAMBDA_E_NO_MEMORY.
 */
lambda_code lambda_metrics_set_property(lambda_metrics *m, const char *name,
                                        struct json_object *value);

/* lambda_metrics_set_property with a string value (copied; invalid UTF-8 is
 * replaced by U+FFFD). value NULL is the JSON null. */
lambda_code lambda_metrics_set_property_string(lambda_metrics *m, const char *name,
                                               const char *value);

/*
 * The _aws.Timestamp of the next flush, in Unix epoch milliseconds (by
 * default the time of the flush). Applies to one flush only. Returns
 * LAMBDA_E_INVALID_ARGUMENT when m is NULL or epoch_ms is negative.
 */
lambda_code lambda_metrics_set_timestamp(lambda_metrics *m, int64_t epoch_ms);

/* The number of distinct metric names recorded since the last flush (0 for NULL). */
size_t lambda_metrics_count(const lambda_metrics *m);

/*
 * Writes what m recorded as EMF lines to stdout (one write() per line,
 * stdio's buffer flushed first), then forgets the metrics and the timestamp;
 * the namespace, dimension sets and properties stay for the next flush.
 * Nothing recorded: nothing written, LAMBDA_OK. Returns LAMBDA_OK, or
 *   LAMBDA_E_INVALID_ARGUMENT  m NULL;
 *   LAMBDA_E_STATE             metrics recorded but no namespace set (nothing
 *                              written, nothing forgotten);
 *   LAMBDA_E_NO_MEMORY         nothing written, nothing forgotten;
 *   LAMBDA_E_IO                stdout failed (the metrics are forgotten).
 */
lambda_code lambda_metrics_flush(lambda_metrics *m);

/* Forgets everything m recorded: metrics, timestamp, dimensions, properties;
 * the namespace stays. NULL is a no-op. */
void lambda_metrics_reset(lambda_metrics *m);

/* Whether unit is one of the CloudWatch unit names above (case-sensitive). */
int lambda_metrics_unit_valid(const char *unit);

#ifdef __cplusplus
}
#endif

#endif
