/*
 * vd.h: what the modules of the variant_dashboard extension share.
 */
#ifndef VD_H
#define VD_H

#include "postgres.h"
#include "executor/spi.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "json_out.h"

#define VD_NOTIFY_CHANNEL "variant_dashboard"

/* Largest view, interaction or sample count accepted (10^15); documented in README.md. */
#define VD_MAX_COUNT INT64CONST(1000000000000000)
/* Longest variant id and kill reason, in characters (the tables' CHECKs say the same). */
#define VD_MAX_VARIANT_ID 200
#define VD_MAX_KILL_REASON 1000

/* A prepared statement kept for the life of the backend (pg_cron style). */
typedef struct VdPlan
{
	SPIPlanPtr	plan;
	const char *sql;
	int			nargs;
	Oid			argtypes[10];
} VdPlan;

/* Epoch seconds (rounded down) of a timestamp, the timestamp of epoch seconds, and the start of the
 * b-second bucket holding epoch second t: the history's time arithmetic. */
#define VD_UNIX_EPOCH_OFFSET ((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY)
static inline int64
vd_epoch_seconds(TimestampTz ts)
{
	return ts / USECS_PER_SEC - (ts % USECS_PER_SEC < 0 ? 1 : 0) + VD_UNIX_EPOCH_OFFSET;
}
static inline TimestampTz
vd_epoch_ts(int64 secs)
{
	return (secs - VD_UNIX_EPOCH_OFFSET) * USECS_PER_SEC;
}
static inline int64
vd_bucket_floor(int64 t, int64 b)
{
	return (t >= 0 ? t / b : (t - b + 1) / b) * b;
}

/* spi_plans.c */
extern int	vd_exec(VdPlan *plan, Datum *values, const char *nulls, bool read_only, long count);
extern void vd_read(VdPlan *plan, const char *persona_id, TimestampTz as_of, int param3);
extern char *vd_get_cstring(HeapTuple tuple, TupleDesc desc, int col);
extern double vd_get_float(HeapTuple tuple, TupleDesc desc, int col);
extern int64 vd_get_int(HeapTuple tuple, TupleDesc desc, int col);
extern TimestampTz vd_get_ts(HeapTuple tuple, TupleDesc desc, int col, bool *isnull);
extern int	vd_attnum(TupleDesc desc, const char *name);

/* Column readers of row `row` of the last SPI result; columns count from 1. */
#define VD_ROW(row) SPI_tuptable->vals[row], SPI_tuptable->tupdesc
#define vd_col_cstring(row, col) vd_get_cstring(VD_ROW(row), col)
#define vd_col_float(row, col) vd_get_float(VD_ROW(row), col)
#define vd_col_int(row, col) vd_get_int(VD_ROW(row), col)
#define vd_col_ts(row, col, isnull) vd_get_ts(VD_ROW(row), col, isnull)

extern Jsonb *vd_spi_finish_jsonb(Jsonb *result);

/* input.c: argument and JSON key checks shared by the ingestion functions */
extern char *vd_require_text_arg(FunctionCallInfo fcinfo, int argno, const char *name);
extern void vd_check_persona_id(const char *persona_id);
extern void vd_check_variant_id(const char *variant_id);
extern void vd_check_kill_reason(const char *reason);
extern void vd_check_rate(double rate, const char *name);
extern bool vd_json_field(Jsonb *object, const char *key, JsonbValue *out);
extern char *vd_json_required_string(Jsonb *object, const char *key);
extern bool vd_json_optional_rate(Jsonb *object, const char *key, double *out);
extern bool vd_json_optional_count(Jsonb *object, const char *key, int64 *out);
extern int64 vd_json_required_count(Jsonb *object, const char *key);
extern void vd_require_json_object(Jsonb *object, const char *argname);

/* event_triggers.c */
extern struct TriggerData *vd_row_trigger(FunctionCallInfo fcinfo);

/* persona_lock.c */
extern void vd_lock_persona(const char *persona_id);

/* event_log.c */
extern int64 vd_last_event_id;
extern int64 vd_next_event_id(const char *persona_id);
extern void vd_append_event(int64 event_id, const char *event_type, const char *persona_id,
							const char *variant_id, Jsonb *data);

/* ingest.c */
typedef struct VdVariant
{
	char	   *persona_id;
	char	   *status;
} VdVariant;
extern void vd_lookup_variant(const char *variant_id, const char *persona_id, VdVariant *out);

/* read builders: each pushes one JSON value (array or object) into an open writer */
extern void vd_push_summary(JsonOut *jo, const char *persona_id, TimestampTz as_of);
extern void vd_push_active_variants(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit);
extern void vd_push_kills_today(JsonOut *jo, const char *persona_id, TimestampTz as_of);
extern void vd_push_recent_kills(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit);
extern void vd_push_kill_evaluation(JsonOut *jo, const char *variant_id, TimestampTz as_of);
extern void vd_wilson_interval(int64 successes, int64 trials, double *low, double *high);
extern Datum vd_variant_probabilities(PG_FUNCTION_ARGS);
extern void vd_push_history(JsonOut *jo, const char *persona_id, TimestampTz from, TimestampTz to,
							int max_points, const char *variant_id);
extern void vd_push_feed(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit);

/* settings.c: the early-kill rule's settings */
typedef enum VdKillRule
{
	VD_RULE_BAYESIAN,
	VD_RULE_REFERENCE,
	VD_RULE_SEQUENTIAL
} VdKillRule;

typedef struct VdKillSettings
{
	VdKillRule	rule;
	bool		auto_kill;
	double		threshold;		/* kill below threshold x predicted_er */
	double		confidence;		/* posterior probability needed (bayesian rule) */
	int64		min_views;
	double		window_seconds; /* kills only this long after posting */
	double		prior_views;	/* pseudo-count of the prior centred on predicted_er */
	double		sequential_null;	/* sequential rule: fine at this x predicted_er */
	double		sequential_alt; /* sequential rule: a loser at this x predicted_er */
	double		sequential_alpha;	/* sequential rule: bound on killing a fine variant */
} VdKillSettings;
/* The persona_settings columns (table alias s) that vd_kill_settings_from_row reads, in this order. */
#define VD_SETTINGS_COLUMNS "s.kill_rule, s.auto_kill, s.kill_threshold, s.kill_confidence, s.min_views," \
	" extract(epoch FROM s.monitoring_window)::float8, s.prior_views"
extern void vd_kill_settings(const char *persona_id, VdKillSettings *out);
extern void vd_kill_settings_from_row(int first, VdKillSettings *out);
extern void _PG_init(void);
/* Retention GUCs, in minutes (14 and 400 days by default); run_maintenance() applies them. */
#define VD_DEFAULT_EVENT_RETENTION (14 * 24 * 60)
#define VD_DEFAULT_HISTORY_RETENTION (400 * 24 * 60)
extern int	vd_event_retention_minutes;
extern int	vd_history_retention_minutes;

/* kill_rule.c */
typedef struct VdKillState
{
	double		predicted;
	TimestampTz posted_at;
	bool		active;
	VdKillSettings settings;
} VdKillState;
extern bool vd_load_kill_state(const char *variant_id, VdKillState *out);
extern void vd_auto_kill(const VdKillState *st, const char *variant_id, const char *persona_id,
						 int64 interactions, int64 views);
extern double vd_kill_probability(const VdKillSettings *s, double predicted, int64 interactions, int64 views);

/* beta.c */
extern double vd_beta_cdf(double x, double a, double b);

/* format.c */
extern char *vd_time_since(TimestampTz from, TimestampTz to);
extern double vd_round(double value, int decimals);
extern double vd_relative_delta(double actual, double predicted);

#endif
