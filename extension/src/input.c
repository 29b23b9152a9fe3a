/*
 * input.c: checks on what callers pass in, so bad input gets a clear error and writes nothing.
 *
 * Every error names the offending argument or key, carries a SQLSTATE of class 22 (data exception)
 * and a hint saying what is accepted.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "vd.h"

/* Returns a text argument as a C string; NULL is refused by name. */
char *
vd_require_text_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

/* Refuses persona ids outside 1-64 characters of [A-Za-z0-9_.-]. */
void
vd_check_persona_id(const char *persona_id)
{
	size_t		len = strlen(persona_id);

	if (len < 1 || len > 64 || strspn(persona_id,
									   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid persona_id \"%s\"", persona_id),
				 errhint("A persona_id is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' and '-'.")));
}

/* True when the UTF-8 string holds a C0 control, DEL or a C1 control (U+0080..U+009F). */
static bool
vd_has_control_char(const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			return true;
		if (GetDatabaseEncoding() == PG_UTF8 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
	}
	return false;
}

/* Refuses variant ids outside 1-200 characters or holding control characters. */
void
vd_check_variant_id(const char *variant_id)
{
	int			chars = pg_mbstrlen(variant_id);

	if (chars < 1 || chars > VD_MAX_VARIANT_ID || vd_has_control_char(variant_id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid variant id of %d characters", chars),
				 errhint("A variant id is 1 to 200 characters without control characters.")));
}

/* Refuses a kill reason that is blank or longer than VD_MAX_KILL_REASON characters. */
void
vd_check_kill_reason(const char *reason)
{
	int			chars = pg_mbstrlen(reason);

	if (chars > VD_MAX_KILL_REASON || strspn(reason, " \t\r\n") == strlen(reason))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kill reason must be 1 to 1000 characters and not blank, got %d characters", chars),
				 errhint("Say in a sentence why the variant was stopped, e.g. \"engagement 40%% below prediction\".")));
}

/* Refuses a rate outside [0,1]. */
void
vd_check_rate(double rate, const char *name)
{
	if (isnan(rate) || rate < 0.0 || rate > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be between 0 and 1, got %g", name, rate),
				 errhint("Rates are fractions: 0.065 means 6.5%%.")));
}

/* Refuses anything but a JSON object. */
void
vd_require_json_object(Jsonb *object, const char *argname)
{
	if (!JB_ROOT_IS_OBJECT(object))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON object", argname)));
}

/* Finds a key of an object; JSON null counts as absent. */
bool
vd_json_field(Jsonb *object, const char *key, JsonbValue *out)
{
	JsonbValue *found = getKeyJsonValueFromContainer(&object->root, key, strlen(key), out);

	return found != NULL && found->type != jbvNull;
}

/* Raises the error for a key of the wrong JSON type. */
static void
vd_wrong_type(const char *key, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("key \"%s\" must be %s", key, expected)));
}

/* Returns a required string key, refusing it when missing or not a string. */
char *
vd_json_required_string(Jsonb *object, const char *key)
{
	JsonbValue	v;

	if (!vd_json_field(object, key, &v))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("missing key \"%s\"", key)));
	if (v.type != jbvString)
		vd_wrong_type(key, "a string");
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* Reads an optional number key that must be a rate in [0,1]. */
bool
vd_json_optional_rate(Jsonb *object, const char *key, double *out)
{
	JsonbValue	v;

	if (!vd_json_field(object, key, &v))
		return false;
	if (v.type != jbvNumeric)
		vd_wrong_type(key, "a number");
	*out = DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
	vd_check_rate(*out, key);
	return true;
}

/* Refuses a count below 0 or above VD_MAX_COUNT, naming the value as sent. */
static void
vd_check_count_range(const char *key, Datum n)
{
	bool		negative = DatumGetBool(DirectFunctionCall2(numeric_lt, n,
															NumericGetDatum(int64_to_numeric(0))));

	if (!negative && !DatumGetBool(DirectFunctionCall2(numeric_gt, n,
														NumericGetDatum(int64_to_numeric(VD_MAX_COUNT)))))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("key \"%s\" must be between 0 and " INT64_FORMAT ", got %s", key, VD_MAX_COUNT,
					DatumGetCString(DirectFunctionCall1(numeric_out, n))),
			 errhint("Counts are views or interactions of one variant: at most 10^15.")));
}

/* Reads an optional key that must be a whole number from 0 to VD_MAX_COUNT. */
bool
vd_json_optional_count(Jsonb *object, const char *key, int64 *out)
{
	JsonbValue	v;
	Datum		n;
	Datum		whole;

	if (!vd_json_field(object, key, &v))
		return false;
	if (v.type != jbvNumeric)
		vd_wrong_type(key, "a number");
	n = NumericGetDatum(v.val.numeric);
	if (numeric_is_nan(v.val.numeric) || numeric_is_inf(v.val.numeric))
		vd_wrong_type(key, "a whole number");
	whole = DirectFunctionCall2(numeric_trunc, n, Int32GetDatum(0));
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, n, whole)))
		vd_wrong_type(key, "a whole number");
	vd_check_count_range(key, n);
	*out = DatumGetInt64(DirectFunctionCall1(numeric_int8, n));
	return true;
}

/* Reads a required non-negative whole number key. */
int64
vd_json_required_count(Jsonb *object, const char *key)
{
	int64		value;

	if (!vd_json_optional_count(object, key, &value))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("missing key \"%s\"", key)));
	return value;
}
