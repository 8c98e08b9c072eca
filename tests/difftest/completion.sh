# complete, compgen, compopt, bind, history, fc (non-interactive, as bash 5.2 runs them)

### complete_print_order
complete -W 'foo bar' mycommand
complete -o default -o nospace -F fn git
complete -E -W q
complete -D -F f
complete -I -W i
complete -a -b -A function -A signal -G '*.c' -P pre -S suf -X '!*.c' -C cmd x y
complete
echo --
complete -p git nope
echo "status $?"

### complete_remove
complete -W a one two three
complete -r two
complete -p
complete -r nope
echo "status $?"
complete -r
complete -p
echo "status $?"

### complete_usage_errors
complete -F f
echo "status $?"
complete -z
echo "status $?"
complete -A nosuch x
echo "status $?"
complete -o nosuch x
echo "status $?"
complete -W
echo "status $?"
complete foo
echo "status $?"
complete -p foo

### complete_print_wins_over_remove
complete -W x a
complete -p -r
echo "status $?"
complete -F f -r a
complete -p
echo "status $?"

### compopt_changes_a_spec
complete -o default -F fn git
compopt git
compopt -o nospace +o default git
complete -p git
compopt nope
echo "status $?"
compopt -o filenames
echo "status $?"
compopt -o bad
echo "status $?"

### compgen_functions_sorted
add () { :; }
div () { :; }
__ec () { :; }
_ab () { :; }
compgen -A function
echo --
compgen -A function _

### compgen_wordlist_split_and_expanded
v=var
compgen -W 'one $v "two three" $(echo x y)'
echo --
IFS=':%'
compgen -W 'spam:eggs%ham cheese\:colon'
compgen -W '$(echo "a:b%c d")'

### compgen_wordlist_prefix_filter_affixes
compgen -W 'ab ac b' a
compgen -P '<' -S '>' -W 'x y'
compgen -W 'ab ac b' -X 'a*'
compgen -W 'ab ac b' -X '!a*'
compgen -W 'ab ac b' -X '\!a*'
compgen -W 'ab abc' -X '&c' ab
compgen -W '' -- foo
echo "status $?"

### compgen_wordlist_errors
compgen -W 'foo $(( 1 / 0 )) bar'
echo "status $?"

### compgen_wordlist_parse_error
compgen -W '${'
echo "status $?"
complete -W '${' foo
echo "status $?"

### compgen_extglob_filter
shopt -s extglob
compgen -X '@(two|bin)' -W 'one two three bin'
compgen -X '!@(two|bin)' -W 'one two three bin'

### compgen_files_and_dirs
mkdir -p d/sub dd
touch one two .hid d/f1 d/f2 'sp ace'
compgen -f | sort
echo --
compgen -f t
compgen -f d/ | sort
compgen -d | sort
compgen -d d/
compgen -f nope/
echo "status $?"
compgen -f 'sp a'

### compgen_order_ignores_option_order
mkdir vdir
PA_FUNC() { :; }
touch PA_FILE
compgen -A file -A variable -A function PA
compgen -W 'v1 v2' -A directory v

### compgen_variables_and_exports
v1_global=0
unexported=1
export v1_exp=2
f() {
  local v2_local=0
  export v2_lexp=1
  compgen -v v
  echo --
  compgen -e v
}
f
compgen -e unexported
echo "status $?"
compgen -v __nonexistent__
echo "status $?"

### compgen_arrayvar
a=(1 2)
declare -A ab=([k]=v)
as=x
compgen -A arrayvar a

### compgen_aliases_keywords_builtins
alias v_alias=ls v_alias2=ls a1=ls
compgen -a v
compgen -k do
compgen -k el
compgen -b getop
compgen -A helptopic -S ___ fal
compgen -A shopt -P '[' -S ']' nu
compgen -A setopt nou

### compgen_command_word
our_func() { :; }
our_func2() { :; }
alias our_alias=foo
compgen -A command our_
compgen -c eva
compgen -c whil
compgen -c xarg | uniq

### compgen_signals
compgen -A signal SIGT
compgen -A signal E

### compgen_function_variables
foo_complete() {
  printf '<%s>' "$@"; echo
  echo "${#COMP_WORDS[@]} $COMP_CWORD [$COMP_LINE] $COMP_POINT"
  COMPREPLY=(one two three)
}
compgen -F foo_complete foo a b c
echo "status $?"
echo "after: ${COMPREPLY-unset} ${COMP_CWORD-unset}"
compgen -F nofunc x
echo "status $?"

### compgen_function_scalar_reply
_c() {
  unset -v COMPREPLY
  COMPREPLY=hello
}
compgen -F _c

### compgen_command_option
f() { echo foo; echo "args: $*"; }
compgen -C f b
echo "status $?"
complete -C f b
echo "status $?"

### compgen_usage_errors
compgen -A foo
echo "status $?"
compgen -F
echo "status $?"
compgen -z
echo "status $?"

### compgen_options_dirnames_plusdirs_default
mkdir -p bdir bdir2
touch bfile
compgen -o plusdirs -W 'b1 b2' b | sort
echo --
compgen -o dirnames b | sort
echo --
compgen -o default bf
compgen -o filenames -o nospace -W 'bin build'

### compgen_glob
touch g1.c g2.c g.h
compgen -G '*.c' | sort
compgen -G '*.none'
echo "status $?"

### compgen_jobs
sleep 5 &
sleep 6 | cat &
compgen -j
compgen -A running sl
compgen -A stopped
echo "status $?"
kill %1 %2

### bind_lists_functions
bind -l | grep -x accept-line
bind -l | wc -l

### bind_dumps_functions_and_variables
bind -p | grep vi-subst
bind -P | grep -E '^(vi-subst|abort) '
bind -v | grep blink-matching-paren
bind -V | grep blink-matching-paren
bind -p | head -4

### bind_query
bind -q zz-bad
echo "status $?"
bind -q vi-subst
echo "status $?"
bind -q yank
echo "status $?"
bind -q self-insert

### bind_shell_commands
bind -X
bind -x '"\C-o\C-s\C-h": echo foo'
bind -m vi -x '"\C-o\C-v": "echo vi"'
bind -X
echo --
bind -m vi -X
bind -r '\C-o\C-s\C-h'
bind -X
echo "status $?"

### bind_keyseq_and_macros
bind '"\C-o\C-s\C-h": yank'
bind -q yank
bind '"\C-xq": "macro text"'
bind -s
bind -S
bind -r '\C-xq'
bind -s
bind 'Control-t: yank'
bind -q yank
bind 'set bell-style visible'
bind -V | grep '^bell-style'

### bind_meta_prefix_in_the_c_locale
bind -q abort
bind -v | grep convert-meta

### bind_meta_prefix_in_a_utf8_locale
LC_ALL=C.UTF-8
bind -q abort
bind -v | grep convert-meta

### bind_errors
bind -m nosuch -p
echo "status $?"
bind -z
echo "status $?"
bind -x nocolon
echo "status $?"
bind -f ./nosuch
echo "status $?"

### history_set_list_delete
history
echo "status $?"
history -s 'one two'
history -s three
history -s four
history
history 2
history -d 1
history
history -d -1
history
history -d 9
echo "status $?"
history -d x
echo "status $?"

### history_usage
history not-a-number
echo "status $?"
history 3 too-many
echo "status $?"
history -z
echo "status $?"
history -p a b
echo "status $?"

### history_files
printf 'cmd orig%s\n' 1 2 3 > hf
HISTFILE=hf
history -c
history -r
history -r
history | wc -l
history -c
history -s new1
history -a
cat hf
echo --
history -w out
cat out
history -r nosuch
echo "status $?"
unset HISTFILE
history -a
echo "status $?"

### history_n_reads_new_lines
printf 'cmd orig%s\n' 1 2 > tmp1
cp tmp1 tmp2
printf 'cmd new%s\n' 1 2 3 >> tmp2
history -c
HISTFILE=tmp1 history -r
HISTFILE=tmp2 history -n
history

### history_sizes
printf 'cmd %s\n' 1 2 3 4 5 6 7 > tmp
HISTFILE=tmp
history -r
HISTSIZE=3
history
history -s x
history
HISTFILESIZE=2
cat tmp

### history_w_overwrites
echo 'cmd old' > tmp
HISTFILE=tmp
history -c
echo 'cmd new' > /dev/null
history -w
grep -c old tmp
echo "status $?"

### fc_lists
for i in 1 2 3 4 5 6 7; do history -s "echo $i"; done
fc -l -2
echo --
fc -l 3
echo --
fc -ln 2 3
echo --
fc -lr 2 4
echo --
fc -l 4 2
echo --
fc -l echo
fc -l 9 | wc -l
fc -l 0 1 2 | wc -l
fc -l zz
echo "status $?"

### fc_default_page
for i in $(seq 1 20); do history -s "echo $i"; done
fc -l

### fc_no_history
fc -l
echo "status $?"
fc -s
echo "status $?"

### fc_s_reruns
history -s 'echo a'
history -s 'echo b'
fc -s
fc -s b=Q echo
fc -s a
history

### complete_print_quotes_odd_names
complete -W 'a b' -- 'we ird' 'x$y' plain
complete -p | sort

### compopt_only_inside_tab_completion
x() { compopt -o nospace; COMPREPLY=(q); }; compgen -F x

### compgen_files_hidden_and_dots
mkdir -p sub/.hd .hidden
touch sub/a sub/.b
compgen -d | sort
compgen -d . | sort
compgen -f sub/ | sort
compgen -f sub/. | sort
compgen -A directory -S / s
HOME=$PWD
compgen -f '~/su'

### compgen_users_groups_wordlist_expansions
compgen -u root
compgen -g roo
HOME=/home/someone
compgen -W 'a{1,2} ~/x *.none'
compgen -W '"a b" c'
compgen -W $'x\ny'

### compgen_function_124_status
f() { echo "[$1][$2][$3]"; return 124; }; compgen -F f w
echo "status $?"

### complete_special_specs_one_at_a_time
complete -D -W 'd1 d2'
complete -E -W 'e'
complete -p -D -E
compopt -o nospace -D
complete -p -D
complete -r -E -D
complete -p

### compgen_more_actions
compgen -c /bin/ls | sort | head -3
compgen -o bashdefault '$PAT'
compgen -A binding yank-la
compgen -W 'a b' -- -x
echo "status $?"
compgen -P x
echo "status $?"

### history_expand_ranges_and_clear
history -s 'a'
history -s 'b'
history -p '!!' '!-2'
history -d 1-2
history
echo "status $?"
history -s q
history -cs r
history

### builtin_option_errors
history -cx
echo "status $?"
history -s a -d
echo "status $?"
fc -lx
echo "status $?"
fc -5x
echo "status $?"
bind -lx
echo "status $?"
complete -pA
echo "status $?"
compopt +x
echo "status $?"
compopt +o
echo "status $?"
compopt ++
echo "status $?"

### builtin_option_values_attached_or_next
for i in 1 2 3 4 5; do history -s "echo $i"; done
history -d2
history -d -1
history
fc -lnr -- 1 2
fc -l -2
fc -l --2
fc -evi -l 1 2
complete -W 'a b' -o nospace -Fcomp x
complete -p x
complete -D -W w
compopt +D -o nospace
complete -p -D

### compgen_function_error_completes_nothing
_foo() {
  COMPREPLY=( foo bar )
  COMPREPLY+=( $(( 1 / 0 )) )
}
compgen -F _foo foo
echo status=$?
_ok() { COMPREPLY=(a b); }
compgen -F _ok x; echo "st=$?"
