/* fuzz_framing: the request framing checks (framing_check) on heads built from the input: one field per
 * line; the first byte's low bit says POST, lines starting "cl:" are Content-Length field lines, a line
 * starting "te:" a Transfer-Encoding; the input's length stands for the URL and header sizes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

/* Builds a head from the input and checks that framing_check's answer is consistent. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL;
	struct framing_head h;
	const char *why = NULL;
	long long length;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&h, 0, sizeof(h));
	h.has_body = size && (data[0] & 1);
	h.url_len = size * 4;
	h.header_len = size * 8;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "te:", 3))
			h.transfer_encoding = line + 3;
		else if (!strncmp(line, "cl:", 3) && h.n_content_length++ < FRAMING_MAX_LENGTHS)
			h.content_length[h.n_content_length - 1] = line + 3;
	}
	int status = framing_check(&h, &length, &why);
	if ((status && !why) || (!status && h.has_body && length < 0) || (!status && h.transfer_encoding))
		abort(); /* a refusal always says why; an accepted body always has its length */
	free(text);
	return 0;
}
