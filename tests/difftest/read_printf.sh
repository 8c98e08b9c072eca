# read (-r -p -a -t -n -s -d) and printf.

### read_basic
#@ stdin: hello world\n
read line
echo "[$line]"

### read_two_vars
#@ stdin: one two three\n
read a b
echo "[$a] [$b]"

### read_reply_default
#@ stdin: in reply\n
read
echo "[$REPLY]"

### read_backslash_processing
#@ stdin: a\\tb\\\\c\n
read x
echo "$x"

### read_raw
#@ stdin: a\\tb\\\\c\n
read -r x
echo "$x"

### read_line_continuation
#@ stdin: first \\\nsecond\n
read x
echo "[$x]"

### read_strips_ifs_whitespace
#@ stdin:    padded   \n
read x
echo "[$x]"

### read_empty_ifs_keeps_spaces
#@ stdin:    padded   \n
IFS= read -r x
echo "[$x]"

### read_eof_status
read x < /dev/null
echo "status $? [$x]"

### read_last_line_without_newline
printf 'a\nlast' > f
while read l; do echo "[$l]"; done < f
echo "tail [$l]"

### read_last_line_or_pattern
printf 'a\nlast' > f
while read l || [ -n "$l" ]; do echo "[$l]"; done < f

### read_array
#@ stdin: x y z\n
read -a arr
echo ${#arr[@]} ${arr[2]}

### read_n_chars
#@ stdin: abcdef\n
read -n 3 x
echo "[$x]"

### read_n_stops_at_newline
#@ stdin: ab\ncd\n
read -n 5 x
echo "[$x]"

### read_N_exact
#@ stdin: ab\ncd\n
read -N 4 x
echo "[$x]"

### read_delimiter
#@ stdin: a,b,c
read -d , x
echo "[$x]"

### read_prompt_not_a_tty
#@ stdin: answer\n
read -p "prompt: " x
echo "[$x]"

### read_silent
#@ stdin: secret\n
read -s x
echo "[$x]"

### read_timeout_data_ready
#@ stdin: quick\n
read -t 5 x
echo "status $? [$x]"

### read_timeout_zero_probe
echo data > f
read -t 0 < f && echo ready

### read_timeout_expires
mkfifo p
exec 3<> p
read -t 0.1 x <&3
echo "status $? [$x]"

### read_from_pipe_in_loop
printf '1 2\n3 4\n' | while read a b; do echo $((a+b)); done

### read_invalid_option
read -Z x
echo "status $?"

### read_fd
echo fdline > f
exec 3< f
read -u 3 x
echo "[$x]"

### read_from_stdin_of_script_file
#@ stdin: l1\nl2\n
cat
echo after-cat

### printf_basic
printf '%s-%s\n' a b

### printf_reuses_format
printf '%s\n' a b c

### printf_missing_args
printf '%s|%d|\n'

### printf_integers
printf '%d %5d %-5d| %05d %x %X %o\n' 42 42 42 42 255 255 8

### printf_floats
printf '%.2f %e %g\n' 3.14159 1000 0.0001

### printf_strings_width
printf '[%5s][%-5s][%.2s]\n' ab ab abcdef

### printf_escapes
printf 'a\tb\\n\x41\101\n'

### printf_b_escape
printf '%b\n' 'x\ty' 'p\nq'

### printf_q
printf '%q\n' "a b" "it's" ''

### printf_char_constant
printf '%d\n' "'A"

### printf_percent
printf '100%%\n'

### printf_invalid_number
printf '%d\n' abc
echo "status $?"

### printf_var_option
printf -v out '%s=%d' x 5
echo "$out"

### printf_no_newline
printf 'no newline'

### printf_star_width
printf '[%*s]\n' 6 hi

### printf_hex_input
printf '%d %d\n' 0x10 010

### echo_options
echo -n "no-nl"
echo
echo -e 'a\tb'
echo -E 'a\tb'
echo -- -n

### echo_escapes_off_by_default
echo 'a\nb'

### printf_time_follows_exported_tz
unset TZ
TZ=UTC printf '%(%z)T\n' 0
export TZ=Asia/Tokyo
printf '%(%z %H)T\n' 0
TZ=America/New_York
printf '%(%z)T\n' 0
x=$(TZ=UTC-3 printf '%(%z)T' 0); echo "$x"
export -n TZ
TZ=Asia/Kolkata printf '%(%z)T\n' 0
export TZ=Europe/Paris; date -d @0 +%z

### mapfile_callback_and_quantum
f() { echo "cb $1 [$2] have ${#a[@]}"; }
printf 'a\nb\nc\nd\ne\n' | { mapfile -t -c 2 -C f a; echo "${a[@]}"; }
printf "x y\nit's\n" | mapfile -C 'echo x' -c1
printf '1\n2\n' | mapfile -O 3 -C 'echo at' -c 1 b
mapfile -c 0 a </dev/null; echo "st=$?"
mapfile -c x a </dev/null; echo "st=$?"
