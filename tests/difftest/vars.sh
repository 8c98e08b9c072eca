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

### declare_F_names_and_status
add() { :; }
ble/foo() { :; }
declare -F
declare -F add; echo "status=$?"
declare -F add nosuch; echo "status=$?"
declare -f nosuch; echo "status=$?"
typeset -f add >/dev/null; echo "status=$?"

### declare_F_extdebug
#@ mode: stdin
shopt -s extdebug
echo 'g() { :; }' > lib.sh
source ./lib.sh
add () { :; }
declare -F add g

### declare_p_filters
test_var1=111
readonly test_var2=222
export test_var3=333
declare -n test_var4=test_var1
declare -a test_var6=()
declare -A test_var7=()
for f in -pn -pr -px -pa -pA -r; do
  echo "[$f]"
  declare $f | grep -E 'test_var'
done

### declare_unset_is_declared
declare x
declare -p x
function f { local y; declare -p y; }
y=1
f

### eval_double_dash
eval -- 'echo one'

### subscript_expansions_in_assignment
i=4
a[$((i/2))]=x
a[$i - 1]=y
a[-1]+=z
declare -p a
b=(1)
b[-3]=q
echo "status=$?"

### subscript_with_blanks
HOME=/home/u
a[1 * 1]=x
a[ 1 + 2 ]=z
echo status=$?
i=(0 1 2)
a[ i[1]+i[2] ]=3 b[2 + 0]=~/src c=5
declare -p a b c
echo a[1 + 1]=4
x=1 a[3 + 1]=7
declare -p a x

### array_element_not_exported
a=1 b[0]=2 c=3 sh -c 'echo "$a ${b-unset} $c"'

### assignments_left_to_right
a=1 b=$a
echo "b=$b"
unset a
c=3 d=$c sh -c 'echo "d=$d"'
echo "c=[$c] d=[$d]"
set -x
e=1 f=$e
set +x

### bad_subscript_fails_the_assignment_only
a=x b[0+]=y c=z
echo "$a [$b] [$c]"

### assoc_order_is_bashs
declare -A A=([a]=hello [b]=world [c]=osh [d]=ysh)
echo "${!A[@]}"
echo "${A[@]}"
declare -A B
for k in a b c d hello world x y foo bar k1 k2 10 2 zz; do B[$k]=1; done
echo "${!B[@]}"
declare -p A

### declare_double_dash
declare -- x=1 y
declare -p x y

### prefix_names
ZOO=zoo ZIP=zip ZOOM='one two' Z='three four' z=lower
echo ${!Z*}
echo "${!Z@}"
hello=()
echo ${!hel@}

### attributes_transform
array=(one two)
echo "${array@a}"
declare -r array
echo "${array@a}"
declare -rx PY=hi
echo "${PY@a}"
declare -A A=([x]=y)
echo "${A@a}"
declare -ai n
declare -n r=n
echo "${r@a} [${undef@a}]"

### transform_nounset
set -u
(echo ${undef@Q}); echo "stat: $?"
(echo ${undef@a}); echo "stat: $?"

### case_folding_one_character
export LC_ALL=C.UTF-8
small=$'\u00DF'
echo ${small^} ${small^^} ${small@U}

### discard_rest_of_line_stdin
#@ mode: stdin
echo ${!undef}; echo same line
echo "next $?"
x=$((1/0)); echo same line
echo "next $?"
readonly r=1
r=2; echo same line
echo "next $?"
f() { echo ${!undef}; echo in f; }
f; echo same line
echo "end"

### discard_ends_c_mode
#@ mode: c
echo $((1/0)); echo never

### discard_readonly_under_errexit
#@ mode: stdin
set -e
x=$((1/0))
echo "arith goes on"
readonly r=1
r=2
echo never

### nameref_indirect_gives_the_name
foo=FOO
x=foo
ref=x
echo "${!ref}"
typeset -n ref
echo "$ref ${!ref}"

### nameref_invalid_target
ref=1
typeset -n ref
echo "status=$? ref=$ref"
ref=foo
echo "ref=$ref"
typeset -n r2='@'
echo "status=$? r2=[$r2]"

### nameref_cycle
typeset -n ref1=ref2
typeset -n ref2=ref1
# bash warns on each use; corral refuses the write with an error only.
{ echo "ref1=[$ref1]"; } 2>/dev/null
ref1=z 2>/dev/null
echo "mutated $?"

### startup_variables
echo "OPTIND=$OPTIND"
set -- a b c
echo "${!OPTIND}"
env | grep -c '^PWD='

### empty_subscript
#@ mode: stdin
a=(1 2 3)
a[]=42
echo "status=$? ${a[@]}"
echo ${a[]}; echo same line
echo "status=$?"
x=abc; echo ${x:1:-5}; echo same line
echo "status=$?"

### unset_reveals_the_callers_variable
unlocal() { unset -v "$1"; }
level2() { local v=two; unlocal v; echo "level2 ${v-unset}"; }
level1() { local v=one; level2; unlocal v; echo "level1 ${v-unset}"; v=set; }
v=global
level1
echo "top $v"
f() { local v=l; unset v; echo "own ${v-unset}"; v=x; }
f
echo "top $v"
g() { unset v; echo "temp ${v-unset}"; }
v=temp g
echo "top $v"

### temporary_assignment_layers
f() {
  v=t eval 'local v=1; local w=2; echo "in $v $w"'
  echo "out $v $w"
}
v=g
f
echo "top $v ${w-unset}"
x=1 eval 'unset x; echo "eval ${x-unset}"'
echo "top ${x-unset}"
x=G
x=1 eval 'x=2'
echo "top $x"
h() { local v; echo "h ${v-unset}"; }
k() { h; }
v=temp k

### nameref_to_an_element
typeset -n ref='a[2]'
a=(zero one two three)
echo "ref=$ref"
ref=TWO
ref+=x
echo "${a[@]}"
declare -A A=([K]=val)
key=K
declare -n r2='A["K"]' r3='A[$key]'
echo "$r2"
r3=new
echo "${A[@]} $r2"
declare -n last='a[-1]'
echo "$last ${last/e/E}"

### declaration_arguments_are_not_globbed
touch foo=a foo=b
export foo=*
typeset bar=[f]*
echo "$foo $bar"
declare -a arr=(foo=*)
echo "${arr[@]}"
rm foo=a foo=b

### declare_lower_upper
declare -l lower=FOO
declare -u upper=foo
upper+=bar
echo "$lower $upper"
declare -p lower upper
declare -l a=(AB CD)
a[2]=EF
declare -p a
echo "${upper@a} ${a@a}"
declare +u upper
upper=xY
declare -u -l both=AbC
echo "$upper $both"
f() { local -u z=abc; read -r z <<< "$z-read"; echo "$z"; }
f

### local_cannot_hide_readonly
readonly g=1
f() {
  local x=1 g=$(( x + 1 ))
  echo "st=$? g=$g"
  local -r h=1
  local h=3
  echo "st=$? h=$h"
}
f
echo "g=$g"

### declare_and_set_list_variables_and_functions
f() { echo hi; }
zz=$'one\ntwo'
a=(1 2)
declare | grep -A4 '^zz=\|^a=\|^f ()'
set | grep -A4 '^f ()'

### nameref_to_all_elements
typeset -n ref='a[@]' star='a[*]'
a=('A B' C)
printf '<%s>' "$ref" $ref; echo
printf '<%s>' "$star"; echo
ref=(X Y Z)
echo "status=$? ${a[*]}"

### nameref_to_an_element_has_no_elements
array=(X Y Z)
typeset -n ref='array[0]'
echo "[${ref[0]}] [${ref[@]}] [${#ref[@]}]"
ref[1]=q; echo not reached
echo "status=$? ${array[@]}"

### local_dash_keeps_set_options_in_the_function
f() { local -; set -f -o pipefail; echo "in $-"; }
f
echo "out $-"
set -o | grep pipefail
g() { local - x=1; set -u; echo "$x $-"; }
g
echo "after $-"
h() { set -C; local -; set +C; }
h
echo "kept $-"
local -
echo "status $?"

### indirect_all_elements_with_operators
a3=(one two three)
r='a3[@]'
declare -A ref=([k]=a3)
printf '<%s>' "${!ref[@]:1}" "${!ref[@]:0:2}"; echo
printf '<%s>' "${!ref[@]//o/0}" "${!ref[@]^^}" "${!ref[@]@Q}" "${!ref[*]@a}"; echo
s=value; ref[k]=s
printf '<%s>' "${!ref[@]:2}" "${!ref[@]/a/A}" "${!ref[@],,}" "${!ref[@]@Q}"; echo
printf '<%s>' "${!ref[@]}"; echo

### declared_array_without_value_is_unset
declare -a x; declare -A y
declare -p x y
declare | grep -E '^(x|y)='
echo "${#x[@]} [${y[@]+set}]"; [[ -v x ]]; echo "-v $?"
x+=(); declare -p x
declare -a w; w=5; declare -p w
declare -A z=(); unset 'z[k]'; declare -p z
f() { local -A q; declare -p q; q[k]=v; declare -p q; }; f
declare -ai n; declare -p n
readonly -a r; declare -p r
export -a e; declare -p e; e[1]=1; declare -p e
export -A g; g[x]=1; declare -p g

### length_of_nameref_to_element
a=(aa bbb)
declare -n n='a[1]' m='a[@]' p=a
echo "${#n} $n ${#m} ${#p}"
set -u
echo "${#n} ${#m}"
