# Words, expansions, redirections, globbing, loops, arithmetic and cd's path logic.

### cd_bad_component_dotdot
cd nonexistent_zz/..
echo "status=$?"

### cd_physical_and_logical
mkdir -p target/sub
ln -s target link
cd -L link/sub
echo "${PWD#$HOME/}"
cd ..
echo "${PWD#$HOME/}"
cd -P ../link/sub
echo "${PWD#$HOME/}"
cd -- ..
echo "${PWD#$HOME/}"
cd -L "$HOME/link"
pwd | sed "s|^$HOME/||"
pwd -P | sed "s|^$HOME/||"

### cd_bad_option
cd -x /
echo "status=$?"

### cd_cdpath
mkdir -p spam/foo eggs/foo eggs/bar here
CDPATH="$HOME/spam:$HOME/eggs"
cd foo | sed "s|^$HOME/||"
cd bar > out; echo "status=$? ${PWD#$HOME/}"; sed "s|^$HOME/||" out
cd "$HOME"; CDPATH=:$HOME/eggs cd here; echo "status=$? ${PWD#$HOME/}"
cd ./nope; echo "status=$?"

### cd_exports_pwd_oldpwd
env | grep -c '^PWD='
cd /
env | grep '^OLDPWD=' | sed "s|$HOME|HOME|"
cd - | sed "s|$HOME|HOME|"

### nul_ansi_c_string_ends
x=$'ab\0cd'
echo "${#x} $x"
y=$'\x00z'
echo "${#y}"
touch foo
test -f $'foo\0bar' && echo found

### nul_command_substitution_dropped
s=$(printf 'a\0b')
echo "${#s} $s"
echo $(printf '\0') | od -An -c
t=$(printf '\001x')
echo "${#t}"

### nul_read_dropped
printf 'a\0b\n' | { read -r x; echo "${#x} $x"; }
printf 'ab\0cd' | { read -r -n 3 x; echo "$x"; }
printf 'a\0b\0' | { read -r -d '' x; echo "$x"; }

### nul_mapfile_line_ends
printf 'a\0b\nc\n' | { mapfile lines; printf '[%s]' "${lines[@]}"; echo; }

### discard_rest_of_line_on_expansion_error
echo $((1/0)); echo same-line
echo "next $?"
echo ${x!}; echo same-line
echo "next $?"
f() { echo $((2/0)); echo in-function; }; f; echo after-call
for i in 1 2; do echo $((i/0)); echo loop; done; echo after-loop
echo "next $?"

### discard_stops_at_eval_and_substitution
eval 'echo ${x!}; echo in-eval'; echo after-eval
x=$(echo $((1/0)); echo in-subst); echo "x=[$x]"

### failglob_discards_line
shopt -s failglob
echo hi > zz-*-xx; echo same-line
echo "status=$?"
for f in *.none; do echo "$f"; done; echo same-line
echo "status=$?"

### failglob_errexit_exits
set -e
shopt -s failglob
echo *.none
echo not-reached

### arith_command_error_fails_only_it
(( 1/0 )); echo "same $?"
for ((i=0; i<1/0; i++)); do :; done; echo "for $?"
readonly r=1
(( r=2 )); echo "ro $?"
(( $((1/0)) )); echo not-reached
echo "next $?"

### unset_under_nounset_still_exits
set -u
(( x = nope + 1 )); echo not-reached

### for_in_nothing_and_bad_name
set -- 1 2 3
for i in ; do echo "$i"; done
for i in
do echo "$i"; done
for - in a b; do echo hi; done
echo "status=$?"

### loop_control_in_subshell_and_background
for i in 1 2; do ( continue; echo "sub $i" ); echo "st=$?"; done
for i in 1; do { break; echo "bg $i"; } & wait; echo after; done
for i in 1 2; do echo $i | break; echo "piped $i"; done

### loop_control_bad_counts
for i in 1 2; do for j in 1 2; do echo $i$j; break 0; done; done
echo "after $?"
for i in a b; do echo $i; continue 1 2; echo after; done
echo "status $?"
for i in 1 2; do echo $i; break x; done
echo not-reached

### command_substitution_of_file
seq 2 3 > f
x=$(< f); echo "[$x]"
y=`< f`; echo "[$y]"
z=$(< nope); echo "st=$? [$z]"

### redirect_moves_descriptor
exec 5> f.txt
echo hello5 >&5
exec 6>&5-
echo world5 >&5
echo world6 >&6
exec 6>&-
cat f.txt
exec 3< f.txt
exec 4<&3-
read -r l <&3; echo "st=$?"
read -r l <&4; echo "$l"

### patsub_slash_first_in_pattern
x='/_/'
echo ${x////c} ${x///a} ${x//\//a} ${x/\//b} ${x///} "${x///}" ${x/#//Z}
HOST_PATH=/foo/bar/baz
echo ${HOST_PATH////\\/} ${HOST_PATH//'/'/\\/}

### count_with_prefix_removed
set -- $(seq 25)
echo ${###} ${####} ${##2} ${###2} ${##} ${##[0-9]}

### quoted_default_keeps_backslash
echo "${undef-\$}" "${undef-\(}" "${undef-\z}" "${undef-\"}" "${undef-\`}" "${undef-\\}" "${undef-\e}"
echo "${undef:-a\zb}" "${HOME:+\q}" ${undef-\z}
x=1; echo "${x:+\x\}}"

### exec_in_redirected_function_and_group
f() { exec 3>out3; echo in-f >&3; }
f
echo after >&3
exec 3>&-
cat out3
g() { exec 4>out4; }
g > /dev/null
echo g-after >&4
cat out4
{ exec 5>out5; } 2>/dev/null
echo brace >&5; cat out5
{ echo to-null; exec 6>out6; } > /dev/null
echo six >&6; cat out6
h() { echo h-out; }
h > hout; cat hout
echo restored

### arith_carriage_return_is_not_blank
x=$'\r42\r'
{ echo $(( x + 1 )); } 2>/dev/null
echo "next $?"
{ echo $(( $'1 +\r2' )); } 2>/dev/null
echo "next $?"
y=$'\t42\n'; echo $(( y + 1 ))

### ansi_c_code_points_past_unicode
export LC_ALL=C.UTF-8
printf '%s' $'\U00110000' | od -An -tx1
printf '%s' $'\udc00' | od -An -tx1
echo -e '\U00110000' | od -An -tx1
printf '\U00110000' | od -An -tx1

### globignore_by_component_and_classes
touch one.md one.txt _testing.py pyproject.toml 20231114.log .env 'has space.docx'
mkdir -p foo; touch foo/two.md foo/two.txt
GLOBIGNORE=*.txt
echo *.* foo/*.*
GLOBIGNORE=[[:alnum:]]*
echo *.*
GLOBIGNORE=[![:alnum:]]*
echo *.*
GLOBIGNORE=*[[:space:]]*:*.md
echo *.*

### globstar_any_depth
shopt -s globstar
mkdir -p c/subdir directory
touch leaf.md c/leaf.md c/subdir/leaf.md directory/leaf.md
echo **
echo **/
echo c/**
echo **/*.md
echo **/**/*.md
echo d**/*.md directory/**/*.md
echo {**/sub*,}
shopt -u globstar
echo **/*.md

### star_colon_tests_joined_value
set -- "" ""
IFS=
echo "argv=${*-minus}" "argv=${*+plus}" "argv=${*:-minus}" "argv=${*:+plus}"
a=("" "")
echo "[${a[@]:-w}] [${a[*]:-w}] [${a[*]:+p}]"
unset IFS
echo "[${a[*]:-w}] [${*:-m}]"

### star_colon_unquoted_tests_items
set -- "" ""
IFS=
echo argv=${*-minus} argv=${*+plus} argv=${*:-minus} argv=${*:+plus}
a=("" "")
printf '[%s]' ${a[*]:-empty}; echo

### globskipdots_off_matches_dot_and_dotdot
mkdir g && cd g && touch .hid x
echo .*
shopt -u globskipdots
echo .* .?
shopt -s dotglob
echo *
