# Quoting, IFS field splitting and pathname expansion (each case makes its own files).

### single_quotes_literal
echo 'a $x `b` \n "q"'

### double_quotes_expand
x=v
echo "x=$x \$x \`q\` \\ \"d\" 'single'"

### backslash_outside_quotes
echo a\ b \$x \\ \'

### backslash_newline_continuation
echo one \
two

### adjacent_quotes_concatenate
echo 'a'"b"c'd e'

### empty_quotes_make_empty_word
set -- '' "" x
echo $#

### ifs_default_split
x="  a  b	c
d  "
for w in $x; do echo "<$w>"; done

### ifs_custom_colon
IFS=:
x="a:b::c"
for w in $x; do echo "<$w>"; done

### ifs_whitespace_and_other
IFS=' :'
x=" a : b  c:"
for w in $x; do echo "<$w>"; done

### ifs_empty_no_split
IFS=
x="a b c"
for w in $x; do echo "<$w>"; done

### ifs_unset_default
unset IFS
x="a  b"
for w in $x; do echo "<$w>"; done

### ifs_read_fields
IFS=, read a b c <<< "1,2,3,4"
echo "$a|$b|$c"

### ifs_read_trailing_field
IFS=: read a b <<< "x:y:z"
echo "$a|$b"

### ifs_in_command_substitution
IFS=,
for w in $(echo "p,q r"); do echo "<$w>"; done

### no_split_in_quotes
x="a   b"
printf '<%s>\n' "$x" $x

### empty_var_unquoted_vanishes
e=
set -- $e x $e
echo $#

### glob_star
touch b.txt a.txt c.log
echo *.txt

### glob_question
touch a1 a2 a10
echo a?

### glob_bracket
touch x1 x2 x3 xa
echo x[12] x[!12] x[a-z]

### glob_no_match_literal
echo *.nomatch

### glob_quoted_literal
touch a.txt
echo "*.txt" '*.txt' \*.txt

### glob_sorted
touch c b a B A
echo [aAbBc]

### glob_dotfiles_hidden
touch .hidden visible
echo *

### glob_dotfiles_explicit
touch .hidden visible
echo .h*

### glob_in_dir
mkdir -p d/e
touch d/1 d/2 d/e/3
echo d/* d/*/*

### glob_from_variable
touch p.x q.x
pat='*.x'
echo $pat "$pat"

### glob_nullglob
shopt -s nullglob
echo start *.none end

### glob_failglob
shopt -s failglob
echo *.none
echo "status $?"

### glob_dotglob
shopt -s dotglob
touch .h v
echo *

### glob_noglob_set_f
touch a.txt
set -f
echo *.txt
set +f
echo *.txt

### glob_in_assignment_no_expansion
touch a.txt
x=*.txt
echo "$x"

### glob_in_case_and_test
[[ abc == a* ]] && echo matched
[ "abc" = "a*" ] || echo literal

### glob_extglob
shopt -s extglob
touch a.c b.h c.o
echo !(*.o)
echo @(a|b).*

### glob_globstar
shopt -s globstar
mkdir -p a/b
touch a/1.t a/b/2.t 3.t
echo **/*.t

### glob_character_class
touch a1 b2 Cc
echo [[:digit:]]* *[[:digit:]] [[:upper:]]*

### quote_removal_in_assignment
x="a"'b'\c
echo $x

### dollar_in_single_quotes_in_double
x=v
echo "'$x'"

### escaped_dollar_in_double
echo "\$HOME \a \b"

### word_with_quoted_glob_part
touch ab a_
echo a"*"
echo a*

### printf_preserves_spaces
x='a  *  b'
printf '%s\n' "$x"

### cond_extglob_without_shopt
[[ --verbose == --@(help|verbose) ]] && echo yes
[[ ab == +(a|b) ]] && echo plus
[[ x == !(x) ]] || echo not

### nocasematch_case_and_cond
shopt -s nocasematch
case ABC in abc) echo case;; esac
[[ Foo == f* ]] && echo cond

### expand_aliases_in_script
shopt -s expand_aliases
alias hi='echo hello'
hi there

### globignore_filters_and_shows_dotfiles
touch a.txt b.txt c.o .hidden
GLOBIGNORE='*.o'
echo *
GLOBIGNORE='*.txt:.h*'
echo *
unset GLOBIGNORE
echo *

### globignore_always_drops_dot_and_dotdot
touch .hidden a.txt b
GLOBIGNORE=*.txt
echo .* *
shopt -u globskipdots
echo .*
GLOBIGNORE=
echo .*
unset GLOBIGNORE
echo .*
