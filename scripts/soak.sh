#!/usr/bin/env bash
# soak.sh DURATION_SECONDS [RSS_LIMIT_KB]
#
# Soak test of the corral binary (not run in CI). Until DURATION_SECONDS
# have passed, runs batches: one `corral SCRIPT` process per batch, each
# running ROUNDS rounds of spawning, flooding, stopping, continuing and
# killing jobs, following and reading /v/jobs, and leaving processes
# behind in finished jobs' groups. At the end of every round the script
# waits on a gate (a `sleep` job this driver kills) so the driver can look
# at the machine while corral is paused at a known point:
#
#   zombies  children of corral in state Z (everything of the round has been
#            waited for, so any is a leak), still there after 2 s;
#   strays   live processes in the process group of any job of the round
#            (every job was waited for or killed, leftovers included);
#   orphans  the strays whose parent is init (a group member that lost its
#            parent and outlived its job);
#   statuses /v/jobs status of the stopped-then-killed job, the TERM-ignorer
#            killed with KILL, and a builtin job: killed:143 killed:137 done:0;
#   rss      corral's VmRSS and VmHWM.
#
# After each batch corral exits; no process of any group of the batch may
# outlive it (checked for up to 5 s: exit terminates with a 1 s grace).
# Prints a summary and exits 1 on any finding, a hang, a failed exit, or a
# peak RSS above RSS_LIMIT_KB (default 200000).
#
# Environment: ROUNDS (rounds per corral process, default 20),
# SOAK_DIR (work directory, default a new temp dir; kept on failure),
# FOREGROUND_LEFTOVERS=1 (each round also runs a foreground job that leaves
# two sleeps in its group; they must not outlive corral. Off by default:
# known bug, corral -c forgets such groups, see tests/reliability.rs
# foreground_job_leftovers_do_not_outlive_corral).
set -u

usage() { echo "usage: $0 DURATION_SECONDS [RSS_LIMIT_KB]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
duration=$1
rss_limit=${2:-200000}
case $duration$rss_limit in *[!0-9]*) usage ;; esac
rounds_per_batch=${ROUNDS:-20}

root=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$root/fixtures
echo "building corral (release)..." >&2
(cd "$root" && cargo build --release --quiet) || { echo "soak: build failed" >&2; exit 2; }
bin=${CARGO_TARGET_DIR:-$root/target}/release/corral
[ -x "$bin" ] || { echo "soak: no binary at $bin" >&2; exit 2; }
work=${SOAK_DIR:-$(mktemp -d /tmp/corral-soak.XXXXXX)}
mkdir -p "$work"
tag=soak-$$-$RANDOM
export CORRAL_SOAK_TAG=$tag
time_bin=
if [ -x /usr/bin/time ]; then time_bin=/usr/bin/time; fi

# Counters.
batches=0 rounds=0 jobs_run=0 peak_rss=0 peak_hwm=0
zombies=0 strays=0 orphans=0 hangs=0 bad_status=0 bad_exit=0 exit_strays=0
first_rss_late=0 last_rss_late=0
findings=()

note() { findings+=("$*"); echo "FINDING: $*" >&2; }

# "pid state ppid pgrp" for every process.
proc_table() {
    local f line rest pid
    for f in /proc/[0-9]*/stat; do
        { read -r line < "$f"; } 2>/dev/null || continue
        pid=${line%% *}
        rest=${line##*) }
        # shellcheck disable=SC2086
        set -- $rest
        echo "$pid $1 $2 $3"
    done
}

# zombie_children PID: pids of PID's zombie children.
zombie_children() {
    proc_table | awk -v p="$1" '$2 == "Z" && $3 == p { print $1 }'
}

# live_in_groups FILE: "pid ppid pgrp" of live processes whose group is
# listed (one pgid per line) in FILE and that carry this soak's tag in
# their environment (so a recycled pid is never taken for a stray).
live_in_groups() {
    local pid ppid pgrp
    proc_table | awk 'NR == FNR { g[$1] = 1; next } ($4 in g) && $2 != "Z" && $2 != "X" { print $1, $3, $4 }' "$1" - |
        while read -r pid ppid pgrp; do
            if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "CORRAL_SOAK_TAG=$tag"; then
                echo "$pid $ppid $pgrp"
            fi
        done
}

# wait_gone FILE SECONDS: waits until no live process is in the groups of
# FILE; prints what is left after SECONDS.
wait_gone() {
    local end=$((SECONDS + $2)) left
    while :; do
        left=$(live_in_groups "$1")
        if [ -z "$left" ] || [ $SECONDS -ge $end ]; then
            printf '%s' "$left"
            return
        fi
        sleep 0.05
    done
}

kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status" 2>/dev/null; }

# The script of one batch, to stdout. Job ids are counted here: every `&`
# makes the next one.
make_script() {
    local b=$1 id=0 r
    for ((r = 1; r <= rounds_per_batch; r++)); do
        local d="$work/b$b.r$r"
        local short=$((id + 1)) fails=$((id + 2)) zeros=$((id + 3)) flood=$((id + 4))
        local stopped=$((id + 5)) leaver=$((id + 6)) ignorer=$((id + 7)) builtin=$((id + 8))
        local group=$((id + 9)) printer=$((id + 10)) gate=$((id + 11))
        id=$gate
        cat <<EOF
sleep 0.$((r % 5 + 1)) &
sh -c 'exit 3' &
head -c 5000000 /dev/zero &
sh $fixtures/flood.sh 20000000 &
sleep 1000 &
sh $fixtures/spawn_many.sh 5 &
sh $fixtures/term_ignorer.sh &
echo builtin-$r &
( echo grouped; sh -c 'echo inner' ) &
sh $fixtures/slow_printer.sh 3 0.05 &
cat /v/jobs/$short/pid /v/jobs/$fails/pid /v/jobs/$zeros/pid /v/jobs/$flood/pid /v/jobs/$stopped/pid /v/jobs/$leaver/pid /v/jobs/$ignorer/pid /v/jobs/$printer/pid > $d.pids
kill -STOP %$stopped; kill -CONT %$stopped; kill -STOP %$stopped
nosuchcommand-soak 2> /dev/null; cat /v/jobs/999999/status 2> /dev/null; cd /no/such/dir 2> /dev/null
tail -f --pid="\$(cat /v/jobs/$printer/pid)" /v/jobs/$printer/stdout | head -c 5 > /dev/null
cat /v/jobs/$zeros/stdout | head -c 10 > /dev/null
tail -f --pid="\$(cat /v/jobs/$leaver/pid)" /v/jobs/$leaver/stdout > /dev/null
kill %$leaver
kill %$stopped
kill -KILL %$ignorer
wait
tail -n 1 /v/jobs/$flood/stdout > /dev/null; cat /v/jobs/$group/stdout > /dev/null
jobs > /dev/null; jobs -l > /dev/null; ls /v/jobs > /dev/null; cat /v/jobs/$flood/info > /dev/null
cat /v/jobs/$stopped/status /v/jobs/$ignorer/status /v/jobs/$builtin/status > $d.status
EOF
        if [ "${FOREGROUND_LEFTOVERS:-0}" = 1 ]; then
            echo "sh $fixtures/spawn_many.sh 2 > $d.fg 2> /dev/null"
        fi
        echo "sleep 1000 & echo \$! > $d.gate; wait %$gate"
    done
    echo "echo end of batch $b"
}

start=$SECONDS
status_want=$'killed:143\nkilled:137\ndone:0'
echo "soak: ${duration}s, $rounds_per_batch rounds per corral process, RSS limit ${rss_limit} kB, work dir $work" >&2
while [ $((SECONDS - start)) -lt "$duration" ]; do
    batches=$((batches + 1))
    b=$batches
    script=$work/b$b.corral
    make_script "$b" > "$script"
    : > "$work/b$b.allpids"
    if [ -n "$time_bin" ]; then
        "$time_bin" -v -o "$work/b$b.time" "$bin" "$script" > "$work/b$b.out" 2> "$work/b$b.err" &
        runner=$!
        corral_pid=
        for _ in $(seq 200); do
            corral_pid=$(cat "/proc/$runner/task/$runner/children" 2>/dev/null | awk '{ print $1 }')
            [ -n "$corral_pid" ] && break
            sleep 0.01
        done
    else
        "$bin" "$script" > "$work/b$b.out" 2> "$work/b$b.err" &
        runner=$!
        corral_pid=$runner
    fi
    for ((r = 1; r <= rounds_per_batch; r++)); do
        d=$work/b$b.r$r
        end=$((SECONDS + 60))
        while [ ! -s "$d.gate" ] && kill -0 "$runner" 2>/dev/null && [ $SECONDS -lt $end ]; do
            sleep 0.02
        done
        if [ ! -s "$d.gate" ]; then
            hangs=$((hangs + 1))
            note "batch $b round $r: no gate (corral $(kill -0 "$runner" 2>/dev/null && echo hung || echo exited)); stderr: $(tail -c 300 "$work/b$b.err")"
            break
        fi
        rounds=$((rounds + 1))
        jobs_run=$((jobs_run + 11))
        # Member pids, first of each job is its process group: keep all.
        awk 'NF' "$d.pids" > "$d.groups"
        cat "$d.groups" >> "$work/b$b.allpids"
        # The round's foreground leftovers (FOREGROUND_LEFTOVERS=1): judged at exit only.
        if [ -s "$d.fg" ]; then
            while read -r pid; do
                awk '{ sub(/.*\) /, ""); print $3 }' "/proc/$pid/stat" 2>/dev/null
            done < "$d.fg" >> "$work/b$b.allpids"
        fi
        # Zombies: children of corral in Z, still there 2 s later.
        z=$(zombie_children "$corral_pid")
        if [ -n "$z" ]; then
            sleep 2
            z2=$(zombie_children "$corral_pid")
            z=$(comm -12 <(echo "$z" | sort) <(echo "$z2" | sort))
        fi
        if [ -n "$z" ]; then
            n=$(echo "$z" | wc -l)
            zombies=$((zombies + n))
            note "batch $b round $r: $n zombie children of corral: $(echo $z)"
        fi
        left=$(wait_gone "$d.groups" 2)
        if [ -n "$left" ]; then
            n=$(echo "$left" | wc -l)
            o=$(echo "$left" | awk '$2 == 1' | wc -l)
            strays=$((strays + n))
            orphans=$((orphans + o))
            note "batch $b round $r: $n stray processes ($o orphans) in the round's groups: $(echo "$left" | tr '\n' ';')"
            # Clean up so later rounds are judged on their own.
            echo "$left" | awk '{ print $1 }' | xargs -r kill -KILL 2>/dev/null
        fi
        got=$(cat "$d.status")
        if [ "$got" != "$status_want" ]; then
            bad_status=$((bad_status + 1))
            note "batch $b round $r: statuses $(echo $got), want $(echo $status_want)"
        fi
        rss=$(kb VmRSS "$corral_pid"); hwm=$(kb VmHWM "$corral_pid")
        rss=${rss:-0}; hwm=${hwm:-0}
        [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
        [ "$hwm" -gt "$peak_hwm" ] && peak_hwm=$hwm
        # Growth check: RSS in the last rounds of each batch, once the
        # retention limit (100 records) is full.
        if [ "$r" -eq $((rounds_per_batch / 2)) ] && [ "$first_rss_late" -eq 0 ]; then first_rss_late=$rss; fi
        if [ "$r" -eq "$rounds_per_batch" ]; then last_rss_late=$rss; fi
        kill -KILL "$(cat "$d.gate")" 2>/dev/null
    done
    # corral exits at the end of its script.
    end=$((SECONDS + 30))
    while kill -0 "$runner" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.02; done
    if kill -0 "$runner" 2>/dev/null; then
        hangs=$((hangs + 1))
        note "batch $b: corral did not exit"
        kill -TERM "$corral_pid" 2>/dev/null
        sleep 3
        kill -KILL "$corral_pid" 2>/dev/null
    fi
    wait "$runner"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        bad_exit=$((bad_exit + 1))
        note "batch $b: corral exited $rc; stderr: $(tail -c 300 "$work/b$b.err")"
    fi
    if [ -n "$time_bin" ] && [ -f "$work/b$b.time" ]; then
        t=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/b$b.time")
        [ -n "$t" ] && [ "$t" -gt "$peak_hwm" ] && peak_hwm=$t
    fi
    left=$(wait_gone "$work/b$b.allpids" 5)
    if [ -n "$left" ]; then
        n=$(echo "$left" | wc -l)
        exit_strays=$((exit_strays + n))
        orphans=$((orphans + $(echo "$left" | awk '$2 == 1' | wc -l)))
        note "batch $b: $n processes of its jobs' groups outlived corral: $(echo "$left" | tr '\n' ';')"
        echo "$left" | awk '{ print $1 }' | xargs -r kill -KILL 2>/dev/null
    fi
    echo "soak: batch $b done, $rounds rounds, $((SECONDS - start))s, corral VmRSS $rss kB, peak $peak_hwm kB" >&2
done

elapsed=$((SECONDS - start))
[ "$peak_hwm" -gt "$peak_rss" ] && peak=$peak_hwm || peak=$peak_rss
echo "==== corral soak summary ===="
echo "duration:          ${elapsed}s"
echo "corral processes:  $batches ($rounds_per_batch rounds each)"
echo "rounds:            $rounds"
echo "jobs run:          $jobs_run background jobs (plus $((rounds * 11)) foreground commands)"
echo "peak RSS:          $peak kB (limit $rss_limit kB)"
echo "RSS mid/end batch: $first_rss_late kB / $last_rss_late kB (first batch mid, last batch end)"
echo "zombies:           $zombies"
echo "orphans:           $orphans"
echo "stray processes:   $strays in rounds, $exit_strays after exit"
echo "wrong statuses:    $bad_status"
echo "hangs:             $hangs"
echo "failed exits:      $bad_exit"
echo "work dir:          $work"
fail=0
[ ${#findings[@]} -eq 0 ] || fail=1
[ "$peak" -le "$rss_limit" ] || { echo "peak RSS $peak kB over the limit $rss_limit kB"; fail=1; }
if [ $fail -eq 0 ]; then
    echo "result:            PASS"
    [ -n "${SOAK_DIR:-}" ] || rm -rf "$work"
else
    echo "result:            FAIL"
    printf '  %s\n' "${findings[@]}"
fi
exit $fail
