/* The daemon's configuration: one JSON file (default /etc/wasmcri/config.json),
 * every key optional with a default; command-line flags override the file.
 *
 * Keys: socket, root, state, log_level, cgroup_driver, cni{conf_dir, bin_dirs[],
 * plugin_timeout_s},
 * registries[]{host, mirrors[], insecure, ca_file, cert_file, key_file,
 * auth{username, password}}, module_cache_mib, toolbox, exec_ready_ms, metrics_address,
 * stream_address,
 * stream_port, stream_idle_timeout, stream_tls, stream_tls_cert_file, stream_tls_key_file. An
 * unknown key, a wrong type or a bad value is an error naming
 * the key. `wasmcri config default` prints wc_config_to_json of the defaults. To add a key: a
 * field here, its default in wc_config_init, its parse step in config.c and its line in
 * wc_config_to_json (the round-trip unit test checks the last two agree).
 */
#ifndef WASMCRI_COMMON_CONFIG_H
#define WASMCRI_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "log.h"

#define WC_DEFAULT_CONFIG_PATH "/etc/wasmcri/config.json"
#define WC_DEFAULT_MODULE_CACHE_MIB 32
#define WC_DEFAULT_EXEC_READY_MS 60000
#define WC_DEFAULT_STREAM_IDLE_TIMEOUT (4 * 3600) /* s, as containerd's stream_idle_timeout */

typedef struct wc_registry {
    char *host;     /* "docker.io", "127.0.0.1:5000" */
    char **mirrors; /* tried in order before host; URLs or host[:port] */
    size_t n_mirrors;
    bool insecure;   /* plain HTTP or unverified TLS allowed */
    char *ca_file;   /* extra CA bundle for this registry, or NULL */
    char *cert_file; /* client certificate, or NULL */
    char *key_file;
    char *username; /* auth.username, or NULL */
    char *password;
} wc_registry;

/* Limits on what one image layer may unpack to (config key "unpack"). */
#define WC_UNPACK_DEFAULT_BYTES (16ull << 30) /* max_layer_bytes: 16 GiB of file data */
#define WC_UNPACK_DEFAULT_ENTRIES 1000000ull  /* max_layer_entries: tar entries */
#define WC_UNPACK_DEFAULT_RATIO 100ull        /* max_ratio: file data / compressed size */
#define WC_UNPACK_RATIO_FLOOR (16ull << 20)   /* max_ratio allows any layer this small */

typedef struct wc_unpack_conf {
    uint64_t max_layer_bytes, max_layer_entries, max_ratio;
} wc_unpack_conf;

typedef struct wc_config {
    char *socket_path; /* /run/wasmcri/wasmcri.sock */
    char *root_dir;    /* persistent state: /var/lib/wasmcri */
    char *state_dir;   /* runtime state: /run/wasmcri */
    wc_log_level log_level;
    char *cgroup_driver; /* "cgroupfs" | "systemd" */
    char *cni_conf_dir;  /* /etc/cni/net.d */
    char **cni_bin_dirs; /* /opt/cni/bin, /usr/lib/cni */
    size_t n_cni_bin_dirs;
    int cni_plugin_timeout_s; /* 30: a CNI plugin call is killed after this */
    wc_registry *registries;
    size_t n_registries;
    wc_unpack_conf unpack;
    int module_cache_mib; /* 32: the zygote's compiled-module budget (module_cache.h) */
    bool toolbox; /* true: commands naming an applet run toolbox.wasm (wasm/toolbox/README.md) */
    int exec_ready_ms;       /* 60000: how long a container's worker for its next exec is kept ready
                              * after an exec (wasm/zygote/ready.h); 0: none */
    char *metrics_address;   /* "": no metrics endpoint; else HOST:PORT it listens on */
    char *stream_address;    /* 127.0.0.1: the streaming server's (Exec, Attach, PortForward) */
    int stream_port;         /* 0: a free port */
    int stream_idle_timeout; /* s without a byte either way that end a stream session; 0: none */
    bool stream_tls;         /* the streaming server's URLs are https:// */
    char *stream_tls_cert_file,
        *stream_tls_key_file; /* PEM; "": a self-signed pair made at start */
} wc_config;

/* Fills cfg with the embedded defaults. Returns -ENOMEM only. */
int wc_config_init(wc_config *cfg);

/* Reads a JSON file over the values already in cfg. On error cfg keeps a
 * consistent (partly updated) state that wc_config_free still releases. */
int wc_config_load_file(wc_config *cfg, const char *path, wc_error *err);

/* Same, from a string (tests). what names the source in error messages. */
int wc_config_load_string(wc_config *cfg, const char *json, const char *what, wc_error *err);

/* The complete configuration as pretty JSON; the caller frees the string. NULL on ENOMEM. */
char *wc_config_to_json(const wc_config *cfg);

/* Replaces a string field (flags override the file). Returns -ENOMEM only. */
int wc_config_set_string(char **field, const char *value);

/* Finds the registry entry for host ("docker.io", "localhost:5000"); NULL if none. Borrowed. */
const wc_registry *wc_config_find_registry(const wc_config *cfg, const char *host);

/* Releases everything cfg owns; cfg may be re-initialised afterwards. */
void wc_config_free(wc_config *cfg);

#endif
