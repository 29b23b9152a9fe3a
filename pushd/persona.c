/* persona.c: persona id validation. */
#include "persona.h"

/* 1 when s[0..len) is 1-64 characters of [A-Za-z0-9_.-]. */
int persona_id_valid(const char *s, size_t len)
{
	if (len < 1 || len > PERSONA_ID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			 ch == '.' || ch == '-';
		if (!ok)
			return 0;
	}
	return 1;
}
