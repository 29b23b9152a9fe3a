/*
 * json_out.h: a small writer that builds jsonb values with pushJsonbValue.
 *
 * The jsonb builder API changed in PostgreSQL 19 (JsonbInState); this wrapper is the only place that
 * knows, so every function of the extension builds jsonb the same way on every supported release.
 */
#ifndef VD_JSON_OUT_H
#define VD_JSON_OUT_H

#include "postgres.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

typedef struct JsonOut
{
#if PG_VERSION_NUM >= 190000
	JsonbInState state;
#else
	JsonbParseState *state;
	JsonbValue *result;
#endif
} JsonOut;

extern void jo_init(JsonOut *jo);
extern Jsonb *jo_finish(JsonOut *jo);
extern void jo_begin_object(JsonOut *jo);
extern void jo_end_object(JsonOut *jo);
extern void jo_begin_array(JsonOut *jo);
extern void jo_end_array(JsonOut *jo);
extern void jo_key(JsonOut *jo, const char *key);
extern void jo_null(JsonOut *jo);
extern void jo_string(JsonOut *jo, const char *value);
extern void jo_float(JsonOut *jo, double value);
extern void jo_int(JsonOut *jo, int64 value);
extern void jo_bool(JsonOut *jo, bool value);
extern void jo_timestamptz(JsonOut *jo, TimestampTz value);
extern void jo_jsonb(JsonOut *jo, Jsonb *value);

/* Key-value shorthands for object members. */
#define jo_kv_string(jo, k, v)	(jo_key(jo, k), jo_string(jo, v))
#define jo_kv_float(jo, k, v)	(jo_key(jo, k), jo_float(jo, v))
#define jo_kv_int(jo, k, v)		(jo_key(jo, k), jo_int(jo, v))
#define jo_kv_bool(jo, k, v)	(jo_key(jo, k), jo_bool(jo, v))
#define jo_kv_ts(jo, k, v)		(jo_key(jo, k), jo_timestamptz(jo, v))

#endif
