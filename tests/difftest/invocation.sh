# How the shell is started: -c CMD NAME ARGS, FILE ARGS, -s with args, a script on stdin.

### c_simple
#@ mode: c
echo from-c

### c_name_and_args
#@ mode: c
#@ args: myname a 'b c'
echo "$0|$1|$2|$#"

### c_no_name
#@ mode: c
echo "$#"

### c_status
#@ mode: c
exit 9

### c_multiline
#@ mode: c
x=1
echo $x
echo $((x+1))

### c_syntax_error
#@ mode: c
echo ok; if

### c_command_not_found
#@ mode: c
nosuch_difftest_cmd
echo "status $?"

### c_error_names_line
#@ mode: c
#@ args: myname
echo a
nosuch_difftest_cmd

### file_args
#@ args: one two
echo "$0 $# $1 $2"

### file_missing
#@ mode: argv
#@ args: nosuch-script.sh
echo unused

### stdin_script
#@ mode: stdin
echo from-stdin
echo "$#"

### stdin_s_with_args
#@ mode: stdin
#@ args: -s a b
echo "$# $1 $2"

### stdin_cat_consumes_rest
#@ mode: stdin
cat
echo this line is read by cat
echo so is this

### stdin_read_consumes_next_line
#@ mode: stdin
read line
this line is data
echo "got: $line"

### stdin_head_consumes
#@ mode: stdin
head -n 1
consumed
echo after-head

### stdin_syntax_error_after_output
#@ mode: stdin
echo before
if then
echo after

### stdin_exit_status
#@ mode: stdin
false

### stdin_error_line_numbers
#@ mode: stdin
echo one
nosuch_difftest_cmd

### option_e_flag
#@ mode: c
#@ args: name
set -e; false; echo never

### option_flags_before_c
#@ mode: stdin
#@ args: -e -s
false
echo never

### option_u_flag
#@ mode: stdin
#@ args: -u
echo "$nosuch"
echo never

### option_x_flag
#@ mode: stdin
#@ args: -x
echo traced

### option_o_pipefail
#@ mode: stdin
#@ args: -o pipefail
false | true
echo $?

### option_n_no_exec
#@ mode: stdin
#@ args: -n
echo never

### file_syntax_error_after_output
echo first
if true; then
echo second

### script_stdin_is_inherited
#@ stdin: passed\n
cat

### argv_dot_slash_path
#@ mode: argv
#@ args: ./script.sh x
echo "$0 $1"

### argv_dir_script
#@ mode: argv
#@ args: -c 'echo $0 $1' n1 a1

### argv_options_then_file
#@ mode: argv
#@ args: -e script.sh
false
echo never

### argv_o_option_then_file
#@ mode: argv
#@ args: -o pipefail script.sh
false | true
echo $?

### argv_plus_o_option
#@ mode: argv
#@ args: +o pipefail -c 'false | true; echo $?'

### c_args_dash_dash
#@ mode: c
#@ args: name -- x
echo "$1 $#"

### unbound_status_127_under_c
#@ mode: c
set -u; echo $nosuch_var; echo not reached

### script_without_shebang_starts_from_the_environment
# bash's child shell starts over: only exported variables (and the command's own assignments) reach it.
printf 'echo "hello $BLAH $X $# ${f-unset}"; declare -F g || echo no g\n' > snork; chmod +x snork
mkdir bin; printf 'echo "$0"; nosuch\n' > bin/s0; chmod +x bin/s0
PATH=$PWD/bin:$PATH s0 >out 2>&1; sed "s|$PWD|DIR|g" out
BLAH=123; export X=x; f=set; g() { :; }
./snork
BLAH=1 ./snork a
(exec ./snork)
BLAH=123 exec ./snork
