# Toolchain file for armhf (32-bit ARMv7, hard float) builds from an amd64 host:
# cmake -DCMAKE_TOOLCHAIN_FILE=cmake/cross-armhf.cmake (hack/cross.sh armhf uses it; the common
# part is in cross-common.cmake).
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(WASMCRI_DEB_ARCH armhf)
set(WASMCRI_TRIPLET arm-linux-gnueabihf)
set(WASMCRI_QEMU_ARCH arm)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
