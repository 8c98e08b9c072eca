# set -e (and its exceptions), -u, -x, -o pipefail, -C, -f, -n, $PIPESTATUS.

### errexit_stops
set -e
echo before
false
echo never

### errexit_status
set -e
(exit 3)
echo never

### errexit_not_in_if_condition
set -e
if false; then echo no; fi
echo survived

### errexit_not_in_and_or
set -e
false && echo no
false || echo rescued
echo survived

### errexit_last_in_and_list_exits
set -e
true && false
echo never

### errexit_not_after_bang
set -e
! true
echo survived

### errexit_not_in_while_condition
set -e
while false; do :; done
until true; do :; done
echo survived

### errexit_in_function
set -e
f() { false; echo never-in-f; }
f
echo never

### errexit_function_in_condition_ignored
set -e
f() { false; echo still-runs; }
f || echo no
echo survived

### errexit_subshell
set -e
(false; echo never-in-sub)
echo never

### errexit_pipeline_last
set -e
false | true
echo survived
true | false
echo never

### errexit_command_substitution_assignment
set -e
x=$(false)
echo never

### errexit_command_substitution_in_arg
set -e
echo "arg: $(false)"
echo survived

### errexit_set_plus_e
set -e
set +e
false
echo survived

### errexit_via_option_name
set -o errexit
false
echo never

### nounset_error
set -u
echo "$undefined_var"
echo never

### nounset_default_ok
set -u
echo "${undefined_var:-fallback}"

### nounset_positional
set -u
echo $1
echo never

### nounset_at_empty_ok
set -u
echo "[$@]" $#

### nounset_array
set -u
a=()
echo ${#a[@]}
echo ${a[0]}
echo never

### xtrace_simple
set -x
echo hi
x=1

### xtrace_quoting
set -x
echo 'a b' "c"
: $((1+2))

### xtrace_compound
set -x
for i in 1 2; do echo $i; done
if true; then :; fi

### xtrace_ps4
PS4='>> '
set -x
echo traced

### xtrace_pipeline
#@ sort: stderr
set -x
echo a | cat
set +x
echo untraced

### xtrace_command_substitution
set -x
v=$(echo inner)

### xtrace_function
set -x
f() { echo in-f; }
f arg

### pipefail_off
false | true
echo $?

### pipefail_on
set -o pipefail
false | true
echo $?
true | (exit 3) | true
echo $?

### pipefail_all_ok
set -o pipefail
true | true
echo $?

### pipestatus
true | false | (exit 5)
echo "${PIPESTATUS[@]}"

### pipestatus_single
(exit 2)
echo "${PIPESTATUS[@]}"

### pipestatus_after_bang
! false | true
echo "$? ${PIPESTATUS[@]}"

### noclobber_via_o
set -o noclobber
echo a > f
echo b > f
echo "status $?"

### noglob_via_o
touch x.y
set -o noglob
echo *.y

### noexec_n
set -n
echo never

### allexport
set -a
V=exported
sh -c 'echo $V'

### options_in_dollar_dash
set -eu
case $- in *e*u*|*u*e*) echo both;; esac

### set_plus_u_after
set -u
set +u
echo "[$undefined_var]"

### verbose_v
set -v
echo shown

### allexport_dollar_dash
set -a
A=1
sh -c 'echo A=$A'
case $- in a*) echo a-first;; esac
set +a
B=2
sh -c 'echo B=$B'

### xtrace_pipeline_externals_with_assignments
#@ sort: stderr
set -x
X=1 cat </dev/null | LC_ALL=C wc -l
set +x

### set_plus_b_turns_brace_expansion_off
echo {a,b}
set +B
echo {a,b} x{1..2} $-
set -o | grep brace
set -B
echo {c,d}
set +o braceexpand
echo y{1..2}
set -o braceexpand
echo y{1..2} $-

### allexport_exports_declared_values
set -a
f() { local ZZZ=zzz; declare Y=1; typeset -i I=2; readonly R=3; local N; sh -c 'echo "$ZZZ $Y $I $R"'; declare -p N; }
f
declare D=4; declare -g G=5; sh -c 'echo "$D $G"'; declare -p D
declare +x D=5; declare -p D
set +a; declare E=6; declare -p E

### posix_special_builtin_assignments_stay
set -o posix
foo=bar :; echo "foo=$foo"
z=Z builtin :; echo "z=$z"
f=1 readonly spam=eggs; echo "f=$f spam=$spam"; sh -c 'echo "env f=$f"'
q=4 true; echo "q=$q"
set +o posix; w=1 :; echo "w=$w"

### posix_function_named_special_builtin_is_fatal
set -o posix
eval() { echo fn; }
echo after

### posix_readonly_assignment_is_fatal
set -o posix
readonly x=1
x=2
echo hi

### errexit_on_for_word_expansion_failure
set -e
for x in *.ZZ; do echo "$x"; done
echo "status=$?"
shopt -s failglob
for x in *.ZZ; do echo "$x"; done
echo "status=$?"

### posix_special_builtin_temp_binding_unset
shadow() {
  x=42
  x=tmp unset x
  echo "x=$x"
  x=42
  x=tmp eval 'unset x'
  echo "x=$x"
}
set -o posix
shadow
