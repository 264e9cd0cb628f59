/*
 * Masking of personal data (names, account numbers, ID numbers) for output and
 * reports. Pure functions; each writes a NUL-terminated result into the
 * caller's buffer and returns false (with out set to "") when cap is too small.
 * Lengths are counted in UTF-8 characters, so 张三丰 masks to 张*.
 */
#ifndef RECON_CORE_MASK_H
#define RECON_CORE_MASK_H

#include <stdbool.h>
#include <stddef.h>

/* First character + "*": "张三丰" -> "张*", "" -> "". */
bool mask_name(const char *in, char *out, size_t cap);
/* More than 8 characters: first 4 and last 4 kept, the rest '*'
 * ("6222021234567890" -> "6222********7890"); 5-8: only the last 4 kept
 * ("12345678" -> "****5678"); 4 or fewer: all '*'. */
bool mask_account(const char *in, char *out, size_t cap);
/* More than 7 characters: first 3 and last 4 kept, the rest '*'
 * ("110101199003071234" -> "110***********1234"); otherwise all '*'. */
bool mask_id_number(const char *in, char *out, size_t cap);

#endif
