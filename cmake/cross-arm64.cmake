# Toolchain file for arm64 (aarch64) builds from an amd64 host: cmake -DCMAKE_TOOLCHAIN_FILE=cmake/cross-arm64.cmake
# (hack/cross.sh arm64 uses it; the common part is in cross-common.cmake).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(WASMCRI_DEB_ARCH arm64)
set(WASMCRI_TRIPLET aarch64-linux-gnu)
set(WASMCRI_QEMU_ARCH aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
