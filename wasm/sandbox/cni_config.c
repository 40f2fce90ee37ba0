/* CNI configuration discovery and plugin presence check (see cni_config.h). */
#include "cni_config.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni_exec.h"

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

static bool is_cni_file(const char *name)
{
    return has_suffix(name, ".conflist") || has_suffix(name, ".conf") || has_suffix(name, ".json");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int select_cni_file(const struct dirent *d)
{
    return d->d_name[0] != '.' && is_cni_file(d->d_name);
}

static void not_ready(cni_check *ret, const char *fmt, const char *a, const char *b)
{
    ret->ready = false;
    snprintf(ret->reason, sizeof(ret->reason), "NetworkPluginNotReady");
    snprintf(ret->message, sizeof(ret->message), fmt, a, b);
}

/* Returns false (and fills ret) when plugin type is in none of the bin dirs (or cannot be:
 * a type that is a path, a bin dir too long). */
static bool plugin_present(const char *type, char *const *bin_dirs, size_t n_bin_dirs,
                           cni_check *ret)
{
    char path[4096];
    wc_error err = {0};
    int r = cni_find_plugin(type, bin_dirs, n_bin_dirs, path, sizeof(path), &err);
    if (r == 0)
        return true;
    if (r != -ENOEXEC) {
        wc_error_wrap(&err, "%s", ret->conf_file);
        not_ready(ret, "%s%s", err.msg, "");
        return false;
    }
    char dirs[512] = "";
    for (size_t i = 0; i < n_bin_dirs; i++) {
        size_t len = strlen(dirs);
        snprintf(dirs + len, sizeof(dirs) - len, "%s%s", i ? ", " : "", bin_dirs[i]);
    }
    ret->ready = false;
    snprintf(ret->reason, sizeof(ret->reason), "NetworkPluginNotReady");
    snprintf(ret->message, sizeof(ret->message),
             "CNI plugin \"%s\" named in %s is not in the CNI bin dirs (%s)", type, ret->conf_file,
             dirs);
    return false;
}

static void check_plugins(json_t *root, char *const *bin_dirs, size_t n_bin_dirs, cni_check *ret)
{
    json_t *plugins = json_object_get(root, "plugins");
    json_t *single = json_object_get(root, "type");
    size_t n = json_is_array(plugins) ? json_array_size(plugins) : 0;
    if (n == 0 && !json_is_string(single)) {
        not_ready(ret, "CNI config %s names no plugin (no \"plugins\" list or \"type\")%s",
                  ret->conf_file, "");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *type = json_object_get(json_array_get(plugins, i), "type");
        if (!json_is_string(type)) {
            not_ready(ret, "CNI config %s: a plugin has no \"type\"%s", ret->conf_file, "");
            return;
        }
        if (!plugin_present(json_string_value(type), bin_dirs, n_bin_dirs, ret))
            return;
    }
    if (n == 0 && !plugin_present(json_string_value(single), bin_dirs, n_bin_dirs, ret))
        return;
    ret->ready = true;
    ret->reason[0] = '\0';
    snprintf(ret->message, sizeof(ret->message), "CNI network \"%s\" from %s", ret->network,
             ret->conf_file);
}

void cni_check_config(const char *conf_dir, char *const *bin_dirs, size_t n_bin_dirs,
                      cni_check *ret)
{
    memset(ret, 0, sizeof(*ret));
    struct dirent **names = NULL;
    int n = scandir(conf_dir, &names, select_cni_file, by_name);
    if (n <= 0) {
        not_ready(ret, "no CNI network config (*.conflist, *.conf, *.json) in %s%s", conf_dir, "");
        free(names);
        return;
    }
    snprintf(ret->conf_file, sizeof(ret->conf_file), "%s/%s", conf_dir, names[0]->d_name);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);

    json_error_t jerr;
    json_t *root = json_load_file(ret->conf_file, 0, &jerr);
    if (!json_is_object(root)) {
        not_ready(ret, "CNI config %s cannot be parsed: %s", ret->conf_file,
                  root ? "not a JSON object" : jerr.text);
        json_decref(root);
        return;
    }
    json_t *name = json_object_get(root, "name");
    snprintf(ret->network, sizeof(ret->network), "%s",
             json_is_string(name) ? json_string_value(name) : "");
    check_plugins(root, bin_dirs, n_bin_dirs, ret);
    json_decref(root);
}

/* A single .conf is a list of one plugin, as libcni reads it. */
static json_t *as_conflist(json_t *root)
{
    if (json_is_array(json_object_get(root, "plugins")))
        return json_incref(root);
    json_t *list =
        json_pack("{s:O?, s:O?, s:[O]}", "cniVersion", json_object_get(root, "cniVersion"), "name",
                  json_object_get(root, "name"), "plugins", root);
    return list;
}

int cni_config_load(const char *conf_dir, char *const *bin_dirs, size_t n_bin_dirs,
                    json_t **ret_list, wc_error *err)
{
    cni_check check;
    cni_check_config(conf_dir, bin_dirs, n_bin_dirs, &check);
    if (!check.ready)
        return wc_error_set(err, check.conf_file[0] ? -ENOEXEC : -ENOENT, "%s", check.message);
    json_t *root = json_load_file(check.conf_file, 0, NULL);
    json_t *list = root ? as_conflist(root) : NULL;
    json_decref(root);
    if (list == NULL)
        return wc_error_set(err, -ENOEXEC, "CNI config %s changed while it was read",
                            check.conf_file);
    *ret_list = list;
    return 0;
}
