/* The names of the server-streaming rpcs of api.proto (`returns (stream ...)`),
 * generated at configure time by api/CMakeLists.txt into api_streams.c. */
#ifndef WASMCRI_API_STREAMS_H
#define WASMCRI_API_STREAMS_H

/* NULL-terminated. */
extern const char *const cri_api_server_streaming_rpcs[];

#endif
