# Pipelines and lists: status, stderr piping, subshell semantics of the stages.

### pipe_two_stages
echo hello | tr a-z A-Z

### pipe_many_stages
printf '3\n1\n2\n' | sort | head -n 2 | tail -n 1

### pipe_status_is_last
false | true
echo $?
true | false
echo $?

### pipe_stderr_amp
{ echo out; echo err >&2; } |& sort

### pipe_builtin_stage_is_subshell
x=1
echo 2 | read x
echo $x

### pipe_lastpipe
shopt -s lastpipe
echo 2 | read x
echo $x

### pipe_into_group
printf 'a\nb\n' | { read first; read second; echo "$second $first"; }

### pipe_function_both_ends
gen() { echo one; echo two; }
count() { wc -l; }
gen | count

### pipe_early_exit_reader
yes | head -n 2

### pipe_sigpipe_status
yes | head -n 1 > /dev/null
echo "${PIPESTATUS[@]}"

### list_semicolons_and_newlines
echo a; echo b
echo c

### list_and_or_precedence
false && echo no || echo yes && echo also

### list_background_then_foreground
echo fg-first
{ echo bg; } > out &
wait
cat out

### pipe_with_redirect_in_middle
echo data | cat > f | cat
cat f

### pipe_negated_status
! echo x | false
echo $?

### pipe_exit_in_stage
echo a | { exit 3; }
echo "status $?"
echo survived

### pipe_each_external_status
sh -c 'exit 3' | sh -c 'exit 4' | sh -c 'exit 5'
echo "${PIPESTATUS[@]}"
/bin/true | /bin/false | /bin/true
echo "${PIPESTATUS[@]} $?"
set -o pipefail
trap 'echo "err $? [${PIPESTATUS[@]}]"' ERR
echo E | grep zzz | cat
echo "after $?"

### pipe_member_writes_through_names
unset x; declare -n r=x
echo ${r=new} | cat
echo "${x-unset} ${r-unset}"
a=(1 2); declare -A m=([k]=v)
echo $((a[1]+=5)) $((m[j]=3)) ${m[k]} | cat
echo "${a[@]} ${#m[@]}"
cat {fd}</dev/null | cat
echo "${fd-unset}"
export E=1
/bin/true $((E=2)) | cat
printenv E

### pipe_member_write_under_an_unset_local
f() { local x; unset x; g; echo "f:${x-unset}"; }
g() { echo ${x=1} | cat; /bin/echo ${x=2} | cat; echo "g:${x-unset}"; }
x=glob; f; echo "$x"

### pipe_member_expansion_in_child
${cmd=echo} hi | wc -l
echo "cmd=$cmd"
echo ${x=1} $x | cat
echo "x=$x"
f() { echo "f sees $y"; }
f ${y=2} | cat
echo "y=$y"
i=0
echo $((i++)) | cat
echo "i=$i"
shopt -s lastpipe
echo a | echo ${z=3}
echo "z=$z"

### procsub_output_before_exit
# divergence: bash leaves a process substitution running when it exits (this harness then kills it, so bash's output is racy); corral ends its jobs at exit (DESIGN.md) and first gives process substitutions the exit grace to finish
#@ expect-stdout: 3\n2\n1\n
seq 3 > >(sleep 0.2; tac)

### procsub_group_output_before_exit
# divergence: as procsub_output_before_exit
#@ expect-stdout: c\nb\na\n
{ echo a; echo b; echo c; } > >(tac)

### time_pipeline_report
TIMEFORMAT='took %0R s (%%)'
time true | cat
{ time { true; false; } ; } 2> t
echo "status $?"
sed 's/^/t: /' t
TIMEFORMAT=
time true
time ! true
echo "bang $?"

### temporary_path_in_pipeline_member
PATH=/nonexistent ls | cat
echo "${PIPESTATUS[*]}"
PATH=/nonexistent ls 2>/dev/null | cat
echo "${PIPESTATUS[*]}"
cat </dev/null | PATH=/nonexistent ls
echo "${PIPESTATUS[*]}"
PATH=/usr/bin:/bin ls /dev/null | cat
echo "${PIPESTATUS[*]}"

### member_that_cannot_exec_fails_alone
# A directory, a file without x, a script without `#!` in a pipeline.
mkdir d; echo 'echo plain script' > s; chmod +x s; echo 'echo x' > nox
./d | cat; echo "dir ${PIPESTATUS[*]}"
./nox | cat; echo "nox ${PIPESTATUS[*]}"
./s | tr a-z A-Z; echo "noshebang ${PIPESTATUS[*]}"

### member_found_on_its_own_path
mkdir bin; printf '#!/bin/sh\necho "hi $1"\n' > bin/sb; chmod +x bin/sb
PATH=$PWD/bin:$PATH sb a | cat
PATH=$PWD/bin:$PATH sb b | tr a-z A-Z; echo "${PIPESTATUS[*]}"
