// Catch2's main() for the wasm unit-test binaries (the native ones link Catch2WithMain).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
