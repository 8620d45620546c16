/*
 * protocol_overflow.c - numbers jansson cannot hold, found and set aside.
 *
 * jansson refuses a whole body that holds an integer outside
 * -2^63..2^63-1 or a real past the double range ("too big integer"), so the
 * codec could only answer 400 malformed_json, without a field. JSON itself
 * has no such limit, and PROTOCOL.md says a number out of its range is 422
 * invalid_value naming the field. So when jansson reports such a number, the
 * codec calls this on a copy of the body: each such number is found (by the
 * same conversions jansson uses, strtoll and strtod), the top-level member it
 * stands in is reported, and the number is replaced in the copy by an empty
 * string padded with spaces, so jansson can read the rest and the decoder
 * judge each field by its own rule (protocol_fields.c).
 *
 * This is not a JSON validator: it only tells strings from the rest, counts
 * brackets and cuts number tokens. Whatever else is wrong with the text,
 * jansson still finds when it reads the copy.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol_internal.h"

/* The index of the quote that closes the string opening at text[at], or
 * len when it is not closed. */
static size_t string_end(const char *text, size_t at, size_t len)
{
	for (size_t i = at + 1; i < len; i++) {
		if (text[i] == '\\')
			i++;
		else if (text[i] == '"')
			return i;
	}
	return len;
}

static size_t skip_digits(const char *text, size_t at, size_t len)
{
	while (at < len && text[at] >= '0' && text[at] <= '9')
		at++;
	return at;
}

/* The end of the number token starting at text[at], read as jansson's lexer
 * reads it: -?(0|[1-9][0-9]*)(.[0-9]*)?([eE][+-]?[0-9]*)?. A digit after a
 * leading 0 starts another token, as there: "0123" stays malformed. */
static size_t number_end(const char *text, size_t at, size_t len)
{
	size_t i = at + (text[at] == '-');
	i = i < len && text[i] == '0' ? i + 1 : skip_digits(text, i, len);
	if (i < len && text[i] == '.')
		i = skip_digits(text, i + 1, len);
	if (i < len && (text[i] == 'e' || text[i] == 'E')) {
		i++;
		if (i < len && (text[i] == '+' || text[i] == '-'))
			i++;
		i = skip_digits(text, i, len);
	}
	return i;
}

enum overflow { NO_OVERFLOW, INTEGER_OVERFLOW, REAL_OVERFLOW };

/* Whether the token text[0..len) is a number jansson refuses as too big: an
 * integer strtoll cannot hold, or a real strtod turns into infinity (an
 * underflow reads as 0, for jansson too). The byte after the token is set to
 * NUL for the conversion and restored. */
static enum overflow overflow_of(char *token, size_t len)
{
	char saved = token[len];
	token[len] = '\0';
	errno = 0;
	enum overflow over;
	if (strpbrk(token, ".eE")) {
		double v = strtod(token, NULL);
		over = errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL) ? REAL_OVERFLOW : NO_OVERFLOW;
	} else {
		(void)strtoll(token, NULL, 10);
		over = errno == ERANGE ? INTEGER_OVERFLOW : NO_OVERFLOW;
	}
	token[len] = saved;
	return over;
}

/* Where the scan is: bracket depth, whether the body is an object, and the
 * top-level member being read (its key with quotes, NULL before the first). */
struct scan {
	int depth;
	bool in_object;
	bool expect_key;
	const char *key;
	size_t key_len;
};

static void scan_bracket(struct scan *sc, char c)
{
	if (c == '{' || c == '[') {
		if (sc->depth++ == 0) {
			sc->in_object = c == '{';
			sc->expect_key = sc->in_object;
		}
	} else if (sc->depth > 0) {
		sc->depth--;
	}
}

int rc_proto_set_aside_overflows(char *text, size_t len, rc_proto_overflow_fn on_overflow, void *ctx)
{
	struct scan sc = { 0, false, false, NULL, 0 };
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '"') {
			size_t end = string_end(text, i, len);
			if (sc.depth == 1 && sc.expect_key) {
				sc.key = text + i;
				sc.key_len = end - i + (end < len);
				sc.expect_key = false;
			}
			i = end;
		} else if (c == '{' || c == '[' || c == '}' || c == ']') {
			scan_bracket(&sc, c);
		} else if (c == ',' && sc.depth == 1) {
			sc.expect_key = sc.in_object;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t end = number_end(text, i, len);
			enum overflow over = overflow_of(text + i, end - i);
			if (over != NO_OVERFLOW) {
				if (!sc.in_object || sc.depth < 1 || !sc.key)
					return -1;
				on_overflow(ctx, sc.key, sc.key_len, sc.depth == 1 && over == INTEGER_OVERFLOW);
				memset(text + i, ' ', end - i);
				memcpy(text + i, "\"\"", 2); /* at least 5 bytes: "1e999" */
			}
			i = end - 1;
		}
	}
	return 0;
}
