/*
 * maintenance.c: run_maintenance(), retention of the event log and the history under the GUCs
 * variant_dashboard.event_retention and .history_retention, and daily event partitions made ahead.
 * The work is variant_dashboard.maintain() (SQL: partition DDL); this entry point supplies the GUCs,
 * which exist only once this library is loaded (a pg_cron job's fresh session included).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_run_maintenance);

static VdPlan maintain_plan = {
	NULL,
	"SELECT variant_dashboard.maintain(make_interval(mins => $1), make_interval(mins => $2), $3)",
	3, {INT4OID, INT4OID, INT4OID}
};

/* run_maintenance(days_ahead): drops what expired, creates partitions ahead; returns what it did. */
Datum
vd_run_maintenance(PG_FUNCTION_ARGS)
{
	Datum		args[3];
	bool		isnull;
	Datum		result;

	if (PG_GETARG_INT32(0) < 0 || PG_GETARG_INT32(0) > 366)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days_ahead must be between 0 and 366"),
				 errhint("The default, 7, keeps a week of partitions ready.")));
	args[0] = Int32GetDatum(vd_event_retention_minutes);
	args[1] = Int32GetDatum(vd_history_retention_minutes);
	args[2] = PG_GETARG_DATUM(0);
	SPI_connect();
	vd_exec(&maintain_plan, args, NULL, false, 1);
	result = SPI_getbinval(VD_ROW(0), 1, &isnull);
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(DatumGetJsonbP(result)));
}
