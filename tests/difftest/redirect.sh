# Redirections: files, fds, here-documents, here-strings, noclobber.

### out_create_truncate
echo one > f
echo two > f
cat f

### append
echo one > f
echo two >> f
cat f

### input
echo content > f
cat < f

### stderr_to_file
ls /nonexistent_difftest 2> err
echo "status $?"
sed 's/^ls: //' err

### stderr_to_stdout
{ echo out; echo err >&2; } 2>&1 | cat

### both_to_file
{ echo out; echo err >&2; } &> f
sort f

### both_append
echo first > f
{ echo out; echo err >&2; } &>> f
sort f

### order_matters
{ echo err >&2; } 2>&1 > /dev/null | cat
{ echo err2 >&2; } > /dev/null 2>&1 | cat
echo end

### fd3_write
echo three 3> f >&3
cat f

### exec_fd_write
exec 3> f
echo a >&3
echo b >&3
exec 3>&-
cat f

### exec_fd_read
printf 'l1\nl2\n' > f
exec 3< f
read a <&3
read b <&3
exec 3<&-
echo "$a $b"

### close_fd_then_write
exec 3> f
exec 3>&-
echo x >&3
echo "status $?"

### close_stdout
( echo gone >&- ) 2>/dev/null
echo "status $?"

### read_write_open
echo hello > f
exec 4<> f
read w <&4
echo "$w"
echo more >&4
exec 4>&-
cat f

### dup_closed_fd
echo x >&7
echo "status $?"

### dup_fd_from_variable
exec 5> f
fd=5
echo via-var >&$fd
exec 5>&-
cat f

### dup_closed_fd_from_variable
fd=9
echo x >&$fd
echo "status $?"
ls

### noclobber
set -C
echo one > f
echo two > f
echo "status $?"
cat f

### noclobber_override
set -C
echo one > f
echo two >| f
cat f

### noclobber_append_ok
set -C
echo one > f
echo two >> f
cat f

### noclobber_dev_null
set -C
echo x > /dev/null && echo fine

### redirect_missing_file
cat < nosuchfile
echo "status $?"

### redirect_to_directory
mkdir d
echo x > d
echo "status $?"

### redirect_before_command
> f echo first-word
cat f

### redirect_multiple_outputs_last_wins
echo x > a > b
echo "a:[$(cat a)] b:[$(cat b)]"

### redirect_with_expansion_target
name=out
echo v > "$name.txt"
cat out.txt

### ambiguous_redirect
x="a b"
echo hi > $x
echo "status $?"

### ambiguous_redirect_glob
touch f1 f2
echo hi > f*
echo "status $?"

### empty_redirect_target
unset x
echo hi > $x
echo "status $?"

### heredoc_basic
cat <<EOF
line one
line two
EOF

### heredoc_expands
x=val
cat <<EOF
x=$x $(echo sub) $((1+1))
EOF

### heredoc_quoted_delimiter
x=val
cat <<'EOF'
x=$x $(echo sub)
EOF

### heredoc_partially_quoted_delimiter
cat <<"E"OF
$HOME
EOF

### heredoc_dash_strips_tabs
cat <<-EOF
	tabbed
		twice
	EOF

### heredoc_backslashes
cat <<EOF
a\$b \\ \n
EOF

### heredoc_two_in_one_line
cat <<A; cat <<B
from a
A
from b
B

### heredoc_to_loop
while read l; do echo "[$l]"; done <<EOF
1
2
EOF

### heredoc_in_function
f() {
  cat <<EOF
in function $1
EOF
}
f arg

### heredoc_with_pipe
cat <<EOF | tr a-z A-Z
shout
EOF

### heredoc_missing_delimiter
cat <<EOF
no end
echo after

### heredoc_empty
cat <<EOF
EOF
echo "empty ok"

### herestring
cat <<< "here string"

### herestring_expands
x=val
cat <<< "$x and $(echo more)"

### herestring_unquoted_no_split
x="a   b"
cat <<< $x

### herestring_to_read
read a b <<< "first second third"
echo "$a|$b"

### redirect_in_compound_applies_to_all
{ echo 1; echo 2; } > f
while read n; do echo "n$n"; done < f

### redirect_error_does_not_run_command
echo ran > /nonexistent/dir/file
echo "status $?"

### fd_inheritance_in_subshell
exec 3> f
( echo sub >&3 )
exec 3>&-
cat f

### dev_stdin_stdout
echo via-dev-stdout > /dev/stdout
echo input | cat /dev/stdin

### redirect_numbered_high
echo hi 9> f >&9
cat f

### exec_redirect_stdout_permanently
exec > f
echo into-file
exec >&2
cat f >&2

### redirect_stdin_from_devnull_default
#@ stdin: given input\n
cat
read x < /dev/null
echo "status $?"

### process_substitution_read
cat <(echo hi)
diff <(printf 'a\nb\n') <(printf 'a\nc\n'); echo st=$?
while read l; do echo "got $l"; done < <(printf '1\n2\n')
wc -l < <(seq 3)
cat <(seq 2) & wait

### process_substitution_write
echo x | tee >(sed s/x/y/ > out) >/dev/null
while [ ! -s out ]; do sleep 0.01; done
cat out

### named_fd_open_write_close
exec {fd}>f
[ "$fd" -ge 10 ] && echo "fd from 10 up"
echo hi >&$fd
exec {fd}>&-
echo again >&$fd
echo "status $?"
cat f

### named_fd_read_and_kept_after_command
echo line > f
exec {in}<f
read -u "$in" l
echo "read $l"
exec {in}<&-
echo kept {out}>g
echo more >&$out
cat g

### named_fd_close_unset_is_ambiguous
exec {nofd}>&-
echo "status $?"

### dev_fd_names_script_descriptor
exec 3<<<hello
read x </dev/fd/3
echo "x=$x"
exec 4>f
echo via >/dev/fd/4
cat f
{ echo to-stderr >/dev/stderr; } 2>err
cat err

### fds_3_to_9_are_the_scripts
for n in 3 4 5 6 7 8 9; do
  echo x >/dev/fd/$n 2>/dev/null || echo "$n closed"
done

### write_to_closed_descriptor_errors
echo x >&-
echo "status $?"
printf y >&-
echo "status $?"
read v <&-
echo "status $?"

### heredoc_missing_delimiter_c
#@ mode: c
cat <<E
body

### process_substitution_beside_script_fds
exec 3>f 4>g 5>h
cat <(echo one) >&3
echo two > >(cat >&4)
source <(echo 'echo sourced')
while read l; do echo "$l" >&5; done < <(printf 'a\nb\n')
exec 3>&- 4>&- 5>&-
sleep 0.2
cat f g h

### noclobber_applies_to_out_err
set -C
echo baz &> f; echo "both=$?"
echo foo &> f; echo "again=$?"
cat f
echo x &>> f; echo "app=$?"
echo y &>| f 2>/dev/null; echo "bar=$?"
cat f
