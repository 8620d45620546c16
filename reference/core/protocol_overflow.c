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
 * jansson still finds when it reads the copy, as a string stands wherever a
 * number may, but for one place: where a key belongs. A number there is
 * refused here, as is a token jansson would not read as a number ("1.e999").
 * The work is linear in the body: each member's key is decoded once.
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

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_digits(const char *text, size_t at, size_t len)
{
	while (at < len && is_digit(text[at]))
		at++;
	return at;
}

/* The end of the number token starting at text[at], read as jansson's lexer
 * reads one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. A fraction or
 * exponent without digits is not part of it ("1.e999" is the number 1 and
 * then text jansson refuses), and a digit after a leading 0 starts another
 * token ("0123" stays malformed). Returns at when no digit follows the sign. */
static size_t number_end(const char *text, size_t at, size_t len)
{
	size_t digits = at + (text[at] == '-');
	size_t i = digits < len && text[digits] == '0' ? digits + 1 : skip_digits(text, digits, len);
	if (i == digits)
		return at;
	if (i + 1 < len && text[i] == '.' && is_digit(text[i + 1]))
		i = skip_digits(text, i + 1, len);
	if (i < len && (text[i] == 'e' || text[i] == 'E')) {
		size_t e = i + 1 + (i + 1 < len && (text[i + 1] == '+' || text[i + 1] == '-'));
		if (e < len && is_digit(text[e]))
			i = skip_digits(text, e, len);
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

/* jansson's own limit on nesting: a deeper body is refused by it anyway. */
#define MAX_DEPTH 2048

/* Where the scan is: which open brackets are objects (a bit each), whether
 * the innermost is an object waiting for a key (after '{' or ','), and the
 * top-level member being read (its key with quotes, NULL before the first),
 * reported at most once: its key is decoded once, however many numbers its
 * value holds. */
struct scan {
	int depth;
	unsigned char is_object[MAX_DEPTH / 8];
	bool expect_key;
	const char *key;
	size_t key_len;
	bool reported;
};

static bool innermost_is_object(const struct scan *sc)
{
	return sc->depth > 0 && (sc->is_object[(sc->depth - 1) / 8] >> ((sc->depth - 1) % 8) & 1);
}

/* Returns -1 past MAX_DEPTH. */
static int scan_bracket(struct scan *sc, char c)
{
	if (c == '{' || c == '[') {
		if (sc->depth == MAX_DEPTH)
			return -1;
		unsigned char bit = (unsigned char)(1u << (sc->depth % 8));
		if (c == '{')
			sc->is_object[sc->depth / 8] |= bit;
		else
			sc->is_object[sc->depth / 8] &= (unsigned char)~bit;
		sc->depth++;
		sc->expect_key = c == '{';
	} else {
		if (sc->depth > 0)
			sc->depth--;
		sc->expect_key = false; /* a value ended: ',' or a bracket comes next */
	}
	return 0;
}

static void scan_string(struct scan *sc, const char *text, size_t at, size_t end, size_t len)
{
	if (sc->expect_key && sc->depth == 1) {
		sc->key = text + at;
		sc->key_len = end - at + (end < len);
		sc->reported = false;
	}
	sc->expect_key = false;
}

/* The number token text[at..end): set aside when too big. Returns -1 when
 * it stands where no string could (a key, or outside a top-level member):
 * blanking it would turn text that is not JSON into JSON. */
static int scan_number(struct scan *sc, char *text, size_t at, size_t end, rc_proto_overflow_fn on_overflow,
		       void *ctx)
{
	enum overflow over = overflow_of(text + at, end - at);
	if (over == NO_OVERFLOW)
		return 0;
	if (sc->expect_key || sc->depth < 1 || !sc->key || !(sc->is_object[0] & 1))
		return -1;
	if (!sc->reported)
		on_overflow(ctx, sc->key, sc->key_len, sc->depth == 1 && over == INTEGER_OVERFLOW);
	sc->reported = true;
	memset(text + at, ' ', end - at);
	memcpy(text + at, "\"\"", 2); /* at least 5 bytes: "1e999" */
	return 0;
}

int rc_proto_set_aside_overflows(char *text, size_t len, rc_proto_overflow_fn on_overflow, void *ctx)
{
	struct scan sc;
	memset(&sc, 0, sizeof sc);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '"') {
			size_t end = string_end(text, i, len);
			scan_string(&sc, text, i, end, len);
			i = end;
		} else if (c == '{' || c == '[' || c == '}' || c == ']') {
			if (scan_bracket(&sc, c) != 0)
				return -1;
		} else if (c == ',') {
			sc.expect_key = innermost_is_object(&sc);
		} else if (c == '-' || is_digit(c)) {
			size_t end = number_end(text, i, len);
			if (end == i)
				continue; /* a lone '-': jansson refuses it */
			if (scan_number(&sc, text, i, end, on_overflow, ctx) != 0)
				return -1;
			sc.expect_key = false;
			i = end - 1;
		}
	}
	return 0;
}
