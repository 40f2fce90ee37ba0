/* wasmcri's local store: one LevelDB for metadata, content-addressed blobs and unpacked layer
 * snapshots, all under one root directory:
 *
 *   <root>/meta/                    LevelDB (images, refs; other subsystems use the kv calls)
 *   <root>/content/sha256/<hex>     blobs, written to tmp/ first, renamed in once verified
 *   <root>/snapshots/<hex>/         a layer chain unpacked as a full tree, keyed by chain ID
 *   <root>/tmp/                     work in progress; emptied at open
 *
 * Every metadata change is one atomic LevelDB write batch, so `kill -9` leaves either the old or
 * the new state. A write that fails (a full disk) fails its call, and the next write reopens the
 * database first, so no later write lands behind a torn record (which LevelDB would drop with
 * it at the next open). Files no image refers to are deleted when an image is removed and at open
 * (what a killed pull left behind). A pull holds a lease on each blob and snapshot it makes
 * until its image is recorded, so a concurrent removal never deletes them.
 *
 * Thread-safe: every call may run on any thread.
 */
#ifndef WASMCRI_STORE_STORE_H
#define WASMCRI_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct wc_store wc_store;

/* Opens (creating as needed) the store under root, removes leftovers of interrupted work.
 * -EBUSY when another process holds the LevelDB. */
int wc_store_open(const char *root, wc_store **ret_store, wc_error *err);
void wc_store_close(wc_store *s); /* NULL is fine */
const char *wc_store_root(const wc_store *s);

/* ---- generic metadata (for pods, containers, ...): keys are strings, values bytes ----
 * These writes reach LevelDB's log with write(2) before the call returns, so they survive
 * the daemon being killed (kill -9) at any moment, but they are not fsynced: a power loss
 * may lose the last ones. That is the right trade for runtime records, whose processes a
 * power loss ends anyway (kubelet reconciles pods after a reboot), and it takes an fdatasync
 * off every pod and container rpc. Image records stay synced. */

/* Stores key → value (one atomic write). */
int wc_store_kv_put(wc_store *s, const char *key, const void *val, size_t len, wc_error *err);
/* *ret_val is malloc'd (caller frees) and NUL-terminated after len bytes. -ENOENT if absent. */
int wc_store_kv_get(wc_store *s, const char *key, char **ret_val, size_t *ret_len, wc_error *err);
int wc_store_kv_delete(wc_store *s, const char *key, wc_error *err); /* absent is fine */
/* Calls fn for each key starting with prefix, in key order; fn returning non-zero stops the scan
 * and is returned (-EIO when the database cannot be opened). key/val are borrowed for the call
 * only. */
typedef int (*wc_store_kv_fn)(void *ctx, const char *key, const char *val, size_t len);
int wc_store_kv_scan(wc_store *s, const char *prefix, wc_store_kv_fn fn, void *ctx);

/* ---- images ---- */

typedef enum wc_image_shape {
    WC_SHAPE_ROOTFS = 0,    /* plain OCI/Docker image: layers unpacked, entrypoint in the rootfs */
    WC_SHAPE_WASM_ARTIFACT, /* CNCF wasm artifact: one application/wasm layer, the module itself */
    WC_SHAPE_WASM_LAYERS,   /* runwasi: ...wasm.component.layer.v0+wasm layers, kept as blobs */
} wc_image_shape;

/* "rootfs" | "wasm-artifact" | "wasm-layers" */
const char *wc_image_shape_name(wc_image_shape shape);

/* Everything known about one image. Arrays of strings are NULL-terminated (never NULL
 * themselves in an image returned by the store); strings are never NULL. */
typedef struct wc_image {
    char *id;            /* config digest "sha256:..." */
    char **repo_tags;    /* "docker.io/library/x:1" */
    char **repo_digests; /* "docker.io/library/x@sha256:..." */
    uint64_t size;       /* bytes of every blob of the image (manifests, config, layers) */
    int64_t uid;         /* numeric User of the config, -1 if none or a name */
    char *username;      /* User when it is a name, else "" */
    char *user;          /* the config's User as written ("1000:1000", "app", ""); "" in
                          * records from before it was kept (then uid/username) */
    char **annotations;  /* key, value, key, value, ... (manifest + index annotations) */
    wc_image_shape shape;
    char *variant;   /* module.wasm.image/variant ("compat", "compat-smart") or "" */
    char *os, *arch; /* from the config */
    /* What would run: for ROOTFS the path of the entrypoint in the rootfs if it ends in .wasm
     * ("" when nothing wasm is there: a Linux-only image); for the other shapes the digest
     * of the module blob. */
    char *wasm_entry;
    char **entrypoint, **cmd, **env; /* from the config */
    char *working_dir;
    char *stop_signal; /* the config's StopSignal as written ("SIGTERM", "15"), or "" */
    char *chain_id;    /* top snapshot (ROOTFS), "" otherwise */
    char **blobs;      /* every content digest the image holds */
    char **snapshots;  /* every chain ID, bottom first */
} wc_image;

void wc_image_free(wc_image *img); /* NULL is fine */
void wc_image_freep(wc_image **img);
void wc_image_list_free(wc_image **imgs); /* NULL-terminated array */
void wc_image_list_freep(wc_image ***imgs);

/* Records img (one write batch: the image and its refs). A tag or digest that named another
 * image moves to this one and leaves the other's record. Merges repo_tags/repo_digests into
 * an existing record with the same id. Borrows img. */
int wc_store_image_put(wc_store *s, const wc_image *img, wc_error *err);

/* Finds an image by id ("sha256:<hex>" or the bare hex), a unique id prefix of at least 12
 * hex digits, a repo tag or a repo digest (name as normalised by the caller). -ENOENT. */
int wc_store_image_get(wc_store *s, const char *name, wc_image **ret_img, wc_error *err);

/* *ret_imgs: a NULL-terminated array, free with wc_image_list_free. */
int wc_store_image_list(wc_store *s, wc_image ***ret_imgs, wc_error *err);

/* Removes the image and all its refs (one batch), then deletes blobs and snapshots no other
 * image uses. -ENOENT if there is no such id. */
int wc_store_image_remove(wc_store *s, const char *id, wc_error *err);

/* ---- content ---- */

/* Path of a blob ("sha256:..." → <root>/content/sha256/<hex>) into buf. */
int wc_store_blob_path(const wc_store *s, const char *digest, char *buf, size_t size);
bool wc_store_blob_exists(const wc_store *s, const char *digest);

typedef struct wc_blob_writer wc_blob_writer;

/* Starts writing the blob `digest` of `size` bytes into a temp file. */
int wc_blob_writer_open(wc_store *s, const char *digest, uint64_t size, wc_blob_writer **ret_w,
                        wc_error *err);
/* Appends; -EFBIG once more than size bytes arrive. */
int wc_blob_writer_write(wc_blob_writer *w, const void *data, size_t len, wc_error *err);
/* Drops what was written so far (a download restarting from byte 0). */
int wc_blob_writer_restart(wc_blob_writer *w, wc_error *err);
uint64_t wc_blob_writer_offset(const wc_blob_writer *w);
/* Verifies size and sha256, then renames into content/. -EILSEQ on a mismatch (the data
 * is dropped). Frees w in every case. */
int wc_blob_writer_commit(wc_blob_writer *w, wc_error *err);
/* Drops the temp file and frees w. NULL is fine. */
void wc_blob_writer_abort(wc_blob_writer *w);
/* Writes a whole blob held in memory (a manifest) the same way. */
int wc_store_blob_put(wc_store *s, const char *digest, const void *data, size_t len, wc_error *err);

/* ---- snapshots ---- */

int wc_store_snapshot_path(const wc_store *s, const char *chain_id, char *buf, size_t size);
bool wc_store_snapshot_exists(const wc_store *s, const char *chain_id);
/* Makes a fresh work directory under tmp/ holding a copy of the parent snapshot (hard links;
 * parent NULL or "" for an empty tree). *ret_dir is malloc'd. Writers must replace files,
 * never write into them (unpack unlinks first), as they share inodes with the parent. */
int wc_store_snapshot_prepare(wc_store *s, const char *parent, char **ret_dir, wc_error *err);
/* Renames a prepared work directory to snapshots/<hex of chain_id>. */
int wc_store_snapshot_commit(wc_store *s, const char *dir, const char *chain_id, wc_error *err);
/* Removes a prepared work directory. */
void wc_store_snapshot_abort(wc_store *s, const char *dir);

/* ---- concurrency between pulls ---- */

/* Takes a lease on key (a blob digest or chain ID): garbage collection keeps it until every
 * lease is released. */
void wc_store_lease(wc_store *s, const char *key);
void wc_store_unlease(wc_store *s, const char *key);
/* Single flight: waits until no other thread holds key, then holds it. Two pulls of one blob
 * thus download it once: the second finds it present after waiting. */
void wc_store_flight_begin(wc_store *s, const char *key);
void wc_store_flight_end(wc_store *s, const char *key);

/* Persistent holds, for what outlives a pull and a restart (a container's rootfs snapshot,
 * a module blob in use): GC keeps a held key even when no image lists it any more. holder
 * names who holds it (a container id); one write each. Releasing what is not held is fine;
 * releasing a key's last hold runs GC, so that it goes at once if no image lists it. */
int wc_store_hold(wc_store *s, const char *key, const char *holder, wc_error *err);
int wc_store_release(wc_store *s, const char *key, const char *holder, wc_error *err);
/* Stores rec_key → val (as wc_store_kv_put) and the hold of key by holder (as wc_store_hold) in
 * one atomic write: a record and what it holds are on disk together or not at all, for the
 * cost of one write. */
int wc_store_kv_put_holding(wc_store *s, const char *rec_key, const void *val, size_t len,
                            const char *key, const char *holder, wc_error *err);

/* ---- usage (ImageFsInfo) ---- */

/* Bytes used (allocated blocks) and inodes of content/ and snapshots/, hard links counted once. */
int wc_store_usage(wc_store *s, uint64_t *ret_bytes, uint64_t *ret_inodes, wc_error *err);

/* Deletes blobs and snapshots no image refers to, nobody leases and nobody holds. */
int wc_store_gc(wc_store *s, wc_error *err);

#endif
