#include "core/currency.h"

#include <string.h>

bool currency_code_valid_n(const char *s, size_t n)
{
    if (n != 3)
        return false;
    for (size_t i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return true;
}

bool currency_code_valid(const char *s) { return currency_code_valid_n(s, strnlen(s, 4)); }
