/* `wasmcri zygote STATE_DIR`: the zygote process (wasm/zygote/zygote.c). */
#ifndef WASMCRI_CMD_ZYGOTE_CMD_H
#define WASMCRI_CMD_ZYGOTE_CMD_H

int wasmcri_zygote_main(int argc, char **argv);

#endif
