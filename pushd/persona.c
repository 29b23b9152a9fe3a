/* persona.c: persona and variant id validation. */
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

/* 1 when s[0..len) is 1-200 bytes without C0 controls, DEL or C1 controls (UTF-8 C2 80..C2 9F). */
int variant_id_valid(const char *s, size_t len)
{
	if (len < 1 || len > VARIANT_ID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0 &&
						 (unsigned char)s[i + 1] >= 0x80))
			return 0;
	}
	return 1;
}
