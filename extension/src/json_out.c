/*
 * json_out.c: jsonb built in C with pushJsonbValue, never by printing text and reparsing it.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#include "json_out.h"

/* Pushes one token, hiding the builder API difference of PostgreSQL 19. */
static void
jo_push(JsonOut *jo, JsonbIteratorToken token, JsonbValue *value)
{
#if PG_VERSION_NUM >= 190000
	pushJsonbValue(&jo->state, token, value);
#else
	jo->result = pushJsonbValue(&jo->state, token, value);
#endif
}

/* Pushes a scalar as an object value or an array element, whichever the builder expects now. */
static void
jo_scalar(JsonOut *jo, JsonbValue *value)
{
#if PG_VERSION_NUM >= 190000
	JsonbParseState *top = jo->state.parseState;
#else
	JsonbParseState *top = jo->state;
#endif

	if (top != NULL && top->contVal.type == jbvArray)
		jo_push(jo, WJB_ELEM, value);
	else
		jo_push(jo, WJB_VALUE, value);
}

/* Starts an empty writer. */
void
jo_init(JsonOut *jo)
{
	memset(jo, 0, sizeof(*jo));
}

/* Serialises the finished top-level container. */
Jsonb *
jo_finish(JsonOut *jo)
{
#if PG_VERSION_NUM >= 190000
	return JsonbValueToJsonb(jo->state.result);
#else
	return JsonbValueToJsonb(jo->result);
#endif
}

/* Opens an object. */
void
jo_begin_object(JsonOut *jo)
{
	jo_push(jo, WJB_BEGIN_OBJECT, NULL);
}

/* Closes the innermost object. */
void
jo_end_object(JsonOut *jo)
{
	jo_push(jo, WJB_END_OBJECT, NULL);
}

/* Opens an array. */
void
jo_begin_array(JsonOut *jo)
{
	jo_push(jo, WJB_BEGIN_ARRAY, NULL);
}

/* Closes the innermost array. */
void
jo_end_array(JsonOut *jo)
{
	jo_push(jo, WJB_END_ARRAY, NULL);
}

/* Writes an object key; the builder copies nothing, so the key is copied here. */
void
jo_key(JsonOut *jo, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.len = strlen(key);
	v.val.string.val = pnstrdup(key, v.val.string.len);
	jo_push(jo, WJB_KEY, &v);
}

/* Writes JSON null. */
void
jo_null(JsonOut *jo)
{
	JsonbValue	v;

	v.type = jbvNull;
	jo_scalar(jo, &v);
}

/* Writes a string, or null for a NULL pointer; the text is copied. */
void
jo_string(JsonOut *jo, const char *value)
{
	JsonbValue	v;

	if (value == NULL)
	{
		jo_null(jo);
		return;
	}
	v.type = jbvString;
	v.val.string.len = strlen(value);
	v.val.string.val = pnstrdup(value, v.val.string.len);
	jo_scalar(jo, &v);
}

/* Writes a double as a JSON number; NaN and infinities, which JSON lacks, become null. */
void
jo_float(JsonOut *jo, double value)
{
	JsonbValue	v;

	if (isnan(value) || isinf(value))
	{
		jo_null(jo);
		return;
	}
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(value)));
	jo_scalar(jo, &v);
}

/* Writes an integer as a JSON number. */
void
jo_int(JsonOut *jo, int64 value)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(value);
	jo_scalar(jo, &v);
}

/* Writes true or false. */
void
jo_bool(JsonOut *jo, bool value)
{
	JsonbValue	v;

	v.type = jbvBool;
	v.val.boolean = value;
	jo_scalar(jo, &v);
}

/* Writes a timestamp in ISO 8601 with its UTC offset, as to_json does. */
void
jo_timestamptz(JsonOut *jo, TimestampTz value)
{
	jo_string(jo, JsonEncodeDateTime(NULL, TimestampTzGetDatum(value), TIMESTAMPTZOID, NULL));
}

/* Embeds an existing jsonb container (object or array) as the next value. */
void
jo_jsonb(JsonOut *jo, Jsonb *value)
{
	JsonbValue	v;

	v.type = jbvBinary;
	v.val.binary.data = &value->root;
	v.val.binary.len = VARSIZE(value) - VARHDRSZ;
	jo_scalar(jo, &v);
}
