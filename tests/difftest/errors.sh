# Error cases: syntax errors (status 2, line numbers), 127, 126, bad substitution,
# unbound variables, division by zero, readonly, ${x:?}, ambiguous redirects, cd.

### syntax_unexpected_fi
echo before
fi
echo after

### syntax_unexpected_done_line3
echo one
echo two
done

### syntax_unclosed_if
if true; then
  echo x

### syntax_unclosed_quote
echo start
echo 'unterminated

### syntax_unclosed_double_quote
echo "unterminated

### syntax_unclosed_paren
( echo a

### syntax_unclosed_brace
{ echo a

### syntax_bad_pipe
echo a | | echo b

### syntax_leading_pipe
| echo b

### syntax_semicolon_alone
;

### syntax_double_semicolon_outside_case
echo a;;

### syntax_missing_do
for i in 1 2; echo $i; done

### syntax_case_missing_esac
case x in x) echo x;;

### syntax_unclosed_command_substitution
echo $(echo a

### syntax_bad_redirect
echo a >

### syntax_function_no_body
f()

### syntax_error_in_c_mode
#@ mode: c
echo a; then

### syntax_error_stdin_mode
#@ mode: stdin
echo ok
done

### syntax_unexpected_token_paren
echo a )

### syntax_then_without_if
then echo x

### syntax_arith_unclosed
echo $((1 +

### syntax_heredoc_in_eval_ok
eval 'cat <<E
x
E'

### not_found_127
nosuch_difftest_cmd
echo "status $?"

### not_found_with_slash
./nosuch_difftest
echo "status $?"

### not_executable_126
echo 'echo hi' > s
chmod -x s
./s
echo "status $?"

### directory_126
mkdir d
./d
echo "status $?"

### enoexec_runs_as_script
printf 'echo ran-as-script\n' > s
chmod +x s
./s
echo "status $?"

### not_found_in_pipeline
nosuch_difftest_cmd | cat
echo "status $?"

### bad_substitution_exits_nothing_else
echo ${a b}
echo "status $?"

### unbound_with_u
set -u
echo $nope
echo never

### unbound_in_arith_with_u
set -u
echo $((nope + 1))
echo never

### division_by_zero
echo $((1 / 0))
echo "status $?"

### modulo_by_zero
x=0
echo $((5 % x))
echo after

### division_by_zero_arith_command
((1 / 0))
echo "status $?"

### arith_syntax_error
echo $((1 +* 2))
echo after

### arith_bad_base
echo $((2#3))
echo after

### readonly_assignment
readonly R=1
R=2
echo "status $? R=$R"

### readonly_in_for
readonly R=1
for R in a; do echo $R; done
echo "status $?"

### param_error_msg
unset x
: "${x:?custom message}"
echo never

### param_error_in_function
f() { echo "${1:?need an arg}"; }
f
echo "status $?"

### ambiguous_redirect_star
touch a b
cat < *
echo "status $?"

### cd_missing_dir
cd /nonexistent_difftest
echo "status $?"

### cd_not_a_dir
touch f
cd f
echo "status $?"

### cd_too_many_args
mkdir a b
cd a b
echo "status $?"

### shift_bad_count
shift -1
echo "status $?"

### bad_option_to_builtin
echo x | read -q
echo "status $?"

### return_bad_arg
f() { return abc; }
f
echo "status $?"

### declare_bad_name
declare 1x=2
echo "status $?"

### assign_bad_identifier
1x=2
echo "status $?"

### export_bad_name
export a-b=1
echo "status $?"

### unset_readonly_function_var
readonly v=1
unset v
echo "status $?"

### source_directory
mkdir d
. d
echo "status $?"

### exec_not_found_exits
exec nosuch_difftest_cmd
echo never

### error_in_subshell_does_not_exit
(nosuch_difftest_cmd)
echo "status $?"

### errexit_with_error_message
set -e
ls /nonexistent_difftest 2>/dev/null
echo never

### error_line_in_function
f() {
  echo in-f
  nosuch_difftest_cmd
}
f

### error_line_in_loop
for i in 1 2; do
  nosuch_$i
done

### error_line_after_heredoc
cat <<E
x
E
nosuch_difftest_cmd

### redirect_missing_in_subdir
mkdir -p sub
cat < sub/missing
echo "status $?"

### too_deep_recursion_fails_cleanly
f() { f; }
FUNCNEST=100
f
echo "status $?"

### not_found_name_with_invalid_byte
n=$'nosuch_difftest\xe9x'
$n
echo $?
"./$n"
echo $?
$'nosuch_difftest\001' | cat
echo $?

### arith_error_tokens
for e in '1 2' '1 @ 2' '1 ? 2' '3 = 4' '08' '1#1' '2#1#1' '10#' '1 + ()' 'x++ ++' '1 ?: 3' 'a b' '(1)(2)' '1 <<= 2'; do
  ( echo $(( $e )) )
done
echo done

### let_error_token_keeps_blanks
let '1 +  '
echo "status $?"

### funcnest_discards_the_command_then_goes_on
FUNCNEST=3
f() { echo "depth $1"; f $(( $1 + 1 )); echo never; }
f 1; echo "same line"
echo "next line $?"

### eval_error_line_follows_eval
echo one

eval "$(printf 'echo two\nfi')"
echo "status $?"
eval 'if then'

### unclosed_parameter_names_its_line
x=1
echo ${x

### eof_line_counts_a_missing_newline
#@ mode: c
echo ok
while true

### shift_count_out_of_range
set -- a b
shift -3
echo "status $? $#"
shift x
echo "status $? $#"

### source_missing_file
. ./nope
echo "status $?"

### path_prefix_assignment_finds_the_command
mkdir bin
printf '#!/bin/sh\necho tool ran\n' > bin/tool
chmod +x bin/tool
PATH=$PWD/bin tool
echo "status $?"
tool
echo "status $?"

### arith_recursion_limit_names_the_innermost
loop='i<=100&&(s+=i,i++,loop)' s=0 i=0
echo $((a=loop,s))
loop='i<=2000&&(s+=i,i++,loop)' s=0 i=0
echo $((a=loop,s)); echo not here
echo after

### blank_between_equals_and_array_paren
#@ mode: c
#@ args: sh
a=(1 2); echo ok; a= (3 4)

### reserved_word_after_assignment_is_a_plain_word
FOO=bar for i in 1; do echo $i; done

### reserved_word_after_assignment_if
x=1 ! true
echo "status $?"
FOO=bar if true; then echo y; fi

### eval_lines_count_from_the_eval_command
eval $'true\n\nfoo_not_found'
f() {
  echo "f $LINENO"
  eval $'echo "c1 $LINENO"\necho "c2 $LINENO"'
  eval 'nf_in_f'
}
f
if true; then
  eval 'echo "h $LINENO"'
fi
eval "echo a
b_nf"
nosuch2 "a
b"
nosuch6 >/dev/null "h
i"
eval $'\n\nif'

### array_argument_only_after_declaration_words
#@ mode: c
#@ args: sh
f() { :; }; declare a=(1); echo ok; f b=(1 2)

### export_and_readonly_take_names_only
export a[7]=8; echo "st=$?"
readonly r[1]=2; echo "st=$?"
declare -p a r

### line_of_command_after_here_doc_on_its_line
# bash counts a command that the line's end closes on the here-documents' last delimiter line.
cat <<A; cat <<B; nosuch
1
A
2
B
nosuch # c
cat <<A; nosuch   # c
1
A
(cat <<A; nosuch
1
A
)
cat <<E | nosuch
b
E
cat <<E; echo $LINENO; nosuch; echo $LINENO
a
E
f() { cat <<E; nosuch
a
E
}
f

### special_builtin_too_many_arguments_drops_the_line
# bash throws to its top level: eval and source pass it on, the script goes on at the next line.
printf 'for i in a; do break 1 2; done; echo same\necho srcnext\n' > src.sh
eval "for i in a; do break 1 2; done; echo same
echo evalnext"; echo after eval
. ./src.sh; echo after source
set -- a b; shift 1 2; echo same; echo "$#"
echo "shift $? $#"
f() { return 1 2; echo inf; }; f; echo same
echo "return $?"
exit 1 2; echo same
echo "exit $?"
for i in a b; do continue 1 2; done; echo same
echo end

### special_builtin_too_many_arguments_ends_c
#@ mode: c
#@ args: name
for i in a; do break 1 2; done
echo next
