/* `wasmcri config default`: the embedded defaults as the JSON file they would be. */
#include "config_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int wasmcri_config_main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "default") != 0) {
        fprintf(stderr, "usage: wasmcri config default\n");
        return 2;
    }
    wc_config cfg;
    char *json = wc_config_init(&cfg) == 0 ? wc_config_to_json(&cfg) : NULL;
    wc_config_free(&cfg);
    if (!json) {
        fprintf(stderr, "wasmcri config: out of memory\n");
        return 1;
    }
    printf("%s\n", json);
    free(json);
    return 0;
}
