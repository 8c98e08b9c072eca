# type, command, builtin, eval/source flags, xtrace, set/shopt options, invocation

### type_function_shows_plain_header
f () { echo hi; }
function g { echo g; }
type f g
declare -f f

### type_all_lists_every_meaning
mkdir bin && touch bin/pwd && chmod +x bin/pwd
PATH=/bin:bin
pwd () { echo function-too; }
type -a pwd
echo ---
type -af pwd
echo ---
type -ap pwd
echo ---
type -a -P pwd

### type_path_flags
mkdir bin && touch bin/mv && chmod +x bin/mv
PATH=bin:$PATH
mv () { ls; }
type -P mv cd
echo "status $?"
type -p cd
echo "status $?"
type -f mv
type -t mv cd if
type -x
echo "status $?"

### type_relative_path_needs_exec_bit
touch file ex && chmod +x ex
type ./file ./ex
echo "status $?"
command -v ./file
echo "status $?"
command -v ./ex

### command_p_uses_default_path
mkdir bin
printf '#!/bin/sh\necho wrong\n' > bin/tr
chmod +x bin/tr
PATH=$PWD/bin
echo aaa | command -p tr a b
command -p nosuch
echo "status $?"

### builtin_eval_source_double_dash
builtin -- echo hi
builtin
echo "status $?"
eval -- echo evaluated
eval -z
echo "status $?"
echo 'echo sourced' > lib.sh
source -- ./lib.sh

### source_searches_path_first
mkdir dir dir2 && mkdir dir/lib.sh
echo 'echo from-path' > dir2/lib.sh
echo 'echo from-cwd' > lib.sh
PATH=dir:dir2:$PATH . lib.sh
echo "status $?"

### xtrace_ps4_expanded_and_nested
PS4='+[$?] '
set -x
false
eval 'echo in-eval'
x=$(echo sub)
echo '1 2' \' \" \\ "" $'a\001b' "t	ab" '~x' 'x~' '#x'
unset PS4
echo no-prefix

### xtrace_assignments_and_compounds
set -x
x=1 y='a b'
readonly r=3
export e='x y'
a=(1 "2 3")
for i in a "b c"; do :; done
case $x in 1) ;; esac
if [[ -d / && $x == 1 ]]; then (( x = 42 )); fi
for ((j=0; j<1; j++)); do :; done

### xtrace_ps4_command_substitution_not_traced
set -x
PS4='+$(echo T) '
echo foo
x=$(echo y)

### xtrace_to_bash_xtracefd
exec 3>trace.txt
BASH_XTRACEFD=3
set -x
echo traced
set +x
cat trace.txt

### set_dash_and_plus
set -x -v
case $- in *v*x*) echo both-on ;; esac
set - a b c
echo "$@ flags=${-//[^vx]/}"
set +
echo "$#"
set - 
echo "$@"
set + -
echo "$@"

### set_verbose_echoes_input
set -v
x=foo
echo $x
eval 'echo in-eval'
set +v
echo quiet

### shellopts_and_bashopts
echo $SHELLOPTS
set -o xtrace -o pipefail
echo $SHELLOPTS
set +x
shopt -s nullglob
echo $BASHOPTS
(SHELLOPTS=x)
echo "status $?"
test -v BASHOPTS && echo bashopts-set

### emacs_vi_exclusive
shopt -o -p emacs vi
set -o vi
shopt -o -p emacs vi
set -o emacs
shopt -o -p emacs vi
shopt -p >/dev/null
echo "status $?"

### cmdsub_status_of_empty_command
`false`; echo $?
$(exit 42) $(exit 43); echo $?
true $(false); echo $?
if `false`; then echo yes; else echo no; fi

### errexit_not_inherited_by_cmdsub
set -e
echo $(echo one; false; echo two)
s=$(echo three; false; echo four)
echo "$s"
shopt -s inherit_errexit
echo $(echo five; false; echo six)

### errexit_spares_compound_of_exempt_failure
set -e
{ test no = yes && echo hi; }
echo "brace $?"
if true; then false && true; fi
for i in 1; do false || false && true; done
case 1 in 1) false && true ;; esac
echo "still here"
f() { false && true; }
f
echo not-reached

### getopts_optind_start_and_bad_name
echo "OPTIND=$OPTIND"
set -- -c foo -h
getopts 'hc:' opt-
echo "status=$? opt=$opt OPTARG=$OPTARG OPTIND=$OPTIND"

### alias_trailing_blank_expands_next_word
shopt -s expand_aliases
alias hi='echo hello world '
alias punct='!!!'
alias one='ONE '
alias two='TWO '
alias e_='echo one '
hi punct
e_ two hello world
alias echo-x='echo $x '
x=x
echo-x echo-x
alias SEQ='seq ' THREE='3 ' WC='wc '
SEQ THREE | WC -l
alias e2='echo '
e2 one \
  two one \
  two

### alias_to_keywords_and_parens
shopt -s expand_aliases
alias LEFT='{' LP='(' nothing=
LEFT echo one; echo two; }
LP echo three; echo four )
nothing (( v = 1 ))
echo "v=$v"
alias e_='for i in 1 2 3; do echo '
e_ $i; done
alias FOR1='for ' FOR2='FOR1 ' eye1='i ' eye2='eye1 ' IN='in '
FOR2 eye2 IN a b; do echo $i; done

### alias_in_eval_subshell_and_cmdsub
shopt -s expand_aliases
eval "alias sayhi='echo hello'
sayhi inside"
sayhi outside
alias echo_='echo [ '
( echo_ subshell; )
echo $(echo_ commandsub)
f() { echo_ in-function; }
f
case echo_ in echo_) echo_ case-arm ;; esac
[[ echo_ == echo_ ]] && echo_ after-cond

### errexit_compound_redirect_failure
set -e
{ cat; } < not_exist.txt
echo not-reached

### printf_v_element_and_bad_name
a=(a b c)
i=2
printf -v 'a[1]' %s foo
printf -v 'a[i]' %s bar
echo "${a[@]}"
declare -A m
printf -v 'm[k y]' %s v
declare -p m
printf -v 'a[' %s x
echo "status $?"
printf -v 1x %s x
echo "status $?"

### printf_strftime_truncates_at_128
printf "%($(printf '%%Y%.0s' {1..31}))T" 0 | wc -c
printf "%($(printf '%%Y%.0s' {1..32}))T" 0 | wc -c

### posix_mode_special_builtins_before_functions
eval() { echo "function: $1"; }
eval 'echo before'
set -o posix
eval 'echo after'
type -t eval
set -o | grep -w posix

### hash_table_counts_and_forgets
hash
hash ls cat
hash
hash -t ls cat
hash -l
ls >/dev/null; ls >/dev/null
hash
type ls
command -v ls
command -V ls
type -a ls | head -1
hash -d ls; hash -d ls
echo "status $?"
hash -t nope
echo "status $?"
hash -r
hash

### hash_p_pins_a_program
hash -p /bin/echo say
say hi
type say
command -v say

### hash_table_emptied_by_a_new_path
ls >/dev/null
PATH=/bin:/usr/bin
hash

### option_errors_name_the_builtin_and_print_its_usage
for b in shopt type hash mapfile readarray eval cd read ulimit umask command builtin source . trap alias unalias times getopts pwd help; do
  $b -Z
  echo "$b $?"
done
cd -LZ
type -a -tx ls
eval -Zx 'echo no'
echo "end $?"

### options_missing_their_argument
hash -p; echo "hash $?"
read -p; echo "read $?"
mapfile -n; echo "mapfile $?"
read -a; echo "read $?"
mapfile -n x a; echo "mapfile $?"
mapfile -s -1 a; echo "mapfile $?"
mapfile -O z a; echo "mapfile $?"
mapfile -u x a; echo "mapfile $?"

### help_option_prints_the_help_and_returns_2
for b in cd type kill eval exit return let shift set shopt read source . getopts alias trap umask ulimit hash wait fg bg pwd times command builtin help; do
  $b --help | head -1
  echo "$b ${PIPESTATUS[0]}"
done
cd -L --help | head -1; echo "${PIPESTATUS[0]}"
type -t --help | head -1; echo "${PIPESTATUS[0]}"
builtin cd --help | head -1; echo "${PIPESTATUS[0]}"
command type --help | head -1; echo "${PIPESTATUS[0]}"
type foo --help; echo "type $?"
cd -- --help; echo "cd $?"
cd --helpx; echo "cd $?"

### help_option_is_an_operand_where_bash_takes_no_options
echo --help
: --help; echo ": $?"
true --help; echo "true $?"
false --help; echo "false $?"
[ --help; echo "[ $?"
test --help; echo "test $?"

### help_builtin_options_and_patterns
help -s cd pwd
help -s 'p*d'
help -s nosuch cd; echo "help $?"
help -s nosuch nope; echo "help $?"
help cd | head -1
help -s -- shift
help -m cd | head -5 | sed -n '1p;4,5p'

### command_v_and_V_alias_p_unalias_a
command -vV ls
command -Vv ls
alias a=1
alias -p b=2
echo ---
alias
unalias -a nosuch; echo "unalias $?"
alias; echo "alias $?"
unalias; echo "unalias $?"
unalias --; echo "unalias $?"

### source_and_getopts_operands_after_dashdash
source; echo "source $?"
. --; echo ". $?"
echo 'echo sourced "$@"' > f.sh
source -- f.sh a b
getopts -- ab opt -b; echo "getopts $? $opt"
getopts a; echo "getopts $?"
eval -- echo evaluated
builtin -- echo builtin
times -- >/dev/null; echo "times $?"

### exec_options_through_the_shared_scan
exec -Z; echo "exec $?"
exec -a; echo "exec $?"
(exec -afoo sh -c 'echo $0')
(exec -a bar -- sh -c 'echo $0')
(exec -lc sh -c 'echo $0; echo "${HOME-unset}"')
