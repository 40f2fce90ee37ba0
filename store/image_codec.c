/* The image record as stored in LevelDB: one JSON object per image (jansson), so a field
 * added later is just another key, and an old record without it decodes with the default.
 * To add a field: a member in wc_image (store.h), one line in image_encode, one in image_decode,
 * and its free in wc_image_free.
 */
#include <jansson.h>
#include <string.h>

#include "cleanup.h"
#include "store_int.h"

static const char *const shape_names[] = {"rootfs", "wasm-artifact", "wasm-layers"};

const char *wc_image_shape_name(wc_image_shape shape)
{
    if ((unsigned)shape >= sizeof(shape_names) / sizeof(shape_names[0]))
        return "unknown";
    return shape_names[shape];
}

void wc_image_free(wc_image *img)
{
    if (img == NULL)
        return;
    free(img->id);
    wc_strv_free(img->repo_tags);
    wc_strv_free(img->repo_digests);
    free(img->username);
    free(img->user);
    wc_strv_free(img->annotations);
    free(img->variant);
    free(img->os);
    free(img->arch);
    free(img->wasm_entry);
    wc_strv_free(img->entrypoint);
    wc_strv_free(img->cmd);
    wc_strv_free(img->env);
    free(img->working_dir);
    free(img->chain_id);
    wc_strv_free(img->blobs);
    wc_strv_free(img->snapshots);
    free(img);
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

static json_t *strv_to_json(char *const *v)
{
    json_t *a = json_array();
    for (; v != NULL && *v != NULL; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

char *image_encode(const wc_image *img)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(img->id));
    json_object_set_new(o, "repo_tags", strv_to_json(img->repo_tags));
    json_object_set_new(o, "repo_digests", strv_to_json(img->repo_digests));
    json_object_set_new(o, "size", json_integer((json_int_t)img->size));
    json_object_set_new(o, "uid", json_integer(img->uid));
    json_object_set_new(o, "username", json_string(img->username ? img->username : ""));
    json_object_set_new(o, "user", json_string(img->user ? img->user : ""));
    json_object_set_new(o, "annotations", strv_to_json(img->annotations));
    json_object_set_new(o, "shape", json_string(wc_image_shape_name(img->shape)));
    json_object_set_new(o, "variant", json_string(img->variant ? img->variant : ""));
    json_object_set_new(o, "os", json_string(img->os ? img->os : ""));
    json_object_set_new(o, "arch", json_string(img->arch ? img->arch : ""));
    json_object_set_new(o, "wasm_entry", json_string(img->wasm_entry ? img->wasm_entry : ""));
    json_object_set_new(o, "entrypoint", strv_to_json(img->entrypoint));
    json_object_set_new(o, "cmd", strv_to_json(img->cmd));
    json_object_set_new(o, "env", strv_to_json(img->env));
    json_object_set_new(o, "working_dir", json_string(img->working_dir ? img->working_dir : ""));
    json_object_set_new(o, "chain_id", json_string(img->chain_id ? img->chain_id : ""));
    json_object_set_new(o, "blobs", strv_to_json(img->blobs));
    json_object_set_new(o, "snapshots", strv_to_json(img->snapshots));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static char *json_str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return strdup(v ? v : "");
}

static char **json_strv(json_t *o, const char *key)
{
    json_t *a = json_object_get(o, key);
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    char **v = calloc(n + 1, sizeof(char *));
    if (v == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (s != NULL && (v[j] = strdup(s)) != NULL)
            j++;
    }
    return v;
}

int image_decode(const char *text, size_t len, wc_image **ret_img, wc_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return wc_error_set(err, -EIO, "corrupt image record: %s", jerr.text);
    }
    wc_image *img = calloc(1, sizeof(*img));
    if (img == NULL) {
        json_decref(o);
        return wc_error_set(err, -ENOMEM, "decode image record: out of memory");
    }
    img->id = json_str(o, "id");
    img->repo_tags = json_strv(o, "repo_tags");
    img->repo_digests = json_strv(o, "repo_digests");
    img->size = (uint64_t)json_integer_value(json_object_get(o, "size"));
    json_t *uid = json_object_get(o, "uid");
    img->uid = json_is_integer(uid) ? json_integer_value(uid) : -1;
    img->username = json_str(o, "username");
    img->user = json_str(o, "user");
    img->annotations = json_strv(o, "annotations");
    const char *shape = json_string_value(json_object_get(o, "shape"));
    for (unsigned i = 0; shape && i < sizeof(shape_names) / sizeof(shape_names[0]); i++)
        if (strcmp(shape, shape_names[i]) == 0)
            img->shape = (wc_image_shape)i;
    img->variant = json_str(o, "variant");
    img->os = json_str(o, "os");
    img->arch = json_str(o, "arch");
    img->wasm_entry = json_str(o, "wasm_entry");
    img->entrypoint = json_strv(o, "entrypoint");
    img->cmd = json_strv(o, "cmd");
    img->env = json_strv(o, "env");
    img->working_dir = json_str(o, "working_dir");
    img->chain_id = json_str(o, "chain_id");
    img->blobs = json_strv(o, "blobs");
    img->snapshots = json_strv(o, "snapshots");
    json_decref(o);
    if (!img->id || !img->repo_tags || !img->repo_digests || !img->username || !img->user ||
        !img->annotations || !img->variant || !img->os || !img->arch || !img->wasm_entry ||
        !img->entrypoint || !img->cmd || !img->env || !img->working_dir || !img->chain_id ||
        !img->blobs || !img->snapshots) {
        wc_image_free(img);
        return wc_error_set(err, -ENOMEM, "decode image record: out of memory");
    }
    *ret_img = img;
    return 0;
}
