/* Builds the CRI Image message and the verbose info of ImageStatus from a store record.
 * Every field is malloc'd (the server frees responses with protobuf_c_message_free_unpacked);
 * a partly built message is freed here when memory runs out.
 */
#include "image_message.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "strv.h"

static char **strv_dup_n(char *const *v, size_t *ret_n)
{
    size_t n = wc_strv_len(v);
    char **out = calloc(n ? n : 1, sizeof(char *));
    *ret_n = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if ((out[i] = strdup(v[i])) == NULL)
            return out; /* *ret_n counts what is there, so the caller's free is exact */
        *ret_n = i + 1;
    }
    return out;
}

static Runtime__V1__ImageSpec *spec_message(const wc_image *img)
{
    Runtime__V1__ImageSpec *s = malloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    runtime__v1__image_spec__init(s);
    s->image = cri_strdup(img->id);
    size_t pairs = wc_strv_len(img->annotations) / 2;
    s->annotations = calloc(pairs ? pairs : 1, sizeof(*s->annotations));
    for (size_t i = 0; s->annotations && i < pairs; i++) {
        Runtime__V1__ImageSpec__AnnotationsEntry *e = malloc(sizeof(*e));
        if (e == NULL)
            break;
        runtime__v1__image_spec__annotations_entry__init(e);
        e->key = cri_strdup(img->annotations[2 * i]);
        e->value = cri_strdup(img->annotations[2 * i + 1]);
        s->annotations[s->n_annotations++] = e;
        if (!e->key || !e->value)
            break;
    }
    return s;
}

Runtime__V1__Image *image_message(const wc_image *img)
{
    Runtime__V1__Image *m = malloc(sizeof(*m));
    if (m == NULL)
        return NULL;
    runtime__v1__image__init(m);
    m->id = cri_strdup(img->id);
    m->repo_tags = strv_dup_n(img->repo_tags, &m->n_repo_tags);
    m->repo_digests = strv_dup_n(img->repo_digests, &m->n_repo_digests);
    m->size = img->size;
    m->username = cri_strdup(img->username);
    if (img->uid >= 0 && (m->uid = malloc(sizeof(*m->uid))) != NULL) {
        runtime__v1__int64_value__init(m->uid);
        m->uid->value = img->uid;
    }
    m->spec = spec_message(img);
    bool ok = m->id && m->repo_tags && m->n_repo_tags == wc_strv_len(img->repo_tags) &&
              m->repo_digests && m->n_repo_digests == wc_strv_len(img->repo_digests) &&
              m->username && (img->uid < 0 || m->uid) && m->spec && m->spec->image &&
              m->spec->annotations && m->spec->n_annotations == wc_strv_len(img->annotations) / 2;
    if (!ok) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    return m;
}

static json_t *strv_json(char *const *v)
{
    json_t *a = json_array();
    for (; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

char *image_info_json(const wc_image *img)
{
    json_t *o = json_object();
    json_object_set_new(o, "shape", json_string(wc_image_shape_name(img->shape)));
    json_object_set_new(o, "wasmEntry", json_string(img->wasm_entry));
    json_object_set_new(o, "variant", json_string(img->variant));
    json_object_set_new(o, "os", json_string(img->os));
    json_object_set_new(o, "architecture", json_string(img->arch));
    json_object_set_new(o, "entrypoint", strv_json(img->entrypoint));
    json_object_set_new(o, "cmd", strv_json(img->cmd));
    json_object_set_new(o, "env", strv_json(img->env));
    json_object_set_new(o, "workingDir", json_string(img->working_dir));
    json_object_set_new(o, "chainID", json_string(img->chain_id));
    json_object_set_new(o, "snapshots", strv_json(img->snapshots));
    json_object_set_new(o, "blobs", strv_json(img->blobs));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}
