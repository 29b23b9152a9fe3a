/*
 * persona_lock.c: one lock order for every write of a persona.
 *
 * Event ids are drawn under a per-persona transaction lock, so that for one persona id order is commit
 * order (docs/EVENTS.md). Every write path takes that lock before any row lock: the ingestion functions
 * at entry, plain INSERT/UPDATE in a BEFORE ROW trigger. A second acquisition in the same transaction
 * only bumps the backend's local count, so taking it again on each row costs nothing that matters.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"

#include "vd.h"

/* The advisory lock class of the commit-order locks ("VDSH"), visible as classid in pg_locks. */
#define VD_EVENT_LOCK_CLASS 0x56445348

PG_FUNCTION_INFO_V1(vd_lock_persona_sql);
PG_FUNCTION_INFO_V1(vd_persona_write_guard);

/* Takes the persona's commit-order lock until the end of the transaction. */
void
vd_lock_persona(const char *persona_id)
{
	LOCKTAG		tag;
	uint32		key = hash_bytes((const unsigned char *) persona_id, strlen(persona_id));

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, VD_EVENT_LOCK_CLASS, key, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/* lock_persona(persona_id): the lock for writers that use plain UPDATE statements. */
Datum
vd_lock_persona_sql(PG_FUNCTION_ARGS)
{
	char	   *persona_id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	vd_check_persona_id(persona_id);
	vd_lock_persona(persona_id);
	PG_RETURN_VOID();
}

/* Reads the persona_id column of a row of the trigger's table. */
static char *
vd_row_persona(TriggerData *td, HeapTuple row)
{
	TupleDesc	desc = td->tg_relation->rd_att;

	return vd_get_cstring(row, desc, vd_attnum(desc, "persona_id"));
}

/* Refuses an UPDATE that moves a row to another persona: its events and totals belong to the first. */
static void
vd_refuse_persona_move(TriggerData *td, const char *old_persona, const char *new_persona)
{
	if (old_persona != NULL && new_persona != NULL && strcmp(old_persona, new_persona) == 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot move a row of %s from persona \"%s\" to \"%s\"",
					RelationGetRelationName(td->tg_relation),
					old_persona ? old_persona : "", new_persona ? new_persona : ""),
			 errhint("A variant belongs to the persona it was registered with; register a new variant instead.")));
}

/* BEFORE INSERT OR UPDATE ... FOR EACH ROW: takes the persona lock first, refuses persona moves. */
Datum
vd_persona_write_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	row;
	char	   *persona_id;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("persona_write_guard must be a BEFORE ... FOR EACH ROW trigger")));
	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	persona_id = vd_row_persona(td, row);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		vd_refuse_persona_move(td, vd_row_persona(td, td->tg_trigtuple), persona_id);
	if (persona_id != NULL)
		vd_lock_persona(persona_id);
	return PointerGetDatum(row);
}
