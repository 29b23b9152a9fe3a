/*
 * settings.c: the kill rule's defaults as GUCs (variant_dashboard.*), overridable per persona in the
 * persona_settings table, where NULL means "use the GUC".
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "vd.h"

static const struct config_enum_entry kill_rule_options[] = {
	{"bayesian", VD_RULE_BAYESIAN, false},
	{"reference", VD_RULE_REFERENCE, false},
	{"sequential", VD_RULE_SEQUENTIAL, false},
	{NULL, 0, false}
};

static int	guc_kill_rule = VD_RULE_BAYESIAN;
static bool guc_auto_kill = false;
static double guc_kill_threshold = 0.5;
static double guc_kill_confidence = 0.95;
static int	guc_min_views = 100;
static int	guc_window_minutes = 10;
static double guc_prior_views = 10.0;
static double guc_sequential_null = 0.8;
static double guc_sequential_alt = 0.25;
static double guc_sequential_alpha = 0.02;
int			vd_event_retention_minutes = VD_DEFAULT_EVENT_RETENTION;
int			vd_history_retention_minutes = VD_DEFAULT_HISTORY_RETENTION;

/* Persona overrides; a NULL column keeps the GUC's value. */
static VdPlan persona_settings_plan = {
	NULL,
	"SELECT " VD_SETTINGS_COLUMNS " FROM variant_dashboard.persona_settings s WHERE s.persona_id = $1",
	1, {TEXTOID}
};

/* Defines the GUCs when the library loads. */
void
_PG_init(void)
{
	DefineCustomEnumVariable("variant_dashboard.kill_rule", "Early-kill rule: bayesian or reference.", NULL,
							 &guc_kill_rule, VD_RULE_BAYESIAN, kill_rule_options, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable("variant_dashboard.auto_kill", "Evaluate the kill rule on every performance update.",
							 NULL, &guc_auto_kill, false, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.kill_threshold", "Kill below this fraction of the predicted rate.",
							 NULL, &guc_kill_threshold, 0.5, 0.0, 1.0, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.kill_confidence", "Posterior probability needed to kill.",
							 NULL, &guc_kill_confidence, 0.95, 0.5, 1.0, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("variant_dashboard.kill_min_views", "Views needed before any kill.", NULL,
							&guc_min_views, 100, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("variant_dashboard.kill_window", "Minutes after posting during which kills happen.",
							NULL, &guc_window_minutes, 10, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MIN, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.kill_prior_views", "Virtual views of the prior centred on the prediction.",
							 NULL, &guc_prior_views, 10.0, 0.001, 1e9, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.sequential_null", "Sequential rule: a rate this fraction of the prediction is fine.",
							 NULL, &guc_sequential_null, 0.8, 0.0001, 1.0, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.sequential_alt", "Sequential rule: a rate this fraction of the prediction is a loser.",
							 NULL, &guc_sequential_alt, 0.25, 0.0001, 1.0, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("variant_dashboard.sequential_alpha", "Sequential rule: bound on killing a fine variant, however often it is checked.",
							 NULL, &guc_sequential_alpha, 0.02, 1e-9, 0.5, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("variant_dashboard.event_retention", "How long run_maintenance() keeps the raw event log.",
							NULL, &vd_event_retention_minutes, VD_DEFAULT_EVENT_RETENTION, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MIN, NULL, NULL, NULL);
	DefineCustomIntVariable("variant_dashboard.history_retention", "How long run_maintenance() keeps history rollups.",
							NULL, &vd_history_retention_minutes, VD_DEFAULT_HISTORY_RETENTION, 1, INT_MAX,
							PGC_SUSET, GUC_UNIT_MIN, NULL, NULL, NULL);
	MarkGUCPrefixReserved("variant_dashboard");
}

/* The rule of a persona_settings.kill_rule value (the table's CHECK admits only the names below). */
static VdKillRule
vd_kill_rule_named(const char *name)
{
	for (const struct config_enum_entry *e = kill_rule_options; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return (VdKillRule) e->val;
	return VD_RULE_BAYESIAN;
}

/* Reads a float8 column of the settings row, keeping the default when it is NULL. */
static void
vd_override_float(int col, double *value)
{
	bool		isnull;
	Datum		d = SPI_getbinval(VD_ROW(0), col, &isnull);

	if (!isnull)
		*value = DatumGetFloat8(d);
}

/*
 * The kill settings from the GUCs, overridden by the VD_SETTINGS_COLUMNS that start at column first of
 * row 0 of the last SPI result (all NULL when the persona has no settings row, or no row at all).
 */
void
vd_kill_settings_from_row(int first, VdKillSettings *out)
{
	bool		isnull;
	Datum		d;

	out->rule = guc_kill_rule;
	out->auto_kill = guc_auto_kill;
	out->threshold = guc_kill_threshold;
	out->confidence = guc_kill_confidence;
	out->min_views = guc_min_views;
	out->window_seconds = guc_window_minutes * 60.0;
	out->prior_views = guc_prior_views;
	out->sequential_null = guc_sequential_null;
	out->sequential_alt = guc_sequential_alt;
	out->sequential_alpha = guc_sequential_alpha;
	if (SPI_processed == 0)
		return;
	d = SPI_getbinval(VD_ROW(0), first, &isnull);
	if (!isnull)
		out->rule = vd_kill_rule_named(TextDatumGetCString(d));
	d = SPI_getbinval(VD_ROW(0), first + 1, &isnull);
	if (!isnull)
		out->auto_kill = DatumGetBool(d);
	vd_override_float(first + 2, &out->threshold);
	vd_override_float(first + 3, &out->confidence);
	d = SPI_getbinval(VD_ROW(0), first + 4, &isnull);
	if (!isnull)
		out->min_views = DatumGetInt64(d);
	vd_override_float(first + 5, &out->window_seconds);
	vd_override_float(first + 6, &out->prior_views);
}

/* The kill settings of a persona: its row of persona_settings over the GUCs. Needs SPI. */
void
vd_kill_settings(const char *persona_id, VdKillSettings *out)
{
	Datum		arg = CStringGetTextDatum(persona_id);

	vd_exec(&persona_settings_plan, &arg, NULL, true, 1);
	vd_kill_settings_from_row(1, out);
}
