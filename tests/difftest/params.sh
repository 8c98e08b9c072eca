# Parameter expansion: every ${…} form.

### default_unset
unset x
echo "${x-d1} ${x:-d2}"

### default_empty
x=
echo "[${x-d1}] [${x:-d2}]"

### default_set
x=val
echo "${x-d1} ${x:-d2}"

### assign_default
unset x
echo "${x:=new}"
echo "$x"

### assign_default_empty
x=
echo "${x=kept}[$x]"
echo "${x:=replaced}[$x]"

### alternative
x=set
y=
unset z
echo "[${x:+alt}] [${y:+alt}] [${y+alt}] [${z+alt}]"

### error_if_unset_message
unset x
echo "${x:?is required}"
echo never

### error_if_unset_default_message
unset x
echo "${x?}"
echo never

### error_if_set_passes
x=ok
echo "${x:?no}"

### length
x=hello
echo ${#x}

### length_empty_and_unset
x=
unset y
echo ${#x} ${#y}

### remove_prefix_short_long
p=a/b/c.tar.gz
echo ${p#*/} ${p##*/}

### remove_suffix_short_long
p=a/b/c.tar.gz
echo ${p%.*} ${p%%.*}

### remove_no_match
x=abc
echo ${x#z} ${x%z}

### remove_quoted_pattern
x='a*b*c'
echo "${x#"a*"}" "${x#a*}"

### remove_with_variable_pattern
x=prefix-body
pre=prefix-
echo ${x#$pre}

### replace_first
x=aaa
echo ${x/a/b}

### replace_all
x=a-b-c
echo ${x//-/+}

### replace_anchored_start_end
x=abcabc
echo ${x/#abc/X} ${x/%abc/Y}

### replace_delete
x=hello
echo ${x//l}

### replace_glob_pattern
x=file.txt.bak
echo ${x/.*/}

### substring_offset
x=abcdef
echo ${x:2}

### substring_offset_length
x=abcdef
echo ${x:1:3}

### substring_negative_offset
x=abcdef
echo ${x: -2} ${x:(-3):2}

### substring_negative_length
x=abcdef
echo ${x:1:-2}

### substring_past_end
x=abc
echo "[${x:5}]"

### upper_lower
x=Hello
echo ${x^^} ${x,,} ${x^} 
y=wORLD
echo ${y,}

### case_pattern
x=banana
echo ${x^^a}

### indirect
name=target
target=value
echo ${!name}

### prefix_names
aa1=1 aa2=2
echo ${!aa*}

### braces_needed
x=val
echo ${x}suffix $xsuffix.

### positional_long
set -- 1 2 3 4 5 6 7 8 9 10 11
echo $10 ${10} ${11}

### default_word_expanded
unset x
y=inner
echo ${x:-$y and more}

### default_quoted_in_unquoted
unset x
echo ${x:-"a  b"}

### nested_default
unset a b
echo ${a:-${b:-deep}}

### star_in_default_not_globbed_when_quoted
unset x
touch f1 f2
echo "${x:-*}"

### unquoted_split_of_value
x="a   b"
echo $x
echo "$x"

### assignment_no_split
x="a   b"
y=$x
echo "$y"

### dollar_single_quote
echo $'a\tb\x41\n' | od -c | head -2 | sed 's/  */ /g'

### bad_substitution
echo ${x:}
echo after

### bad_substitution_status
x=1
echo "${x!}" 
echo "st $?"

### transform_quote
x="it's"
echo ${x@Q}

### length_of_positional
set -- a b c
echo ${#@} ${#*}

### colon_hash_array_like
s="  trim  "
echo "[${s# }]"

### unset_var_empty
echo "[$nosuchvar]"

### special_chars_in_value
x='$HOME `echo` \n'
echo "$x"

### default_assign_positional_error
echo ${1:=x}
echo after

### prompt_transform
x='\'; y='h'
PS1='$x$y'; echo "${PS1@P}"
PS1='\[foo\]>[\045]\555\\'; echo "${PS1@P}"
PS1='[\x55] \w'; cd /; echo "${PS1@P}"

### empty_substring_offset
x=abc
echo "[${x: }] [${x::}] [${x::1}]"
a=(a b c)
echo ${a[@]: }

### arith_assoc_keys
K=5 V=42
typeset -A A
(( A[K] = V ))
echo "A[5]=${A[5]} keys=${!A[@]}"
A[K]=oops
(( V = A[K] )); echo V=$V
declare -A B=([foo]=40 [spam]=2)
(( x = B['spam'] + B["foo"] )); echo $x
key=foo
(( B[$key] += 2, B[new]++ )); echo ${B[foo]} ${B[new]}
a=(1 0 0)
: $(( a++ ))
echo "${a[@]}"

### operand_in_double_quotes_single_quotes_are_plain
v='a b c'
printf '<%s>' "${Unset:-'$v'}" "${Unset:-'a\b'}" "${v:+'x y'}" "${Unset:-$(echo 'p  q')}" ${Unset:-'$v'}; echo
printf '<%s>' "${U='$v'}"; echo "$U"

### alternative_of_no_elements_is_no_word
n() { echo "$# $*"; }
e=(); a=(""); set --
n "${e[@]+p}"; n "${e[*]+p}"; n "${@+p}"; n "${*+p}"
n "${e[@]:+p}"; n "${a[@]:+p}"; n "${U+p}"; n x"${e[@]+p}"

### blanks_inside_braced_operands_are_kept
foo='a b c d'
printf '<%s>' "${foo%c d}" "${foo%c  d}" ${foo%c  d} "${foo/b  c/X}" "${U:-x  y}" "${U:-a	b}"; echo
x="${U:-a  b}" y=${U:-"c  d"}; echo "$x|$y"
a[1]=${U:-o  p}x; echo "${a[1]}"

### backquotes_in_double_quotes_unescape_quotes
echo "x `echo \"hi\"`" `echo \"hi\"` "`echo "hi"`"

### last_background_with_operators
# ${! followed by no name, digit or # ? @ * is $! with an operator.
echo "[${!}] [${!-unset}] [${!:-null}] [${!+set}]"
sleep 0 & p=$!
[ "${!}" = "$p" ] && echo same
[ "${!//[0-9]/d}" = "$(echo "$p" | tr 0-9 d)" ] && echo replaced
[ "${!:0:1}" = "${p:0:1}" ] && echo substring
[ "${#!}" = "${#p}" ] && echo length
echo '${!}' "${!%%[0-9]*}x"
echo ${!#x}
echo not reached
