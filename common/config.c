/* Configuration file parsing and printing (see config.h for the keys).
 *
 * Parsing walks the JSON object with a list of known keys per level, so an
 * unknown key is reported with its full path ("registries[1].mirror"). Each key
 * has one parse step; wc_config_to_json prints every key, which is what
 * `wasmcri config default` and Status(verbose) show.
 */
#include "config.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "net_addr.h"
#include "strv.h"

static int set_str(char **field, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return -ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

int wc_config_set_string(char **field, const char *value)
{
    return set_str(field, value);
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_registry(wc_registry *r)
{
    free(r->host);
    free_strv(r->mirrors, r->n_mirrors);
    free(r->ca_file);
    free(r->cert_file);
    free(r->key_file);
    free(r->username);
    free(r->password);
}

void wc_config_free(wc_config *cfg)
{
    free(cfg->socket_path);
    free(cfg->root_dir);
    free(cfg->state_dir);
    free(cfg->cgroup_driver);
    free(cfg->stream_address);
    free(cfg->stream_tls_cert_file);
    free(cfg->stream_tls_key_file);
    free(cfg->cni_conf_dir);
    free(cfg->metrics_address);
    free_strv(cfg->cni_bin_dirs, cfg->n_cni_bin_dirs);
    for (size_t i = 0; i < cfg->n_registries; i++)
        free_registry(&cfg->registries[i]);
    free(cfg->registries);
    memset(cfg, 0, sizeof(*cfg));
}

int wc_config_init(wc_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->log_level = WC_LOG_INFO;
    cfg->cni_plugin_timeout_s = 30;
    cfg->unpack = (wc_unpack_conf){WC_UNPACK_DEFAULT_BYTES, WC_UNPACK_DEFAULT_ENTRIES,
                                   WC_UNPACK_DEFAULT_RATIO};
    cfg->module_cache_mib = WC_DEFAULT_MODULE_CACHE_MIB;
    cfg->toolbox = true;
    cfg->exec_ready_ms = WC_DEFAULT_EXEC_READY_MS;
    cfg->stream_idle_timeout = WC_DEFAULT_STREAM_IDLE_TIMEOUT;
    cfg->cni_bin_dirs = calloc(2, sizeof(char *));
    if (!cfg->cni_bin_dirs)
        return -ENOMEM;
    cfg->n_cni_bin_dirs = 2;
    if (set_str(&cfg->socket_path, "/run/wasmcri/wasmcri.sock") < 0 ||
        set_str(&cfg->root_dir, "/var/lib/wasmcri") < 0 ||
        set_str(&cfg->state_dir, "/run/wasmcri") < 0 ||
        set_str(&cfg->cgroup_driver, "cgroupfs") < 0 ||
        set_str(&cfg->stream_address, "127.0.0.1") < 0 ||
        set_str(&cfg->stream_tls_cert_file, "") < 0 || set_str(&cfg->stream_tls_key_file, "") < 0 ||
        set_str(&cfg->cni_conf_dir, "/etc/cni/net.d") < 0 ||
        set_str(&cfg->metrics_address, "") < 0 ||
        set_str(&cfg->cni_bin_dirs[0], "/opt/cni/bin") < 0 ||
        set_str(&cfg->cni_bin_dirs[1], "/usr/lib/cni") < 0) {
        wc_config_free(cfg);
        return -ENOMEM;
    }
    return 0;
}

/* ---- parsing ---- */

typedef struct parse_ctx {
    const char *what; /* file name for messages */
    wc_error *err;
} parse_ctx;

static int bad(parse_ctx *pc, const char *key, const char *problem)
{
    return wc_error_set(pc->err, -EINVAL, "config %s: key \"%s\": %s", pc->what, key, problem);
}

/* v has the type want, else 'config F: key "P" is a number, not a string'. */
static int want(parse_ctx *pc, const json_t *v, wc_json_type type, const char *path)
{
    char where[160];
    snprintf(where, sizeof(where), "key \"%s\"", path);
    if (wc_json_check_type(v, type, where, pc->err) < 0)
        return wc_error_wrap(pc->err, "config %s", pc->what);
    return 0;
}

static int check_keys(parse_ctx *pc, json_t *obj, const char *prefix, const char *const *known)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        bool found = false;
        for (size_t i = 0; known[i]; i++)
            found = found || strcmp(key, known[i]) == 0;
        if (!found)
            return wc_error_set(pc->err, -EINVAL, "config %s: unknown key \"%s%s\"", pc->what,
                                prefix, key);
    }
    return 0;
}

static int get_string(parse_ctx *pc, json_t *obj, const char *key, const char *path, char **field)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    if (json_is_null(v))
        return set_str(field, NULL);
    TRY(want(pc, v, WC_JSON_STRING, path));
    return set_str(field, json_string_value(v));
}

static int get_bool(parse_ctx *pc, json_t *obj, const char *key, const char *path, bool *field)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    TRY(want(pc, v, WC_JSON_BOOL, path));
    *field = json_is_true(v);
    return 0;
}

/* An integer in [min, max]. */
static int get_int(parse_ctx *pc, json_t *obj, const char *key, const char *path, int min, int max,
                   int *field)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    TRY(want(pc, v, WC_JSON_INTEGER, path));
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        char what[64];
        snprintf(what, sizeof(what), "must be an integer from %d to %d", min, max);
        return bad(pc, path, what);
    }
    *field = (int)json_integer_value(v);
    return 0;
}

/* An integer of at least 1, as large as JSON allows (byte counts). */
static int get_positive(parse_ctx *pc, json_t *obj, const char *key, const char *path,
                        uint64_t *field)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    TRY(want(pc, v, WC_JSON_INTEGER, path));
    if (json_integer_value(v) <= 0)
        return bad(pc, path, "must be a positive integer");
    *field = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_strv(parse_ctx *pc, json_t *obj, const char *key, const char *path, char ***field,
                    size_t *n_field)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return 0;
    TRY(want(pc, v, WC_JSON_STRINGS, path));
    char **out = wc_json_dup_strv(obj, key);
    if (!out)
        return -ENOMEM;
    free_strv(*field, *n_field);
    *field = out;
    *n_field = wc_strv_len(out);
    return 0;
}

static int parse_registry(parse_ctx *pc, json_t *obj, size_t idx, wc_registry *r)
{
    static const char *const keys[] = {"host",      "mirrors",  "insecure", "ca_file",
                                       "cert_file", "key_file", "auth",     NULL};
    static const char *const auth_keys[] = {"username", "password", NULL};
    char p[64], k[96];
    snprintf(p, sizeof(p), "registries[%zu]", idx);
    TRY(want(pc, obj, WC_JSON_OBJECT, p));
    snprintf(k, sizeof(k), "%s.", p);
    TRY(check_keys(pc, obj, k, keys));
#define FIELD(name) (snprintf(k, sizeof(k), "%s." name, p), k)
    TRY(get_string(pc, obj, "host", FIELD("host"), &r->host));
    if (!r->host || !*r->host)
        return bad(pc, FIELD("host"), "is required and must not be empty");
    TRY(get_strv(pc, obj, "mirrors", FIELD("mirrors"), &r->mirrors, &r->n_mirrors));
    TRY(get_bool(pc, obj, "insecure", FIELD("insecure"), &r->insecure));
    TRY(get_string(pc, obj, "ca_file", FIELD("ca_file"), &r->ca_file));
    TRY(get_string(pc, obj, "cert_file", FIELD("cert_file"), &r->cert_file));
    TRY(get_string(pc, obj, "key_file", FIELD("key_file"), &r->key_file));
    json_t *auth = json_object_get(obj, "auth");
    if (auth == NULL)
        return 0;
    TRY(want(pc, auth, WC_JSON_OBJECT, FIELD("auth")));
    TRY(check_keys(pc, auth, FIELD("auth."), auth_keys));
    TRY(get_string(pc, auth, "username", FIELD("auth.username"), &r->username));
    return get_string(pc, auth, "password", FIELD("auth.password"), &r->password);
#undef FIELD
}

static int parse_registries(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    json_t *v = json_object_get(root, "registries");
    if (!v)
        return 0;
    TRY(want(pc, v, WC_JSON_ARRAY, "registries"));
    size_t n = json_array_size(v);
    wc_registry *regs = calloc(n ? n : 1, sizeof(*regs));
    if (!regs)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = parse_registry(pc, json_array_get(v, i), i, &regs[i]);
        if (rc < 0) {
            for (size_t j = 0; j <= i; j++)
                free_registry(&regs[j]);
            free(regs);
            return rc;
        }
    }
    for (size_t i = 0; i < cfg->n_registries; i++)
        free_registry(&cfg->registries[i]);
    free(cfg->registries);
    cfg->registries = regs;
    cfg->n_registries = n;
    return 0;
}

static int parse_cni(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    static const char *const keys[] = {"conf_dir", "bin_dirs", "plugin_timeout_s", NULL};
    json_t *cni = json_object_get(root, "cni");
    if (!cni)
        return 0;
    TRY(want(pc, cni, WC_JSON_OBJECT, "cni"));
    TRY(check_keys(pc, cni, "cni.", keys));
    TRY(get_string(pc, cni, "conf_dir", "cni.conf_dir", &cfg->cni_conf_dir));
    TRY(get_strv(pc, cni, "bin_dirs", "cni.bin_dirs", &cfg->cni_bin_dirs, &cfg->n_cni_bin_dirs));
    return get_int(pc, cni, "plugin_timeout_s", "cni.plugin_timeout_s", 1, 3600,
                   &cfg->cni_plugin_timeout_s);
}

static int parse_unpack(parse_ctx *pc, json_t *root, wc_unpack_conf *u)
{
    static const char *const keys[] = {"max_layer_bytes", "max_layer_entries", "max_ratio", NULL};
    json_t *obj = json_object_get(root, "unpack");
    if (!obj)
        return 0;
    TRY(want(pc, obj, WC_JSON_OBJECT, "unpack"));
    TRY(check_keys(pc, obj, "unpack.", keys));
    TRY(get_positive(pc, obj, "max_layer_bytes", "unpack.max_layer_bytes", &u->max_layer_bytes));
    TRY(get_positive(pc, obj, "max_layer_entries", "unpack.max_layer_entries",
                     &u->max_layer_entries));
    return get_positive(pc, obj, "max_ratio", "unpack.max_ratio", &u->max_ratio);
}

static int parse_enums(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    json_t *lvl = json_object_get(root, "log_level");
    if (lvl) {
        if (!json_is_string(lvl) || wc_log_parse_level(json_string_value(lvl), &cfg->log_level) < 0)
            return bad(pc, "log_level", "must be one of \"debug\", \"info\", \"warn\", \"error\"");
    }
    json_t *drv = json_object_get(root, "cgroup_driver");
    if (drv) {
        const char *s = json_is_string(drv) ? json_string_value(drv) : "";
        if (strcmp(s, "cgroupfs") != 0 && strcmp(s, "systemd") != 0)
            return bad(pc, "cgroup_driver", "must be \"cgroupfs\" or \"systemd\"");
        return set_str(&cfg->cgroup_driver, s);
    }
    return 0;
}

/* "" (the default) or a numeric HOST:PORT (net_addr.h). */
static int parse_metrics_address(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    TRY(get_string(pc, root, "metrics_address", "metrics_address", &cfg->metrics_address));
    if (cfg->metrics_address == NULL)
        return set_str(&cfg->metrics_address, "");
    struct sockaddr_storage ss;
    socklen_t len;
    wc_error inner = {0};
    if (*cfg->metrics_address && wc_parse_host_port(cfg->metrics_address, &ss, &len, &inner) < 0)
        return bad(pc, "metrics_address", inner.msg);
    return 0;
}

/* stream_tls, and the cert and key files: both or neither (then a self-signed pair). */
static int parse_stream_tls(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    TRY(get_bool(pc, root, "stream_tls", "stream_tls", &cfg->stream_tls));
    TRY(get_string(pc, root, "stream_tls_cert_file", "stream_tls_cert_file",
                   &cfg->stream_tls_cert_file));
    TRY(get_string(pc, root, "stream_tls_key_file", "stream_tls_key_file",
                   &cfg->stream_tls_key_file));
    if (!cfg->stream_tls_cert_file || !cfg->stream_tls_key_file)
        return bad(pc, "stream_tls_cert_file/stream_tls_key_file", "must not be null");
    bool cert = *cfg->stream_tls_cert_file, key = *cfg->stream_tls_key_file;
    if (cert != key)
        return bad(pc, cert ? "stream_tls_key_file" : "stream_tls_cert_file",
                   "must be given with the other one of the pair");
    if (cert && !cfg->stream_tls)
        return bad(pc, "stream_tls", "must be true when stream_tls_cert_file is given");
    return 0;
}

static int parse_root(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    static const char *const keys[] = {"socket",
                                       "root",
                                       "state",
                                       "log_level",
                                       "cgroup_driver",
                                       "cni",
                                       "registries",
                                       "unpack",
                                       "module_cache_mib",
                                       "toolbox",
                                       "exec_ready_ms",
                                       "metrics_address",
                                       "stream_address",
                                       "stream_port",
                                       "stream_idle_timeout",
                                       "stream_tls",
                                       "stream_tls_cert_file",
                                       "stream_tls_key_file",
                                       NULL};
    if (!json_is_object(root))
        return wc_error_set(pc->err, -EINVAL, "config %s: the top level must be a JSON object",
                            pc->what);
    TRY(check_keys(pc, root, "", keys));
    TRY(get_string(pc, root, "socket", "socket", &cfg->socket_path));
    TRY(get_string(pc, root, "root", "root", &cfg->root_dir));
    TRY(get_string(pc, root, "state", "state", &cfg->state_dir));
    TRY(get_string(pc, root, "stream_address", "stream_address", &cfg->stream_address));
    if (!cfg->socket_path || !cfg->root_dir || !cfg->state_dir || !cfg->stream_address)
        return bad(pc, "socket/root/state/stream_address", "must not be null");
    struct in6_addr ip;
    if (inet_pton(AF_INET, cfg->stream_address, &ip) != 1 &&
        inet_pton(AF_INET6, cfg->stream_address, &ip) != 1)
        return bad(pc, "stream_address", "must be an IPv4 or IPv6 address");
    TRY(get_int(pc, root, "stream_port", "stream_port", 0, 65535, &cfg->stream_port));
    TRY(get_int(pc, root, "stream_idle_timeout", "stream_idle_timeout", 0, 7 * 24 * 3600,
                &cfg->stream_idle_timeout));
    TRY(parse_stream_tls(pc, root, cfg));
    TRY(parse_enums(pc, root, cfg));
    TRY(get_int(pc, root, "module_cache_mib", "module_cache_mib", 0, 1 << 20,
                &cfg->module_cache_mib));
    TRY(get_bool(pc, root, "toolbox", "toolbox", &cfg->toolbox));
    TRY(get_int(pc, root, "exec_ready_ms", "exec_ready_ms", 0, 24 * 3600 * 1000,
                &cfg->exec_ready_ms));
    TRY(parse_metrics_address(pc, root, cfg));
    TRY(parse_cni(pc, root, cfg));
    TRY(parse_registries(pc, root, cfg));
    return parse_unpack(pc, root, &cfg->unpack);
}

/* parse_root, with "out of memory" named for the raw -ENOMEM its helpers return. */
static int parse_config(parse_ctx *pc, json_t *root, wc_config *cfg)
{
    int rc = parse_root(pc, root, cfg);
    if (rc == -ENOMEM)
        return wc_error_set(pc->err, -ENOMEM, "config %s: out of memory", pc->what);
    return rc;
}

int wc_config_load_string(wc_config *cfg, const char *json, const char *what, wc_error *err)
{
    json_error_t jerr;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return wc_error_set(err, -EINVAL, "config %s: line %d column %d: %s", what, jerr.line,
                            jerr.column, jerr.text);
    parse_ctx pc = {.what = what, .err = err};
    int rc = parse_config(&pc, root, cfg);
    json_decref(root);
    return rc;
}

int wc_config_load_file(wc_config *cfg, const char *path, wc_error *err)
{
    json_error_t jerr;
    FILE *f = fopen(path, "re");
    if (!f)
        return wc_error_set_errno(err, -errno, "config %s: cannot read", path);
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (!root)
        return wc_error_set(err, -EINVAL, "config %s: line %d column %d: %s", path, jerr.line,
                            jerr.column, jerr.text);
    parse_ctx pc = {.what = path, .err = err};
    int rc = parse_config(&pc, root, cfg);
    json_decref(root);
    return rc;
}

/* ---- printing ---- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *strv_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *registry_json(const wc_registry *r)
{
    return json_pack("{s:o, s:o, s:b, s:o, s:o, s:o, s:{s:o, s:o}}", "host", str_or_null(r->host),
                     "mirrors", strv_json(r->mirrors, r->n_mirrors), "insecure", r->insecure,
                     "ca_file", str_or_null(r->ca_file), "cert_file", str_or_null(r->cert_file),
                     "key_file", str_or_null(r->key_file), "auth", "username",
                     str_or_null(r->username), "password",
                     r->password ? json_string("<redacted>") : json_null());
}

char *wc_config_to_json(const wc_config *cfg)
{
    json_t *regs = json_array();
    for (size_t i = 0; regs && i < cfg->n_registries; i++)
        json_array_append_new(regs, registry_json(&cfg->registries[i]));
    json_t *root = json_pack(
        "{s:o, s:o, s:o, s:s, s:o, s:{s:o, s:o, s:i}, s:o, s:{s:I, s:I, s:I}}", "socket",
        str_or_null(cfg->socket_path), "root", str_or_null(cfg->root_dir), "state",
        str_or_null(cfg->state_dir), "log_level", wc_log_level_name(cfg->log_level),
        "cgroup_driver", str_or_null(cfg->cgroup_driver), "cni", "conf_dir",
        str_or_null(cfg->cni_conf_dir), "bin_dirs",
        strv_json(cfg->cni_bin_dirs, cfg->n_cni_bin_dirs), "plugin_timeout_s",
        cfg->cni_plugin_timeout_s, "registries", regs, "unpack", "max_layer_bytes",
        (json_int_t)cfg->unpack.max_layer_bytes, "max_layer_entries",
        (json_int_t)cfg->unpack.max_layer_entries, "max_ratio", (json_int_t)cfg->unpack.max_ratio);
    if (!root ||
        json_object_set_new(root, "module_cache_mib", json_integer(cfg->module_cache_mib)) < 0 ||
        json_object_set_new(root, "toolbox", json_boolean(cfg->toolbox)) < 0 ||
        json_object_set_new(root, "exec_ready_ms", json_integer(cfg->exec_ready_ms)) < 0 ||
        json_object_set_new(root, "metrics_address", str_or_null(cfg->metrics_address)) < 0 ||
        json_object_set_new(root, "stream_address", str_or_null(cfg->stream_address)) < 0 ||
        json_object_set_new(root, "stream_port", json_integer(cfg->stream_port)) < 0 ||
        json_object_set_new(root, "stream_idle_timeout", json_integer(cfg->stream_idle_timeout)) <
            0 ||
        json_object_set_new(root, "stream_tls", json_boolean(cfg->stream_tls)) < 0 ||
        json_object_set_new(root, "stream_tls_cert_file", str_or_null(cfg->stream_tls_cert_file)) <
            0 ||
        json_object_set_new(root, "stream_tls_key_file", str_or_null(cfg->stream_tls_key_file)) <
            0) {
        json_decref(root);
        return NULL;
    }
    char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return out;
}

const wc_registry *wc_config_find_registry(const wc_config *cfg, const char *host)
{
    for (size_t i = 0; i < cfg->n_registries; i++)
        if (strcmp(cfg->registries[i].host, host) == 0)
            return &cfg->registries[i];
    return NULL;
}
