/* The image record as stored in LevelDB: one JSON object per image (jansson), so a field
 * added later is just another key, and an old record without it decodes with the default.
 * To add a field: a member in wc_image (store.h) and one line in image_fields, which
 * drives the codec and the free (common/record_table.h).
 */
#include <jansson.h>
#include <string.h>

#include "record_table.h"
#include "store_int.h"

static const char *const shape_names[] = {"rootfs", "wasm-artifact", "wasm-layers", NULL};

const char *wc_image_shape_name(wc_image_shape shape)
{
    if ((unsigned)shape >= sizeof(shape_names) / sizeof(shape_names[0]) - 1)
        return "unknown";
    return shape_names[shape];
}

static const wc_field image_fields[] = {
    WC_F_STR(wc_image, id, "id"),
    WC_F_STRV(wc_image, repo_tags, "repo_tags"),
    WC_F_STRV(wc_image, repo_digests, "repo_digests"),
    WC_F_U64(wc_image, size, "size"),
    WC_F_I64_OR(wc_image, uid, "uid", -1),
    WC_F_STR(wc_image, username, "username"),
    WC_F_STR(wc_image, user, "user"),
    WC_F_STRV(wc_image, annotations, "annotations"),
    WC_F_NAMED(wc_image, shape, "shape", shape_names),
    WC_F_STR(wc_image, variant, "variant"),
    WC_F_STR(wc_image, os, "os"),
    WC_F_STR(wc_image, arch, "arch"),
    WC_F_STR(wc_image, wasm_entry, "wasm_entry"),
    WC_F_STRV(wc_image, entrypoint, "entrypoint"),
    WC_F_STRV(wc_image, cmd, "cmd"),
    WC_F_STRV(wc_image, env, "env"),
    WC_F_STR(wc_image, working_dir, "working_dir"),
    WC_F_STR(wc_image, stop_signal, "stop_signal"),
    WC_F_STR(wc_image, chain_id, "chain_id"),
    WC_F_STRV(wc_image, blobs, "blobs"),
    WC_F_STRV(wc_image, snapshots, "snapshots"),
};
static const wc_record_desc image_desc = WC_RECORD_DESC(wc_image, image_fields);

void wc_image_free(wc_image *img)
{
    wc_record_free(&image_desc, img);
}

void wc_image_freep(wc_image **img)
{
    wc_image_free(*img);
}

void wc_image_list_free(wc_image **imgs)
{
    if (imgs == NULL)
        return;
    for (wc_image **p = imgs; *p != NULL; p++)
        wc_image_free(*p);
    free(imgs);
}

void wc_image_list_freep(wc_image ***imgs)
{
    wc_image_list_free(*imgs);
}

char *image_encode(const wc_image *img)
{
    return wc_record_encode(&image_desc, img);
}

wc_image *image_dup(const wc_image *img)
{
    return wc_record_dup(&image_desc, img);
}

int image_decode(const char *text, size_t len, wc_image **ret_img, wc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return wc_error_set(err, -EIO, "corrupt image record: %s", jerr.text);
    }
    wc_image *img = wc_record_load(&image_desc, o);
    json_decref(o);
    if (img == NULL)
        return wc_error_set(err, -ENOMEM, "decode image record: out of memory");
    *ret_img = img;
    return 0;
}
