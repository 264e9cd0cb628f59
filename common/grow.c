#include "common/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool grow_array(void *items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap > SIZE_MAX / 2 ? need : *cap * 2;
    if (n < need)
        n = need;
    if (n < 8)
        n = 8;
    if (size != 0 && n > SIZE_MAX / size)
        return false;
    void *old; /* the caller's T *, read and written through memcpy: no T ** to void ** cast */
    memcpy(&old, items, sizeof old);
    void *grown = realloc(old, n * size);
    if (grown == NULL)
        return false;
    memcpy(items, &grown, sizeof grown);
    *cap = n;
    return true;
}
