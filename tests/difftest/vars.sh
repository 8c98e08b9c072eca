# Variables, special parameters and declarations (bash's dynamic variables,
# the call stack, declare/typeset, namerefs, indirection).

### underscore_last_argument
name=world
echo "hi $name"
echo "[$_]"
x='with spaces'
: $x
echo "[$_]"
echo hi && echo "last=$_"
s=bar
echo "assign [$_]"
declare a=(1 2)
echo "declare array [$_]"
f() { echo "in f [$_]"; }
f a b
echo "after f [$_]"

### underscore_not_reset_by_arith_and_cond
echo simple
(( a = 2 + 3 ))
echo "(( $_"
[[ a == *.py ]]
echo "[[ $_"

### underscore_defined_under_nounset
set -u
echo "prev=${_+set}"

### lineno_inside_functions
#@ mode: stdin
echo $LINENO
g() {
  echo "g $LINENO"
}
f() {
  echo "f $LINENO"
  g
  echo "f $LINENO"
}
f

### lineno_in_arith_for
echo one
for (( i = 0; i < $LINENO; i++ )); do
  echo $i
done

### call_stack_file_mode
g() {
  echo "G ${FUNCNAME[*]} | ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"
}
f() {
  g
}
echo "top ${#FUNCNAME[@]} | ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"
f
echo 'echo "sourced ${FUNCNAME[*]} | ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"; g' > lib.sh
source ./lib.sh
h() { source ./lib.sh; }
h

### call_stack_c_mode
#@ mode: c
#@ args: name
f() { echo "F ${FUNCNAME[*]} | ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"; }
f
echo 'f; echo "S ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"' > lib.sh
source ./lib.sh

### call_stack_stdin_mode
#@ mode: stdin
f() { echo "F ${FUNCNAME[*]} | ${BASH_SOURCE[*]} | ${BASH_LINENO[*]}"; }
f
echo $((BASH_LINENO))
