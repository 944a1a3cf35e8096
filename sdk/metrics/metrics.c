/*
 * CloudWatch Embedded Metric Format: recorders and their EMF lines (see lambda-c/metrics.h).
 */
#include "lambda-c/metrics.h"
#include "lambda-c/log.h"
#include "lambda-c/runtime.h"
#include "metrics/metrics_internal.h"
#include "util/clock.h"
#include "util/utf8.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NAME_CHARS 255       /* namespace, metric and dimension names */
#define MAX_DIMENSION_VALUE 1024 /* characters of a dimension value */
#define RESERVED_MEMBER "_aws"

typedef struct dimension {
    char *name;
    char *value;
} dimension;

typedef struct dimension_set {
    char **names;
    size_t count;
} dimension_set;

typedef struct metric {
    char *name;
    const char *unit; /* an entry of unit_names, or NULL */
    int resolution;   /* 1 or 60 */
    double *values;
    size_t count, cap;
} metric;

struct lambda_metrics {
    pthread_mutex_t lock;
    int is_current; /* the SDK-owned recorder of a thread: lambda_metrics_free ignores it */
    /* NULL or namespace_buf. The text lives in the recorder itself, so the pointer that
     * lambda_metrics_namespace returns stays valid while the recorder lives (no free behind
     * the back of a reader on another thread). */
    char *namespace_name;
    char namespace_buf[MAX_NAME_CHARS * 4 + 1]; /* 255 code points of up to 4 bytes */
    dimension *dims; /* the root values of every dimension named by a set */
    size_t dim_count, dim_cap;
    dimension_set *sets;
    size_t set_count, set_cap;
    metric *metrics;
    size_t metric_count, metric_cap;
    json_object *properties; /* an object; NULL until the first property */
    int64_t timestamp_ms;    /* -1: the time of the flush */
};

static const char *const unit_names[] = {
    LAMBDA_UNIT_SECONDS,
    LAMBDA_UNIT_MICROSECONDS,
    LAMBDA_UNIT_MILLISECONDS,
    LAMBDA_UNIT_BYTES,
    LAMBDA_UNIT_KILOBYTES,
    LAMBDA_UNIT_MEGABYTES,
    LAMBDA_UNIT_GIGABYTES,
    LAMBDA_UNIT_TERABYTES,
    LAMBDA_UNIT_BITS,
    LAMBDA_UNIT_KILOBITS,
    LAMBDA_UNIT_MEGABITS,
    LAMBDA_UNIT_GIGABITS,
    LAMBDA_UNIT_TERABITS,
    LAMBDA_UNIT_PERCENT,
    LAMBDA_UNIT_COUNT,
    LAMBDA_UNIT_BYTES_PER_SECOND,
    LAMBDA_UNIT_KILOBYTES_PER_SECOND,
    LAMBDA_UNIT_MEGABYTES_PER_SECOND,
    LAMBDA_UNIT_GIGABYTES_PER_SECOND,
    LAMBDA_UNIT_TERABYTES_PER_SECOND,
    LAMBDA_UNIT_BITS_PER_SECOND,
    LAMBDA_UNIT_KILOBITS_PER_SECOND,
    LAMBDA_UNIT_MEGABITS_PER_SECOND,
    LAMBDA_UNIT_GIGABITS_PER_SECOND,
    LAMBDA_UNIT_TERABITS_PER_SECOND,
    LAMBDA_UNIT_COUNT_PER_SECOND,
    LAMBDA_UNIT_NONE,
};

/* Serializes the lines of every recorder on stdout: one line never interleaves with another. */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------------ validation */

static const char *unit_lookup(const char *unit)
{
    for (size_t i = 0; i < sizeof unit_names / sizeof unit_names[0]; i++)
        if (strcmp(unit, unit_names[i]) == 0)
            return unit_names[i];
    return NULL;
}

int lambda_metrics_unit_valid(const char *unit)
{
    return unit && unit_lookup(unit) != NULL;
}

/* 1..max printable ASCII characters (space included), at least one that is not a space. */
static int printable_ascii(const char *s, size_t max)
{
    size_t len = 0;
    int visible = 0;
    for (; s[len]; len++) {
        unsigned char c = (unsigned char)s[len];
        if (c < 0x20 || c > 0x7e || len >= max)
            return 0;
        if (c != ' ')
            visible = 1;
    }
    return len > 0 && visible;
}

static int valid_namespace(const char *ns)
{
    return ns && printable_ascii(ns, MAX_NAME_CHARS) && ns[0] != ':' && strncmp(ns, "AWS/", 4) != 0;
}

static int valid_dimension_name(const char *name)
{
    return name && printable_ascii(name, MAX_NAME_CHARS) && name[0] != ':' &&
           strcmp(name, RESERVED_MEMBER) != 0;
}

static int valid_dimension_value(const char *value)
{
    return value && printable_ascii(value, MAX_DIMENSION_VALUE);
}

/* Non-empty valid UTF-8 without control characters, at most 255 code points. */
static int valid_metric_name(const char *name)
{
    if (!name || !*name || strcmp(name, RESERVED_MEMBER) == 0)
        return 0;
    size_t len = strlen(name);
    if (!lc_utf8_is_valid(name, len))
        return 0;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        if ((c & 0xc0) != 0x80)
            chars++;
    }
    return chars <= MAX_NAME_CHARS;
}

static int valid_property_name(const char *name)
{
    return name && *name && strcmp(name, RESERVED_MEMBER) != 0 &&
           lc_utf8_is_valid(name, strlen(name));
}

/* CloudWatch accepts values within +-2^360; NaN and infinities are not numbers in JSON. */
static int valid_value(double value)
{
    return isfinite(value) && fabs(value) <= ldexp(1.0, 360);
}

/* ------------------------------------------------------------------ lookups (lock held) */

static dimension *find_dimension(lambda_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->dim_count; i++)
        if (strcmp(m->dims[i].name, name) == 0)
            return &m->dims[i];
    return NULL;
}

static metric *find_metric(lambda_metrics *m, const char *name)
{
    /* Handlers usually record the same metric repeatedly: look at the newest first. */
    for (size_t i = m->metric_count; i-- > 0;)
        if (strcmp(m->metrics[i].name, name) == 0)
            return &m->metrics[i];
    return NULL;
}

static int is_property(lambda_metrics *m, const char *name)
{
    return m->properties && json_object_object_get_ex(m->properties, name, NULL);
}

/*
 * array (of elem_size-byte elements, *cap of them) grown to hold at least need > 0
 * elements: array itself when it already does, a reallocation otherwise (*cap updated),
 * NULL when out of memory (array and *cap unchanged).
 */
static void *reserve(void *array, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return array;
    size_t new_cap = *cap ? *cap : 4;
    while (new_cap < need) {
        if (new_cap > ((size_t)-1 / 2) / elem_size)
            return NULL;
        new_cap *= 2;
    }
    void *p = realloc(array, new_cap * elem_size);
    if (p)
        *cap = new_cap;
    return p;
}

/* ------------------------------------------------------------------ clearing (lock held) */

static void clear_metrics(lambda_metrics *m)
{
    for (size_t i = 0; i < m->metric_count; i++) {
        free(m->metrics[i].name);
        free(m->metrics[i].values);
    }
    free(m->metrics);
    m->metrics = NULL;
    m->metric_count = m->metric_cap = 0;
    m->timestamp_ms = -1;
}

static void clear_dimensions(lambda_metrics *m)
{
    for (size_t i = 0; i < m->set_count; i++) {
        for (size_t j = 0; j < m->sets[i].count; j++)
            free(m->sets[i].names[j]);
        free(m->sets[i].names);
    }
    free(m->sets);
    m->sets = NULL;
    m->set_count = m->set_cap = 0;
    for (size_t i = 0; i < m->dim_count; i++) {
        free(m->dims[i].name);
        free(m->dims[i].value);
    }
    free(m->dims);
    m->dims = NULL;
    m->dim_count = m->dim_cap = 0;
}

static void clear_all(lambda_metrics *m)
{
    clear_metrics(m);
    clear_dimensions(m);
    json_object_put(m->properties);
    m->properties = NULL;
}

/* ------------------------------------------------------------------ recorders */

static lambda_metrics *recorder_new(void)
{
    lambda_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    m->timestamp_ms = -1;
    return m;
}

static void recorder_free(lambda_metrics *m)
{
    clear_all(m);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Caller holds m->lock (or owns m alone); name passed valid_namespace, so it fits. */
static void store_namespace(lambda_metrics *m, const char *name)
{
    snprintf(m->namespace_buf, sizeof m->namespace_buf, "%s", name);
    m->namespace_name = m->namespace_buf;
}

lambda_code lambda_metrics_new(const char *namespace_name, lambda_metrics **out)
{
    if (!out)
        return LAMBDA_E_INVALID_ARGUMENT;
    *out = NULL;
    if (namespace_name && !valid_namespace(namespace_name))
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_metrics *m = recorder_new();
    if (!m)
        return LAMBDA_E_NO_MEMORY;
    if (namespace_name)
        store_namespace(m, namespace_name);
    *out = m;
    return LAMBDA_OK;
}

void lambda_metrics_free(lambda_metrics *m)
{
    if (m && !m->is_current)
        recorder_free(m);
}

lambda_code lambda_metrics_set_namespace(lambda_metrics *m, const char *namespace_name)
{
    if (!m || !valid_namespace(namespace_name))
        return LAMBDA_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&m->lock);
    store_namespace(m, namespace_name);
    pthread_mutex_unlock(&m->lock);
    return LAMBDA_OK;
}

lambda_code lambda_metrics_copy_namespace(const lambda_metrics *m, char *buf, size_t cap)
{
    if (!m || !buf || cap == 0)
        return LAMBDA_E_INVALID_ARGUMENT;
    lambda_metrics *mm = (lambda_metrics *)m;
    lambda_code rc = LAMBDA_OK;
    pthread_mutex_lock(&mm->lock);
    if (!mm->namespace_name)
        rc = LAMBDA_E_NOT_FOUND;
    else if (strlen(mm->namespace_name) >= cap)
        rc = LAMBDA_E_TOO_LARGE;
    else
        memcpy(buf, mm->namespace_name, strlen(mm->namespace_name) + 1);
    pthread_mutex_unlock(&mm->lock);
    if (rc)
        buf[0] = '\0';
    return rc;
}

const char *lambda_metrics_namespace(const lambda_metrics *m)
{
    if (!m)
        return NULL;
    lambda_metrics *mm = (lambda_metrics *)m;
    pthread_mutex_lock(&mm->lock);
    const char *ns = mm->namespace_name;
    pthread_mutex_unlock(&mm->lock);
    return ns;
}

/* ------------------------------------------------------------------ dimensions */

static int same_set(const dimension_set *set, const char *const *names, size_t count)
{
    if (set->count != count)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (strcmp(set->names[i], names[i]) != 0)
            return 0;
    return 1;
}

/* Checks the new set against itself and m; returns how many of its names are new dimensions. */
static lambda_code check_set(lambda_metrics *m, const char *const *names, const char *const *values,
                             size_t count, size_t *new_dims)
{
    *new_dims = 0;
    for (size_t i = 0; i < count; i++) {
        if (!valid_dimension_name(names[i]) || !valid_dimension_value(values[i]))
            return LAMBDA_E_INVALID_ARGUMENT;
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return LAMBDA_E_INVALID_ARGUMENT;
        if (find_metric(m, names[i]) || is_property(m, names[i]))
            return LAMBDA_E_INVALID_ARGUMENT;
        const dimension *d = find_dimension(m, names[i]);
        if (d && strcmp(d->value, values[i]) != 0)
            return LAMBDA_E_INVALID_ARGUMENT;
        if (!d)
            (*new_dims)++;
    }
    return LAMBDA_OK;
}

static lambda_code add_set_locked(lambda_metrics *m, const char *const *names,
                                  const char *const *values, size_t count)
{
    size_t new_dims;
    lambda_code rc = check_set(m, names, values, count, &new_dims);
    if (rc)
        return rc;
    for (size_t i = 0; i < m->set_count; i++)
        if (same_set(&m->sets[i], names, count))
            return LAMBDA_OK;
    void *p = reserve(m->sets, &m->set_cap, m->set_count + 1, sizeof *m->sets);
    if (!p)
        return LAMBDA_E_NO_MEMORY;
    m->sets = p;
    if (new_dims > 0) {
        if (!(p = reserve(m->dims, &m->dim_cap, m->dim_count + new_dims, sizeof *m->dims)))
            return LAMBDA_E_NO_MEMORY;
        m->dims = p;
    }

    /* Copy everything first, so that a failed allocation leaves m unchanged. */
    dimension_set set = { calloc(count ? count : 1, sizeof(char *)), count };
    dimension *added = calloc(new_dims ? new_dims : 1, sizeof *added);
    size_t n_added = 0;
    int ok = set.names && added;
    for (size_t i = 0; ok && i < count; i++) {
        ok = (set.names[i] = strdup(names[i])) != NULL;
        if (ok && !find_dimension(m, names[i])) {
            added[n_added].name = strdup(names[i]);
            added[n_added].value = strdup(values[i]);
            ok = added[n_added].name && added[n_added].value;
            n_added++;
        }
    }
    if (!ok) {
        for (size_t i = 0; set.names && i < count; i++)
            free(set.names[i]);
        for (size_t i = 0; i < n_added; i++) {
            free(added[i].name);
            free(added[i].value);
        }
        free(set.names);
        free(added);
        return LAMBDA_E_NO_MEMORY;
    }
    m->sets[m->set_count++] = set;
    for (size_t i = 0; i < n_added; i++)
        m->dims[m->dim_count++] = added[i];
    free(added);
    return LAMBDA_OK;
}

lambda_code lambda_metrics_add_dimension_set(lambda_metrics *m, const char *const *names,
                                             const char *const *values, size_t count)
{
    if (!m || (count > 0 && (!names || !values)) || count > LAMBDA_METRICS_MAX_DIMENSIONS)
        return LAMBDA_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&m->lock);
    lambda_code rc = add_set_locked(m, names, values, count);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

lambda_code lambda_metrics_add_dimension(lambda_metrics *m, const char *name, const char *value)
{
    return lambda_metrics_add_dimension_set(m, &name, &value, 1);
}

void lambda_metrics_clear_dimensions(lambda_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    clear_dimensions(m);
    pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------------ metrics */

static lambda_code put_locked(lambda_metrics *m, const char *name, double value, const char *unit,
                              int resolution)
{
    metric *mt = find_metric(m, name);
    if (mt) {
        if (mt->unit != unit || mt->resolution != resolution)
            return LAMBDA_E_INVALID_ARGUMENT;
    } else {
        if (find_dimension(m, name) || is_property(m, name))
            return LAMBDA_E_INVALID_ARGUMENT;
        void *p = reserve(m->metrics, &m->metric_cap, m->metric_count + 1, sizeof *m->metrics);
        if (!p)
            return LAMBDA_E_NO_MEMORY;
        m->metrics = p;
        char *copy = strdup(name);
        if (!copy)
            return LAMBDA_E_NO_MEMORY;
        mt = &m->metrics[m->metric_count++];
        memset(mt, 0, sizeof *mt);
        mt->name = copy;
        mt->unit = unit;
        mt->resolution = resolution;
    }
    double *values = reserve(mt->values, &mt->cap, mt->count + 1, sizeof *mt->values);
    if (!values) {
        if (mt->count == 0) { /* a metric just added: take it back */
            free(mt->name);
            m->metric_count--;
        }
        return LAMBDA_E_NO_MEMORY;
    }
    mt->values = values;
    mt->values[mt->count++] = value;
    return LAMBDA_OK;
}

lambda_code lambda_metrics_put_resolution(lambda_metrics *m, const char *name, double value,
                                          const char *unit, int storage_resolution)
{
    const char *known_unit = unit ? unit_lookup(unit) : NULL;
    if (!m || !valid_metric_name(name) || (unit && !known_unit) || !valid_value(value) ||
        (storage_resolution != LAMBDA_METRICS_RESOLUTION_HIGH &&
         storage_resolution != LAMBDA_METRICS_RESOLUTION_STANDARD))
        return LAMBDA_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&m->lock);
    lambda_code rc = put_locked(m, name, value, known_unit, storage_resolution);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

lambda_code lambda_metrics_put(lambda_metrics *m, const char *name, double value, const char *unit)
{
    return lambda_metrics_put_resolution(m, name, value, unit, LAMBDA_METRICS_RESOLUTION_STANDARD);
}

size_t lambda_metrics_count(const lambda_metrics *m)
{
    if (!m)
        return 0;
    lambda_metrics *mm = (lambda_metrics *)m;
    pthread_mutex_lock(&mm->lock);
    size_t n = mm->metric_count;
    pthread_mutex_unlock(&mm->lock);
    return n;
}

/* ------------------------------------------------------------------ properties */

lambda_code lambda_metrics_set_property(lambda_metrics *m, const char *name, json_object *value)
{
    if (!m || !valid_property_name(name)) {
        json_object_put(value);
        return LAMBDA_E_INVALID_ARGUMENT;
    }
    lambda_code rc = LAMBDA_OK;
    pthread_mutex_lock(&m->lock);
    if (find_dimension(m, name) || find_metric(m, name)) {
        rc = LAMBDA_E_INVALID_ARGUMENT;
    } else if (!m->properties && !(m->properties = json_object_new_object())) {
        rc = LAMBDA_E_NO_MEMORY;
    } else if (json_object_object_add(m->properties, name, value) != 0) {
        rc = LAMBDA_E_NO_MEMORY;
        /* json-c does not take the reference on failure. */
    } else {
        value = NULL; /* owned by the properties now */
    }
    pthread_mutex_unlock(&m->lock);
    if (rc)
        json_object_put(value);
    return rc;
}

lambda_code lambda_metrics_set_property_string(lambda_metrics *m, const char *name,
                                               const char *value)
{
    json_object *v = NULL;
    if (value) {
        char *text = lc_utf8_repair(value, strlen(value));
        if (text)
            v = json_object_new_string(text);
        free(text);
        if (!v)
            return LAMBDA_E_NO_MEMORY;
    }
    return lambda_metrics_set_property(m, name, v);
}

lambda_code lambda_metrics_set_timestamp(lambda_metrics *m, int64_t epoch_ms)
{
    if (!m || epoch_ms < 0)
        return LAMBDA_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&m->lock);
    m->timestamp_ms = epoch_ms;
    pthread_mutex_unlock(&m->lock);
    return LAMBDA_OK;
}

/* ------------------------------------------------------------------ EMF lines */

/*
 * A JSON number with the fewest digits that read back as exactly value (json-c's default
 * "%.17g" is exact too, but prints 0.1 as 0.10000000000000001).
 */
static json_object *number(double value)
{
    char buf[64];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    /* snprintf and strtod follow the C locale's decimal separator; JSON's is '.'. */
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    return json_object_new_double_s(value, buf);
}

/* Adds member to obj; frees it and returns 0 when it is NULL or cannot be added. */
static int add(json_object *obj, const char *name, json_object *member)
{
    if (!member)
        return 0;
    if (json_object_object_add(obj, name, member) != 0) {
        json_object_put(member);
        return 0;
    }
    return 1;
}

static int append(json_object *array, json_object *item)
{
    if (!item)
        return 0;
    if (json_object_array_add(array, item) != 0) {
        json_object_put(item);
        return 0;
    }
    return 1;
}

/* The _aws.CloudWatchMetrics[0].Dimensions array. */
static json_object *dimensions_json(const lambda_metrics *m)
{
    json_object *sets = json_object_new_array();
    if (!sets)
        return NULL;
    int ok = 1;
    if (m->set_count == 0) /* metrics without dimensions */
        ok = append(sets, json_object_new_array());
    for (size_t i = 0; ok && i < m->set_count; i++) {
        json_object *set = json_object_new_array();
        ok = append(sets, set);
        for (size_t j = 0; ok && j < m->sets[i].count; j++)
            ok = append(set, json_object_new_string(m->sets[i].names[j]));
    }
    if (!ok) {
        json_object_put(sets);
        return NULL;
    }
    return sets;
}

/*
 * The next EMF line: the metrics that still have values after their offsets in sent[]
 * (in recording order), at most LAMBDA_METRICS_MAX_METRICS_PER_LINE of them and at most
 * LAMBDA_METRICS_MAX_VALUES_PER_LINE values each; advances sent[]. NULL when out of memory.
 */
static char *build_line(const lambda_metrics *m, int64_t timestamp, size_t *sent, size_t *len)
{
    json_object *root = json_object_new_object();
    if (!root)
        return NULL;
    /* Each member is created only once its parent is attached; add() and append() free
     * what they cannot attach, so root owns everything that exists. */
    json_object *aws, *directives = NULL, *directive = NULL, *definitions = NULL;
    int ok = add(root, RESERVED_MEMBER, aws = json_object_new_object()) &&
             add(aws, "Timestamp", json_object_new_int64(timestamp)) &&
             add(aws, "CloudWatchMetrics", directives = json_object_new_array()) &&
             append(directives, directive = json_object_new_object()) &&
             add(directive, "Namespace", json_object_new_string(m->namespace_name)) &&
             add(directive, "Dimensions", dimensions_json(m)) &&
             add(directive, "Metrics", definitions = json_object_new_array());

    for (size_t i = 0; ok && i < m->dim_count; i++)
        ok = add(root, m->dims[i].name, json_object_new_string(m->dims[i].value));
    if (ok && m->properties) {
        json_object_object_foreach(m->properties, key, val)
        {
            if (!ok)
                break;
            if (json_object_object_add(root, key, json_object_get(val)) != 0) {
                json_object_put(val);
                ok = 0;
            }
        }
    }
    size_t in_line = 0;
    for (size_t i = 0; ok && i < m->metric_count && in_line < LAMBDA_METRICS_MAX_METRICS_PER_LINE;
         i++) {
        const metric *mt = &m->metrics[i];
        if (sent[i] >= mt->count)
            continue;
        in_line++;
        json_object *def = json_object_new_object();
        ok = append(definitions, def) && add(def, "Name", json_object_new_string(mt->name));
        if (ok && mt->unit)
            ok = add(def, "Unit", json_object_new_string(mt->unit));
        if (ok && mt->resolution != LAMBDA_METRICS_RESOLUTION_STANDARD)
            ok = add(def, "StorageResolution", json_object_new_int(mt->resolution));
        size_t take = mt->count - sent[i];
        if (take > LAMBDA_METRICS_MAX_VALUES_PER_LINE)
            take = LAMBDA_METRICS_MAX_VALUES_PER_LINE;
        if (ok && take == 1) {
            ok = add(root, mt->name, number(mt->values[sent[i]]));
        } else if (ok) {
            json_object *values = json_object_new_array();
            ok = add(root, mt->name, values);
            for (size_t k = 0; ok && k < take; k++)
                ok = append(values, number(mt->values[sent[i] + k]));
        }
        sent[i] += take;
    }

    char *line = NULL;
    if (ok) {
        size_t n = 0;
        const char *text = json_object_to_json_string_length(
            root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
        if (text && (line = malloc(n + 1)) != NULL) {
            memcpy(line, text, n);
            line[n] = '\n';
            *len = n + 1;
        }
    }
    json_object_put(root);
    return line;
}

typedef struct line_list {
    char **lines;
    size_t *lens;
    size_t count, lines_cap, lens_cap;
} line_list;

static void lines_free(line_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->lines[i]);
    free(l->lines);
    free(l->lens);
}

/* Every EMF line of m (lock held). */
static lambda_code build_lines(const lambda_metrics *m, line_list *out)
{
    memset(out, 0, sizeof *out);
    size_t *sent = calloc(m->metric_count ? m->metric_count : 1, sizeof *sent);
    if (!sent)
        return LAMBDA_E_NO_MEMORY;
    int64_t timestamp = m->timestamp_ms >= 0 ? m->timestamp_ms : lc_clock_realtime_ms();
    lambda_code rc = LAMBDA_OK;
    for (;;) {
        size_t pending = 0;
        for (size_t i = 0; i < m->metric_count; i++)
            if (sent[i] < m->metrics[i].count)
                pending = 1;
        if (!pending)
            break;
        char **lines = reserve(out->lines, &out->lines_cap, out->count + 1, sizeof *out->lines);
        if (lines)
            out->lines = lines;
        size_t *lens = reserve(out->lens, &out->lens_cap, out->count + 1, sizeof *out->lens);
        if (lens)
            out->lens = lens;
        if (!lines || !lens) {
            rc = LAMBDA_E_NO_MEMORY;
            break;
        }
        size_t len = 0;
        char *line = build_line(m, timestamp, sent, &len);
        if (!line) {
            rc = LAMBDA_E_NO_MEMORY;
            break;
        }
        out->lines[out->count] = line;
        out->lens[out->count++] = len;
    }
    free(sent);
    if (rc)
        lines_free(out);
    return rc;
}

/* One write() per line (more only if the kernel takes part of it), under output_lock. */
static lambda_code write_lines(const line_list *l)
{
    lambda_code rc = LAMBDA_OK;
    fflush(stdout); /* what the handler printf'ed comes first */
    pthread_mutex_lock(&output_lock);
    for (size_t i = 0; i < l->count; i++) {
        const char *p = l->lines[i];
        size_t left = l->lens[i];
        while (left > 0) {
            ssize_t n = write(STDOUT_FILENO, p, left);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                rc = LAMBDA_E_IO;
                break;
            }
            p += n;
            left -= (size_t)n;
        }
    }
    pthread_mutex_unlock(&output_lock);
    return rc;
}

lambda_code lambda_metrics_flush(lambda_metrics *m)
{
    if (!m)
        return LAMBDA_E_INVALID_ARGUMENT;
    pthread_mutex_lock(&m->lock);
    lambda_code rc = LAMBDA_OK;
    if (m->metric_count == 0) {
        m->timestamp_ms = -1;
    } else if (!m->namespace_name) {
        rc = LAMBDA_E_STATE;
    } else {
        line_list lines;
        rc = build_lines(m, &lines);
        if (rc == LAMBDA_OK) {
            /* Under m's lock: lines of one recorder keep their order across threads. */
            rc = write_lines(&lines);
            lines_free(&lines);
            clear_metrics(m);
        }
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

void lambda_metrics_reset(lambda_metrics *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    clear_all(m);
    pthread_mutex_unlock(&m->lock);
}

/* ------------------------------------------------------------------ the current recorder */

static pthread_once_t current_once = PTHREAD_ONCE_INIT;
static pthread_key_t current_key;
static int current_key_ok;

static void current_destroy(void *p)
{
    recorder_free(p);
}

static void current_key_create(void)
{
    current_key_ok = pthread_key_create(&current_key, current_destroy) == 0;
}

lambda_metrics *lambda_metrics_current(void)
{
    pthread_once(&current_once, current_key_create);
    if (!current_key_ok)
        return NULL;
    lambda_metrics *m = pthread_getspecific(current_key);
    if (m)
        return m;
    m = recorder_new();
    if (!m)
        return NULL;
    m->is_current = 1;
    if (pthread_setspecific(current_key, m) != 0) {
        recorder_free(m);
        return NULL;
    }
    return m;
}

/* The calling thread's recorder if it has one (none is created). */
static lambda_metrics *existing_current(void)
{
    pthread_once(&current_once, current_key_create);
    return current_key_ok ? pthread_getspecific(current_key) : NULL;
}

/* The core runs this after every handler (lambda_runtime_add_invocation_hook). */
static void flush_after_invocation(const lambda_context *ctx, void *arg)
{
    (void)ctx;
    (void)arg;
    lc_metrics_flush_current();
}

/* Loading the library (a handler that links it) is what subscribes it to invocations. */
__attribute__((constructor)) static void register_invocation_hook(void)
{
    if (lambda_runtime_add_invocation_hook(flush_after_invocation, NULL) != LAMBDA_OK)
        lambda_log_error("liblambda-c-metrics: no room for its invocation hook: metrics will "
                         "not be written");
}

void lc_metrics_flush_current(void)
{
    lambda_metrics *m = existing_current();
    if (!m)
        return;
    size_t count = lambda_metrics_count(m);
    lambda_code rc = lambda_metrics_flush(m);
    if (rc == LAMBDA_E_STATE)
        lambda_log_warn("%zu metric(s) recorded without a namespace were dropped: call "
                        "lambda_metrics_set_namespace on lambda_metrics_current()",
                        count);
    else if (rc)
        lambda_log_error("could not write the invocation's metrics: %s", lambda_strerror(rc));
    /* The next invocation on this thread starts from scratch, whatever happened. */
    pthread_mutex_lock(&m->lock);
    clear_all(m);
    m->namespace_name = NULL;
    pthread_mutex_unlock(&m->lock);
}

void lc_metrics_discard_current(void)
{
    lambda_metrics *m = existing_current();
    if (!m)
        return;
    pthread_setspecific(current_key, NULL);
    recorder_free(m);
}
