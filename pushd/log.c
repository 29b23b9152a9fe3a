/* log.c: structured JSON log lines for humans and log shippers alike. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

/* Sets the lowest level printed from its name. */
int log_set_level(const char *name)
{
	for (int i = LOG_DEBUG; i <= LOG_ERROR; i++)
		if (!strcmp(name, level_names[i])) {
			min_level = (enum log_level)i;
			return 0;
		}
	return -1;
}

/* Formats the current UTC time as ISO 8601 with milliseconds. */
static void iso_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Prints one JSON log line; consumes extra. */
void log_event(enum log_level level, const char *event, const char *persona, const char *ip, json_t *extra)
{
	char ts[40];

	if (level < min_level) {
		json_decref(extra);
		return;
	}
	iso_now(ts, sizeof(ts));
	json_t *line = json_pack("{s:s,s:s,s:s,s:s}", "timestamp", ts, "level", level_names[level],
				 "service", "dashboard-api", "event", event);
	if (!line) {
		json_decref(extra);
		return;
	}
	json_object_set_new(line, "persona_id", persona ? json_string(persona) : json_null());
	json_object_set_new(line, "client_ip", ip ? json_string(ip) : json_null());
	if (extra)
		json_object_update(line, extra);
	json_decref(extra);
	json_dumpf(line, stderr, JSON_COMPACT);
	fputc('\n', stderr);
	json_decref(line);
}

/* Routes libwebsockets' own log lines through log_event. */
void log_lws_emit(int level, const char *line)
{
	size_t len = strlen(line);
	char msg[512];

	snprintf(msg, sizeof(msg), "%.*s", (int)(len && line[len - 1] == '\n' ? len - 1 : len), line);
	log_event(level & LLL_ERR ? LOG_ERROR : level & LLL_WARN ? LOG_WARN : LOG_INFO, "libwebsockets", NULL, NULL,
		  json_pack("{s:s}", "message", msg));
}
