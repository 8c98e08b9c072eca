#!/usr/bin/env bash
# stress.sh [RUNS] [CARGO_TEST_ARGS...]
#
# Runs `cargo test --workspace` RUNS times (default 10) while busy loops
# keep the cores loaded (two by default; STRESS_BUSY=N for another number),
# to show the tests wait on conditions and not on luck. Stops at the first
# failing run and prints its number, the failing tests and the log; ends
# with a one-line summary:
#
#   stress: 10/10 runs passed under 2 busy loops
#
# Arguments after RUNS replace `--workspace`, to stress a part only, e.g.
#   scripts/stress.sh 20 -p corral-vfs --test jobfs
#   scripts/stress.sh 20 --test tests -- interactive::
#
# The tests are built once before the load starts. The busy loops are
# killed on exit, on Ctrl-C and on TERM. Logs go to a temp dir (or
# STRESS_LOG_DIR), kept when a run fails. Exit status: 0 when every run
# passed, 1 on a failing run, 2 on bad usage or a failed build.
set -u

usage() { echo "usage: $0 [RUNS] [CARGO_TEST_ARGS...]" >&2; exit 2; }
runs=10
if [ $# -ge 1 ]; then
    case $1 in
        '' | *[!0-9]*) usage ;;
        *) runs=$1; shift ;;
    esac
fi
[ "$runs" -ge 1 ] || usage
busy=${STRESS_BUSY:-2}
case $busy in '' | *[!0-9]*) usage ;; esac
if [ $# -eq 0 ]; then
    args=(--workspace)
    what=""
else
    args=("$@")
    what=" of 'cargo test $*'"
fi

cd "$(dirname "$0")/.." || exit 2
logs=${STRESS_LOG_DIR:-$(mktemp -d /tmp/corral-stress.XXXXXX)}
mkdir -p "$logs" || exit 2

loops=()
stop_loops() {
    local pid
    for pid in "${loops[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    loops=()
}
trap stop_loops EXIT
trap 'stop_loops; echo "stress: interrupted; logs in $logs" >&2; exit 130' INT
trap 'stop_loops; echo "stress: terminated; logs in $logs" >&2; exit 143' TERM

echo "stress: building the tests (no load yet)..." >&2
if ! cargo test --no-run "${args[@]}" > "$logs/build.log" 2>&1; then
    tail -n 30 "$logs/build.log" >&2
    echo "stress: build failed; log: $logs/build.log" >&2
    exit 2
fi

for ((i = 0; i < busy; i++)); do
    ( while :; do :; done ) &
    loops+=($!)
done
echo "stress: $busy busy loops (pids ${loops[*]}), $runs runs$what, logs in $logs" >&2

passed=0
for ((run = 1; run <= runs; run++)); do
    log=$logs/run-$run.log
    start=$SECONDS
    # Default dispositions for the job-control signals, as in a terminal or
    # CI: a script started in the background inherits INT and QUIT ignored,
    # which would send every spawn down the kernel's fork path.
    if env --default-signal=INT,QUIT,TSTP,TTIN,TTOU cargo test "${args[@]}" > "$log" 2>&1; then
        passed=$((passed + 1))
        echo "stress: run $run/$runs passed ($((SECONDS - start)) s)" >&2
        continue
    fi
    echo "stress: run $run/$runs FAILED ($((SECONDS - start)) s); log: $log" >&2
    failed=$(grep -E '^test .* \.\.\. FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/' | sort -u)
    if [ -n "$failed" ]; then
        echo "failing tests:" >&2
        printf '  %s\n' $failed >&2
        grep -E '^error: test failed' "$log" | sed 's/^/  /' >&2
    else
        echo "no failing test named; the end of the log:" >&2
        tail -n 30 "$log" >&2
    fi
    break
done

stop_loops
echo "stress: $passed/$runs runs$what passed under $busy busy loops"
if [ "$passed" -eq "$runs" ]; then
    [ -n "${STRESS_LOG_DIR:-}" ] || rm -rf "$logs"
    exit 0
fi
exit 1
