# source, eval, exec, trap, type, command, alias, set, getopts, umask, declare, readonly…

### source_file
echo 'x=from-sourced; echo "in sourced $1"' > lib.sh
source ./lib.sh arg
echo $x

### dot_file
echo 'y=dotted' > lib.sh
. ./lib.sh
echo $y

### source_return
printf 'echo a\nreturn 3\necho b\n' > lib.sh
. ./lib.sh
echo "status $?"

### source_missing
. ./nosuch.sh
echo "status $?"

### source_keeps_positional
#@ args: p1
echo 'echo "sourced sees $1"' > lib.sh
. ./lib.sh

### eval_simple
eval 'echo evaluated'

### eval_builds_command
cmd=echo
arg='"a  b"'
eval "$cmd $arg"

### eval_assigns
eval "v=42"
echo $v

### eval_status
eval false
echo $?
eval
echo $?

### eval_syntax_error
eval 'if then'
echo "status $?"

### exec_replaces_shell
exec echo replaced
echo never

### exec_status_of_missing
exec nosuch_difftest_cmd
echo never

### exec_no_command_keeps_shell
exec 3>f
echo still-here

### colon_true_false
:
echo $?
true
echo $?
false
echo $?

### colon_expands_args
: ${x:=assigned}
echo $x

### trap_exit
trap 'echo bye' EXIT
echo main

### trap_exit_on_exit_status
trap 'echo "exiting with $?"' EXIT
exit 4

### trap_exit_in_subshell
( trap 'echo sub-exit' EXIT; echo in-sub )
echo after

### trap_term_self
trap 'echo got-term' TERM
kill -TERM $$
echo continued

### trap_int_self
trap 'echo got-int; exit 5' INT
kill -INT $$
echo never

### trap_err
trap 'echo "err at $LINENO"' ERR
false
true
echo done

### trap_list
trap 'echo x' EXIT
trap 'echo y' TERM
trap

### trap_reset
trap 'echo x' TERM
trap - TERM
trap
echo empty

### trap_ignore
trap '' TERM
kill -TERM $$
echo survived

### trap_invalid_signal
trap 'echo x' NOSUCHSIG
echo "status $?"

### trap_numeric_signal
trap 'echo hup' 1
kill -HUP $$
echo after

### trap_reset_restores_default
trap 'echo x' TERM
trap - TERM
kill -TERM $$
echo never

### trap_ignored_inherited_by_children
trap '' TERM
sh -c 'kill -TERM $$; echo child-survived'
echo survived

### trap_subshell_resets_but_keeps_ignored
trap 'echo x' TERM
trap '' USR1
( trap; echo --; trap 'echo y' HUP; trap )
x=$(trap); echo "$x"
( kill -USR1 $$; echo usr1-still-ignored )

### trap_exit_on_self_term_sees_status
trap 'echo "bye $?"' EXIT
false
kill -TERM $$
echo never

### trap_exit_on_self_usr1
trap 'echo bye' EXIT
kill -USR1 $$
echo never

### trap_one_action_many_signals
trap 'echo got' USR1 USR2 HUP
kill -USR1 $$; kill -USR2 $$; kill -HUP $$
trap -p USR2
echo end

### trap_self_signal_in_function_and_loop
trap 'echo got-term' TERM
trap 'echo got-usr1 $i' USR1
f() { kill -TERM $$; echo in-f; }
f
for i in 1 2; do kill -USR1 $$; done
echo end

### trap_err_with_set_e
set -e
trap 'echo "err $?"' ERR
false
echo never

### trap_err_not_inherited
trap 'echo err' ERR
( false ); echo "st=$?"
f() { false; echo in-f; }
f
( trap 'echo sub-err' ERR; false; echo sub-after )

### trap_err_set_in_function
trap 'echo err $LINENO' ERR
f() { trap 'echo in-f-err' ERR; false; echo x; }
f
false
g() { return 3; }
g

### trap_exit_subshell_set_e
set -e
( trap 'echo sub-exit' EXIT; false; echo never )
echo never2

### trap_exit_set_e_status
set -e
trap 'echo "exit $?"' EXIT
false
echo never

### trap_exit_inside_trap_exit
trap 'echo in-exit; exit 7' EXIT
exit 2

### type_builtin_and_file
type echo cd
type -t echo ls
type -t if

### type_not_found
type nosuch_difftest_cmd
echo "status $?"

### type_path
type -p cat | grep -c /cat

### command_v
command -v echo
command -v cat
command -v nosuch_difftest_cmd
echo "status $?"

### command_V
command -V echo
command -V nosuch_difftest_cmd
echo "status $?"

### command_bypasses_function
echo() { builtin echo "function"; }
echo direct
command echo via-command

### builtin_keyword
builtin echo via-builtin
builtin nosuch
echo "status $?"

### alias_in_script_expanded
shopt -s expand_aliases
alias hi='echo hello'
hi

### alias_list
alias ll='ls -l'
alias ll
alias

### unalias
shopt -s expand_aliases
alias a1='echo one'
unalias a1
alias a1
echo "status $?"

### alias_not_expanded_by_default
alias hi='echo hello'
hi
echo "status $?"

### set_lists_var
myvar_difftest=abc
set | grep '^myvar_difftest='

### set_o_listing
set -o | grep -E '^(errexit|noclobber|pipefail) '

### set_plus_o
set -e
set +o | grep errexit

### set_invalid_option
set -o nosuchopt
echo "status $?"

### getopts_basic
#@ args: -a -b val rest
while getopts ab: opt; do
  echo "opt=$opt arg=${OPTARG-none}"
done
shift $((OPTIND - 1))
echo "rest: $*"

### getopts_invalid_option
#@ args: -x
getopts ab opt
echo "opt=$opt status=$?"

### getopts_silent
#@ args: -x -b
while getopts :ab: opt; do echo "opt=$opt OPTARG=$OPTARG"; done

### getopts_combined_flags
#@ args: -abc
while getopts abc o; do echo $o; done
echo $OPTIND

### getopts_explicit_args
while getopts f: o -f file -- x; do echo "$o=$OPTARG"; done
echo $OPTIND

### umask_print_set
umask 022
umask
umask -S
umask 077
touch f
ls -l f | cut -c1-10

### declare_integer
declare -i n=3+4
echo $n
n+=1
echo $n

### declare_readonly
declare -r c=1
c=2
echo "status $? c=$c"

### declare_export
declare -x EXPORTED=yes
sh -c 'echo $EXPORTED'

### declare_print
declare x=val
declare -p x

### typeset_alias
typeset t=1
declare -p t

### readonly_var
readonly r=1
r=2
echo "after $r"

### readonly_unset
readonly r=1
unset r
echo "status $? r=$r"

### readonly_list
readonly ro_difftest=5
readonly -p | grep ro_difftest

### export_to_child
export E=exp
N=notexp
sh -c 'echo "[$E] [$N]"'

### export_n
export E=1
export -n E
sh -c 'echo "[$E]"'

### env_prefix_assignment
X=tmp sh -c 'echo $X'
echo "[$X]"

### unset_var
x=1
unset x
echo "[${x-unset}]"

### cd_and_pwd
mkdir -p a/b
cd a/b
pwd | sed 's|.*/\(a/b\)$|\1|'
cd ..
basename "$PWD"

### cd_oldpwd
mkdir d
cd d
cd - > /dev/null
[ "$PWD" = "$HOME" ] && echo back

### cd_home
mkdir sub
cd sub
cd
[ "$PWD" = "$HOME" ] && echo home

### pwd_after_cd_symlink
mkdir real
ln -s real link
cd link
basename "$(pwd)"
basename "$(pwd -P)"

### hash_r
hash -r
echo "status $?"

### times_shape
times | wc -l

### let_and_arith_errors
let 'x = 1 +'
echo "status $?"

### shopt_print
shopt -s nullglob
shopt nullglob
shopt -p nullglob

### wait_no_jobs
wait
echo "status $?"

### exit_status_range
exit 300

### exit_no_arg_last_status
false
exit

### exit_bad_arg
exit abc

### ulimit_set_and_show
ulimit -S -t 1000
ulimit -t
ulimit -H -t
ulimit -f -n 99999999 2>/dev/null; echo status=$?
ulimit -f zz; echo status=$?
ulimit -f -42; echo status=$?
ulimit -f 1 2 >/dev/null; echo status=$?
ulimit -a | grep -c ' (-\| ('

### exec_double_dash
exec -- 2>&1
exec -- echo hi

### local_and_declare_do_not_split
x='a b  c'
f() { local m=$1 n=$x; echo "[$m] [$n]"; }
f 'no flag'
declare d=$x
export e=$x
echo "[$d] [$e]"

### echo_e_escapes
echo -e 'a\x41\0101\fz' | od -An -tx1
echo -en '\03777' | od -An -tx1
echo -e 'x\x6' | od -An -c
echo -e '\1 \8 \q'

### mapfile_options
printf '%s\n' a b c d | { mapfile; echo "${#MAPFILE[@]} [${MAPFILE[0]}]"; }
printf '%s\n' a b c d | { mapfile -t -s 1 -n 2 arr; declare -p arr; }
printf 'x,y,' | { readarray -d , -t r; declare -p r; }
printf '1\n2\n' | { a=(z z z); mapfile -t -O 1 a; declare -p a; }

### pushd_popd_dirs
cd /
pushd /tmp
pushd /usr >/dev/null
dirs
dirs -v
popd
popd
popd; echo status=$?
pushd -z; echo status=$?

### dirs_indexes_and_bad_words
cd /tmp
pushd / >/dev/null
pushd /usr >/dev/null
dirs +1; dirs -0; dirs -v -2; dirs -v +1
dirs +3; echo "dirs $?"
dirs -3; echo "dirs $?"
dirs -lv; echo "dirs $?"
dirs x; echo "dirs $?"
dirs +x; echo "dirs $?"
popd x; echo "popd $?"
popd -Z; echo "popd $?"
pushd -Z; echo "pushd $?"
popd >/dev/null; popd >/dev/null
dirs +1; echo "dirs $?"

### fc_edit_on_empty_history_does_nothing
fc -e true; echo "fc $?"
fc; echo "fc $?"
fc -e true 3 4; echo "fc $?"
fc -e -; echo "fc $?"
fc -s x=y; echo "fc $?"

### history_c_ignores_count_and_d
history -s one
history -c -; echo "history $?"
history -c x y; echo "history $?"
history -c -d 5; echo "history $?"
history -c -s two three
history
history -c -p 'kept'; echo "history $?"
history x; echo "history $?"

### pushd_takes_one_directory
pushd . . >/dev/null; echo "pushd $?"
dirs

### alias_with_array_argument
# bash assigns the array and passes alias the name alone.
alias z=(ls -l) y=1; echo "st=$?"
declare -p z
alias
alias "w=(1)"; alias w
alias v+=(1 "2 3"); declare -p v

### command_runs_script_without_shebang
# An executable without `#!` run through command (and -p) is a shell script (bash).
echo 'echo "plain $# $1"' > s; chmod +x s
command ./s a; echo "st=$?"
command -p ./s b; echo "st=$?"
PATH=$PWD:$PATH command s c
x=$(command -p ./s d); echo "[$x]"

### hashed_program_runs_until_hash_r
# bash runs the file it found first for a name, even when another comes first on PATH later or it is gone.
PATH="one:two:$PATH"
mkdir -p one two
printf '#!/bin/sh\necho two\n' > two/sb; echo 'echo two' > two/nosb
chmod +x two/sb two/nosb
sb; nosb
printf '#!/bin/sh\necho one\n' > one/sb; echo 'echo one' > one/nosb
chmod +x one/sb one/nosb
sb; nosb
hash -r
sb; nosb
rm one/sb one/nosb
sb; echo "st=$?"
nosb | cat; echo "${PIPESTATUS[*]}"
