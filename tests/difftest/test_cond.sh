# test / [ and [[ ]] (with =~ and BASH_REMATCH).

### test_string_equal
[ abc = abc ] && echo eq
[ abc != abd ] && echo ne
test a = b || echo differ

### test_empty_nonempty
x=
[ -z "$x" ] && echo empty
[ -n "$x" ] || echo not-nonempty
[ "$x" ] || echo one-arg-empty

### test_integers
[ 3 -eq 3 ] && [ 3 -ne 4 ] && [ 3 -lt 4 ] && [ 4 -le 4 ] && [ 5 -gt 4 ] && [ 5 -ge 5 ] && echo all

### test_integer_error
[ abc -eq 1 ]
echo "status $?"

### test_files
touch f
mkdir d
ln -s f l
[ -e f ] && [ -f f ] && [ ! -d f ] && [ -d d ] && [ -L l ] && [ -h l ] && echo files

### test_file_perms
touch x
chmod +x x
[ -x x ] && echo exec

### test_size_and_empty
touch empty
echo x > full
[ -s full ] && ! [ -s empty ] && echo sizes

### test_missing_file
[ -e nosuch ] || echo missing

### test_newer
touch -d '2000-01-01' old
touch new
[ new -nt old ] && [ old -ot new ] && echo times

### test_not_and_or
[ ! -e nosuch -a -n x ] && echo and
[ -e nosuch -o -n x ] && echo or

### test_parens
[ \( 1 -eq 1 \) -a \( 2 -eq 2 \) ] && echo grouped

### test_missing_bracket
[ 1 -eq 1
echo "status $?"

### test_too_many_args
[ a b c ]
echo "status $?"

### test_unary_operator_expected
[ -q x ]
echo "status $?"

### test_string_compare_lt
[ a \< b ] && echo less

### test_no_args
[ ]
echo "status $?"
test
echo "status $?"

### test_fd_terminal
[ -t 0 ] || echo not-a-tty

### test_var_set
x=1
[ -v x ] && echo set
[ -v nosuch ] || echo unset

### dbl_pattern_match
[[ hello == h*o ]] && echo glob
[[ hello == "h*o" ]] || echo quoted-literal

### dbl_not_equal_pattern
[[ abc != a?c ]] || echo matches

### dbl_and_or_not
[[ -n x && ! -z x || false ]] && echo logic

### dbl_no_word_splitting
x="a b"
[[ $x == "a b" ]] && echo nosplit

### dbl_empty_unquoted_var
unset x
[[ -z $x ]] && echo empty-ok

### dbl_regex_basic
[[ abc123 =~ [0-9]+ ]] && echo "match ${BASH_REMATCH[0]}"

### dbl_regex_groups
[[ "key=value" =~ ^([a-z]+)=(.*)$ ]]
echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${#BASH_REMATCH[@]}"

### dbl_regex_no_match_status
[[ abc =~ ^z ]]
echo $?

### dbl_regex_quoted_literal
[[ "a.c" =~ "a.c" ]] && echo lit1
[[ "abc" =~ "a.c" ]] || echo lit2

### dbl_regex_from_variable
re='^[0-9]+$'
[[ 42 =~ $re ]] && echo number
[[ 4x2 =~ $re ]] || echo not-number

### dbl_regex_invalid
re='('
[[ a =~ $re ]]
echo "status $?"

### dbl_string_lt_gt
[[ apple < banana ]] && echo lt
[[ b > a ]] && echo gt

### dbl_integer_ops
[[ 10 -gt 9 ]] && echo numeric
[[ 1+1 -eq 2 ]] && echo arithmetic

### dbl_file_ops
touch f
[[ -f f && ! -d f ]] && echo file

### dbl_parens_grouping
[[ ( 1 -eq 2 || 2 -eq 2 ) && 3 -eq 3 ]] && echo grouped

### dbl_equal_single
[[ abc = abc ]] && echo single-eq

### dbl_status_in_if
if [[ -e nosuch ]]; then echo yes; else echo no; fi

### test_builtin_type
type [ test [[

### dbl_regex_rematch_cleared
[[ ab =~ (a)(b) ]]
[[ xy =~ z ]]
echo "${#BASH_REMATCH[@]}"

### test_dash_o_option
set -u
[ -o nounset ] && echo nounset-on
[ -o errexit ] || echo errexit-off

### regex_nocasematch
shopt -s nocasematch
[[ a =~ A ]]; echo $?
[[ A =~ [a] ]]; echo "$? ${BASH_REMATCH[0]}"
shopt -u nocasematch
[[ A =~ a ]]; echo $?
