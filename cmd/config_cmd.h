/* `wasmcri config default`: prints the complete default configuration file. */
#ifndef WASMCRI_CMD_CONFIG_CMD_H
#define WASMCRI_CMD_CONFIG_CMD_H

/* argv[0] is "config". Returns the process exit status. */
int wasmcri_config_main(int argc, char **argv);

#endif
