/*
 * spi_plans.c: prepared SPI statements kept for the backend's life, and typed column readers.
 *
 * Plans are prepared on first use and kept with SPI_keepplan; the plan cache re-analyses them when the
 * tables change, so they survive DROP/CREATE EXTENSION in the same session.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "vd.h"

/* Prepares the statement once, then executes it with the given parameters. */
int
vd_exec(VdPlan *plan, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc;

	if (plan->plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare(plan->sql, plan->nargs, plan->argtypes);

		if (prepared == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(prepared);
		plan->plan = prepared;
	}
	rc = SPI_execute_plan(plan->plan, values, nulls, read_only, count);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return rc;
}

/* Runs a dashboard read plan: $1 persona_id, $2 as_of and, for plans taking three, $3 an integer. */
void
vd_read(VdPlan *plan, const char *persona_id, TimestampTz as_of, int param3)
{
	Datum		args[3];

	args[0] = CStringGetTextDatum(persona_id);
	args[1] = TimestampTzGetDatum(as_of);
	args[2] = Int32GetDatum(param3);
	vd_exec(plan, args, NULL, true, 0);
}

/* Reads a column of a tuple as a Datum. */
static Datum
vd_get(HeapTuple tuple, TupleDesc desc, int col, bool *isnull)
{
	return SPI_getbinval(tuple, desc, col, isnull);
}

/* Reads a text column as a C string, NULL for SQL NULL. */
char *
vd_get_cstring(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = vd_get(tuple, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

/* Reads a double precision column; SQL NULL reads as NaN, which the JSON writer prints as null. */
double
vd_get_float(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = vd_get(tuple, desc, col, &isnull);

	return isnull ? get_float8_nan() : DatumGetFloat8(d);
}

/* Reads a bigint column; SQL NULL reads as 0. */
int64
vd_get_int(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = vd_get(tuple, desc, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/* Reads a timestamptz column; SQL NULL sets *isnull. */
TimestampTz
vd_get_ts(HeapTuple tuple, TupleDesc desc, int col, bool *isnull)
{
	Datum		d = vd_get(tuple, desc, col, isnull);

	return *isnull ? 0 : DatumGetTimestampTz(d);
}

/* Finds a column of a table row by name; the schema is ours, so a miss is a bug. */
int
vd_attnum(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "column \"%s\" not found", name);
	return attnum;
}

/* Moves a jsonb result out of SPI memory and disconnects from SPI. */
Jsonb *
vd_spi_finish_jsonb(Jsonb *result)
{
	Datum		moved = SPI_datumTransfer(PointerGetDatum(result), false, -1);

	SPI_finish();
	return DatumGetJsonbP(moved);
}
