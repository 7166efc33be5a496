# tests/cli_lib.sh - the common start of the headless shell tests (sourced by test_cli.sh,
# test_headless.sh, test_valgrind.sh; run on its own it does nothing).
#
#   cli_init NAME     the paths ($SHARED, $BIN, $STORIES, $TOK512, $D64), OPENBLAS_NUM_THREADS=1,
#                     pass/fail/skip printing "PASS: NAME: ..." (check.h's convention), failed=0
#   cli_require       SKIP the whole script (exit 0) without the binary or the test models
#   cli_tmp           a mktemp -d folder $tmp removed on exit, a private copy of the binary in
#                     it (a rebuild during the run must not turn into "Permission denied"), and
#                     an empty data directory so that no fetched model is picked up by accident

cli_init() {
    CLI_NAME=$1
    : "${SHARED:=$(cd .. && pwd)/shared}"
    BIN=${SW_BIN:-$PWD/build/shapewalk}
    STORIES=$SHARED/models/stories260K/stories260K.bin
    TOK512=$SHARED/models/stories260K/tok512.bin
    D64=$SHARED/models/gpt2-test-d64
    export OPENBLAS_NUM_THREADS=1
    unset NO_COLOR SHAPEWALK_MODEL_PATH
    failed=0
}
pass() { echo "PASS: $CLI_NAME: $1"; }
fail() { echo "FAIL: $CLI_NAME: $1: $2"; failed=1; }
skip() { echo "SKIP: $CLI_NAME: $1: $2"; }

cli_require() {
    if [ ! -x "$BIN" ]; then skip "all" "no binary at $BIN (run make)"; exit 0; fi
    if [ ! -f "$STORIES" ] || [ ! -f "$D64/model.safetensors" ]; then
        skip "all" "test models not found under $SHARED/models"; exit 0
    fi
}

cli_tmp() {
    tmp=$(mktemp -d) || exit 2
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT TERM
    cp "$BIN" "$tmp/shapewalk" && BIN=$tmp/shapewalk
    export SHAPEWALK_DATA="$tmp/data"
    mkdir -p "$tmp/data"
}
