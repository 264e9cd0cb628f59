/*
 * The one spelling of "format this function's variadic arguments into a buffer": the
 * caller owns the buffer, which always ends up NUL-terminated (truncated when too small).
 */
#ifndef RECON_COMMON_VARGS_H
#define RECON_COMMON_VARGS_H

#include <stdarg.h>
#include <stdio.h>

/* In a function whose last named parameter is fmt: vsnprintf(out, cap, fmt, the rest). */
#define VARGS_FORMAT(out, cap, fmt)                                                          \
    do {                                                                                     \
        va_list vargs_ap_;                                                                   \
        va_start(vargs_ap_, fmt);                                                            \
        vsnprintf((out), (cap), (fmt), vargs_ap_);                                           \
        va_end(vargs_ap_);                                                                   \
    } while (0)

#endif
