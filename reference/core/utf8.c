/*
 * utf8.c - UTF-8 checks (see utf8.h). The rules are jansson's, so a text
 * that passes here is one json_string accepts.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* The length of the sequence that lead byte b starts, 0 when b cannot start one. */
static size_t sequence_length(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		return 2;
	if (b >= 0xE0 && b <= 0xEF)
		return 3;
	if (b >= 0xF0 && b <= 0xF4)
		return 4;
	return 0; /* a continuation byte, an overlong 2-byte lead, or past U+10FFFF */
}

/* Whether the n-byte sequence at s (lead byte already checked) is well formed. */
static bool sequence_ok(const unsigned char *s, size_t n)
{
	uint32_t cp = s[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return false; /* overlong */
	return !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
}

size_t rc_utf8_char_len(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = len ? sequence_length(p[0]) : 0;
	if (n == 0 || n > len || (n > 1 && !sequence_ok(p, n)))
		return 0;
	return n;
}

bool rc_utf8_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = rc_utf8_char_len(s + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static bool continues(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

void rc_utf8_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	/* The cut is before src[n]. When that byte continues a character, the
	 * cut is inside it: move back to its lead byte (a character has at most
	 * three continuation bytes) so the whole character is left out. */
	if (n > 0 && continues(src[n])) {
		size_t lead = n - 1;
		while (lead > 0 && n - lead < 3 && continues(src[lead]))
			lead--;
		n = lead;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}
