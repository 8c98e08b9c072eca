# Functions: both forms, local, return, recursion, FUNCNAME, depth limit.

### posix_form
f() { echo "in f"; }
f

### keyword_form
function g { echo "in g"; }
g

### keyword_form_parens
function h() { echo "in h"; }
h

### args_are_positional
f() { echo "$# $1 $2"; }
f a 'b c'

### positional_restored
#@ args: outer
f() { echo "in: $1"; }
f inner
echo "out: $1"

### return_status
f() { return 3; }
f
echo $?

### return_default_last_status
f() { false; return; }
f
echo $?

### return_stops_function
f() { echo a; return 0; echo b; }
f

### fall_off_end_status
f() { true; false; }
f
echo $?

### global_assignment
f() { x=set; }
f
echo $x

### local_variable
x=outer
f() { local x=inner; echo $x; }
f
echo $x

### local_dynamic_scope
x=global
g() { echo "g sees $x"; }
f() { local x=f-local; g; }
f
g

### local_unset_value
f() { local y; echo "[${y-unset}]"; y=1; echo $y; }
f
echo "[${y-unset}]"

### local_outside_function
local z=1
echo $?

### recursion_factorial
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fact 6

### recursion_countdown
down() { [ $1 -eq 0 ] && return; echo $1; down $(( $1 - 1 )); }
down 3

### funcname
f() { echo $FUNCNAME; g; }
g() { echo "${FUNCNAME[0]} ${FUNCNAME[1]}"; }
f

### funcname_outside
echo "[${FUNCNAME-unset}]"

### redefine
f() { echo one; }
f
f() { echo two; }
f

### unset_function
f() { echo x; }
unset -f f
f
echo $?

### function_with_redirect
f() { echo redirected; } > out
f
cat out

### function_in_pipeline
f() { while read l; do echo "[$l]"; done; }
printf 'a\nb\n' | f

### function_body_subshell
f() ( x=inner; echo $x )
x=outer
f
echo $x

### function_output_captured
f() { echo captured; }
v=$(f)
echo "v=$v"

### function_nested_definition
outer() { inner() { echo inner; }; }
outer
inner

### function_returns_in_loop
f() { for i in 1 2 3; do [ $i = 2 ] && return $i; done; }
f
echo $?

### function_exit_leaves_shell
f() { exit 5; }
f
echo never

### function_name_with_dash
my-func() { echo dash; }
my-func

### function_and_var_same_name
f=var
f() { echo func; }
echo $f
f

### nesting_limit
FUNCNEST=5
f() { f; }
f
echo "status $?"

### type_of_function
f() { echo hi; }
type f

### declare_f_lists
f() { echo hi; }
declare -f f

### return_outside_function
return 2
echo "after $?"

### nameref_local_array
show() { local -n arr=$1; echo "${arr[$2]}"; arr[1]=Z; }
a=(x y z)
show a 2
echo "${a[@]}"
x=1
declare -n r=x
r=2
echo $x
declare -p r
unset r
echo "x=${x-unset}"

### declare_f_prints_substitutions_canonically
# bash 5.2 prints the commands of $(…) and <(…) parsed, not as written.
f() { x=$(case a in a) echo;; esac
echo b; echo c
echo d); y="$(echo 1

  # hi; there
echo 2)"; b=$(echo $(case q in q) echo n;; esac) "$(echo  'x)' )"); c="${z:-$(  echo   1 )}"; for i in $(seq  2); do :; done; case $(echo  a) in a) : ;; esac; cat < <(echo   x) > >(cat  -); d=`echo  $(echo   z)`; g=$(a &&  b || c | d); h=$( (case a in a) :;; esac) ); k=( $(echo  a) b ); [[ $(echo  a) = a ]]; }
declare -f f

### function_name_with_expansion_or_quotes_is_invalid
$foo-bar() { ls ; }; echo "st=$?"
foo-$(echo hi)() { ls ; }; echo "st=$?"
"q"() { :; }; echo "st=$?"
a.b-c() { echo ok; }; a.b-c
