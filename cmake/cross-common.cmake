# Shared part of the cross toolchain files (cross-arm64.cmake, cross-armhf.cmake): Debian's cross
# gcc on the host, compiling against the ARCH libraries of the cross-build root that
# hack/cross-root.sh makes (--sysroot), pkg-config reading only that root's .pc files, and the
# host's own programs (protoc-c, clang for wasm32-wasi, wast2json, python3) for build-time tools.
# The root is $WASMCRI_CROSS_ROOT, else /work/chroots/bookworm-amd64-ARCH; it is / for the
# engine-only build (WASMCRI_ENGINE_ONLY), whose few ARCH libraries are multiarch packages on the
# host (hack/cross-host.sh) and whose C library is Debian's libc6-dev-ARCH-cross.
set(CMAKE_SYSTEM_NAME Linux)
if(DEFINED ENV{WASMCRI_CROSS_ROOT})
  set(WASMCRI_CROSS_ROOT $ENV{WASMCRI_CROSS_ROOT})
else()
  set(WASMCRI_CROSS_ROOT /work/chroots/bookworm-amd64-${WASMCRI_DEB_ARCH})
endif()
set(CMAKE_SYSROOT ${WASMCRI_CROSS_ROOT})
set(CMAKE_C_COMPILER ${WASMCRI_TRIPLET}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${WASMCRI_TRIPLET})

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(ENV{PKG_CONFIG_SYSROOT_DIR} ${WASMCRI_CROSS_ROOT})
set(ENV{PKG_CONFIG_LIBDIR}
    ${WASMCRI_CROSS_ROOT}/usr/lib/${WASMCRI_TRIPLET}/pkgconfig:${WASMCRI_CROSS_ROOT}/usr/share/pkgconfig)

# Running ARCH programs (ctest's, and those scripts and the daemon start) needs qemu-user through
# binfmt_misc and ROOT as its library prefix (/etc/qemu-binfmt/QEMU_ARCH): hack/cross.sh sets both
# up. No CMAKE_CROSSCOMPILING_EMULATOR: CMake would put it before imported host programs too
# (python3 of the WASI tests).
