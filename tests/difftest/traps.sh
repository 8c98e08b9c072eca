# DEBUG, ERR and RETURN traps; set -E / -T; $LINENO and $BASH_COMMAND in traps.

### debug_before_simple_commands
trap 'echo "D $LINENO $BASH_COMMAND"' DEBUG
x=1
echo "a $x" > /dev/null
(( x++ ))
[[ $x = 2 ]]
echo done

### debug_for_case_arith_for
trap 'echo "D $LINENO $BASH_COMMAND"' DEBUG
for i in 1 2; do :; done
case $i in 2) : ;; esac
for ((j=0; j<2; j++)); do :; done

### debug_keeps_status
trap 'false' DEBUG
true
echo "status $?"
false
echo "status $?"

### debug_exit_in_trap
trap 'echo in-trap; exit 7' DEBUG
echo never

### debug_errexit_in_trap
set -e
f() { return 3; }
trap 'f' DEBUG
echo never

### debug_pipeline_members_in_parent
trap 'echo "D $BASH_COMMAND"' DEBUG
echo a | cat | cat
{ echo b; echo c; } | cat

### debug_not_in_functions_subshells_cmdsub
trap 'echo "D $BASH_COMMAND"' DEBUG
f() { echo in-f; }
f
( echo sub )
x=$(echo cs)
echo "$x"

### debug_functrace
set -T
trap 'echo "D $BASH_COMMAND ${FUNCNAME:-top}"' DEBUG
f() { echo in-f; }
f
( echo sub )

### debug_multiline_trap_lineno
trap 'echo "L $LINENO"
echo "M $LINENO"' DEBUG


echo x

### debug_inside_err_and_signal_traps
trap 'false; echo $LINENO err' ERR
trap 'false; echo $LINENO debug' DEBUG
false
echo after=$?

### debug_extdebug_skips
shopt -s extdebug
trap '[[ $BASH_COMMAND != *skip* ]]' DEBUG
echo run
echo skip
echo run2

### return_trap_function_and_source
trap 'echo "R ${FUNCNAME:-none} $LINENO"' RETURN
f() { echo f; }
f
printf 'echo sourced\n' > lib.sh
. ./lib.sh
g() { trap 'echo "R2 $FUNCNAME"' RETURN; echo g; }
g
echo after-g
trap -p RETURN

### return_trap_functrace_and_declare_t
trap 'echo "R $FUNCNAME"' RETURN
f() { :; }
k() { :; }
declare -ft k
f
k
set -T
f

### err_not_for_compound_status
trap 'echo "err $LINENO"' ERR
for y in 1 2; do
  false
done
case x in
  x) false ;;
esac
{ false; }
if false; then :; fi
(( 0 ))
[[ a = b ]]
( exit 2 )
true | false
! true
echo end

### err_errtrace_functions_and_subshells
trap 'echo "err $LINENO ${FUNCNAME:-top} $BASH_SUBSHELL"' ERR
f() {
  false
  true
}
f
set -E
f
( false; true )
false & wait
{ false; true; } & wait

### err_bash_command
trap 'echo "failed: $BASH_COMMAND ($?)"' ERR
ls /nonexistent-dir 2>/dev/null
x=1

### errexit_compound_status_not_checked
set -e
{ ! true; }
for x in 1; do ! true; done
if true; then ! true; fi
echo still
f() { ! true; }
f
echo never

### errexit_compound_redirect_failure
set -e
{ cat; } < /nonexistent-file
echo never

### lineno_in_signal_and_exit_traps


trap 'echo "exit $LINENO"' EXIT
trap 'echo "usr1 $LINENO"' USR1
kill -USR1 $$
echo "main $LINENO"

### lineno_function_defined_earlier
#@ mode: stdin
f() {
  echo "in f $LINENO"
}


f
echo "main $LINENO"

### set_o_errtrace_functrace
set -ET
echo $-
set -o | grep -E 'errtrace|functrace'
set +E
echo $-

### backslash_newline_before_pipe
#@ mode: stdin
echo piped \
  | cat
echo next

### ignored_signals_pass_on_to_children
# INT, QUIT and PIPE of the child's ignored set only (the rest depends on who started the test).
s='v=$(grep SigIgn /proc/$$/status | cut -f2); echo "ign $(( 0x$v & 0x1006 ))"'
trap '' INT
sh -c "$s"
trap - INT
( trap '' QUIT; sh -c "$s" )
trap '' PIPE
sh -c "$s"
trap - PIPE
sh -c "$s"

### async_without_job_control_ignores_int_quit
s='v=$(grep SigIgn /proc/$$/status | cut -f2); echo "ign $(( 0x$v & 0x6 ))"'
sh -c "$s" & wait
{ sh -c "$s"; } & wait
prog=sh
$prog -c 'echo "pid ok: $$"' > out & p=$!
wait $p
grep -c "pid ok: $p" out
sh -c "$s" | cat & wait
f() { sh -c "$s"; }
f & wait
( sh -c "$s" ) & wait

### pipestatus_left_by_compound_commands
case x in y) ;; esac
echo "[${PIPESTATUS[@]}]"
false | true
f() { :; }
echo "[${PIPESTATUS[@]}]"
while false; do :; done
echo "[${PIPESTATUS[@]}]"
{ true | false; }
echo "[${PIPESTATUS[@]}]"
(( 0 ))
echo "[${PIPESTATUS[@]}]"

### lastpipe_runs_last_member_in_shell
shopt -s lastpipe
echo hi | read line
echo "line=$line"
i=0
seq 3 | while read l; do (( i++ )); done
echo "i=$i"
echo x | { read y; cd /; }
echo "$y $PWD"
shopt -u lastpipe
echo z | read z
echo "z=$z"
echo a | exit 3
echo not-reached

### script_reports_foreground_death_by_signal
#@ digits: stderr
sh -c 'kill -QUIT $$'
echo "status $?"
sh -c 'kill -USR1 $$'
sh -c 'kill -TERM $$'
trap 'echo trapped' QUIT
sh -c 'kill -QUIT $$'
echo end
