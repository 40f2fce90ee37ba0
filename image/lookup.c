/* Finding a stored image by whatever a user or kubelet types: the id, a short id, or a
 * reference in any spelling ("busybox", "docker.io/library/busybox:latest", "x@sha256:...").
 */
#include <string.h>

#include "cleanup.h"
#include "image.h"
#include "reference.h"

int wc_image_lookup(wc_store *s, const char *name, wc_image **ret_img, wc_error *err)
{
    if (wc_store_image_get(s, name, ret_img, NULL) == 0)
        return 0;
    wc_ref ref;
    if (wc_ref_parse(name, &ref, NULL) < 0)
        return wc_error_set(err, -ENOENT, "image \"%s\" not found", name);
    _cleanup_free_ char *full = NULL, *base = wc_ref_name(&ref);
    int n = base == NULL ? -1
            : ref.digest ? asprintf(&full, "%s@%s", base, ref.digest)
                         : asprintf(&full, "%s:%s", base, ref.tag);
    wc_ref_clear(&ref);
    if (n < 0)
        return wc_error_set(err, -ENOMEM, "out of memory");
    if (wc_store_image_get(s, full, ret_img, NULL) == 0)
        return 0;
    return wc_error_set(err, -ENOENT, "image \"%s\" not found", name);
}
