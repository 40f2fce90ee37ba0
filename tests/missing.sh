# Sourced by the tests' shell scripts: `missing "what is missing"` skips the test (exit 77, which
# ctest reports as skipped), except in CI (CI=true), where a missing part fails it.
missing() {
    if [ "${CI:-}" = true ]; then
        echo "FAIL (CI=true, no test may be skipped): $1"
        exit 1
    fi
    echo "SKIP: $1"
    exit 77
}
