/*
 * utf8.h - UTF-8 checks for text that ends up in a JSON body.
 *
 * jansson refuses a string that is not valid UTF-8, so a text that reaches a
 * reply (a stored payload, a hostname, a quoted message) must be checked
 * where it enters, or cut only between characters, or the reply is lost.
 */
#ifndef RC_UTF8_H
#define RC_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the len bytes of s are valid UTF-8 as JSON needs it: no overlong
 * form, no surrogate, nothing above U+10FFFF. */
bool rc_utf8_valid(const char *s, size_t len);

/* The length (1 to 4) of the valid character the len bytes at s start with,
 * by the rules of rc_utf8_valid; 0 when they do not start with one (len 0,
 * a stray or cut-short byte, an overlong form, a surrogate). */
size_t rc_utf8_char_len(const char *s, size_t len);

/* Copy src into dst (cap bytes, cap >= 1), cut if it must be between two
 * characters, never inside one, so valid UTF-8 stays valid. */
void rc_utf8_copy(char *dst, size_t cap, const char *src);

#endif
