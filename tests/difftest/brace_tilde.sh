# Brace expansion and tilde expansion.

### brace_list
echo {a,b,c}

### brace_prefix_suffix
echo x{a,b}y

### brace_range_numbers
echo {1..10}

### brace_range_reverse
echo {5..1}

### brace_range_letters
echo {a..e}

### brace_range_letters_reverse
echo {e..a}

### brace_zero_padded
echo {01..03}

### brace_padded_width
echo {8..011}

### brace_step
echo {1..10..3}

### brace_step_negative
echo {10..1..-4}

### brace_letters_step
echo {a..k..3}

### brace_nested
echo {a,b{1,2},c}

### brace_two_groups
echo {a,b}{1,2}

### brace_range_in_list
echo {x,{1..3}}

### brace_single_item_literal
echo {a}

### brace_empty_literal
echo {}

### brace_invalid_range_literal
echo {1..a} {a..} {1..2..}

### brace_mixed_case_range
echo {X..b} | wc -w

### brace_quoted_literal
echo "{a,b}" '{1..3}'

### brace_escaped_comma
echo {a\,b,c}

### brace_with_variable_not_range
n=3
echo {1..$n}

### brace_empty_element
echo a{,b}c

### brace_in_assignment_not_expanded
x={a,b}
echo $x

### brace_for_loop
for i in {1..3}; do echo -n "$i "; done
echo

### brace_negative_range
echo {-2..2}

### brace_file_creation
touch f{1,2,3}.txt
ls

### tilde_home
[ ~ = "$HOME" ] && echo same

### tilde_slash
[ ~/x = "$HOME/x" ] && echo same

### tilde_quoted_literal
echo "~" '~'

### tilde_in_middle_literal
echo a~b

### tilde_assignment
x=~/sub
[ "$x" = "$HOME/sub" ] && echo expanded

### tilde_after_colon_in_assignment
x=a:~/b
[ "$x" = "a:$HOME/b" ] && echo expanded

### tilde_root_user
echo ~root

### tilde_unknown_user
echo ~nosuchuser_difftest

### tilde_plus_minus
cd /tmp
cd /
echo ~+ ~-

### tilde_unset_home
unset HOME
echo ~ | grep -c /

### brace_char_range_through_backslash
printf '[%s]' {Z..a}; echo

### tilde_after_colon_in_assignment_operand
HOME=/h
x=~:${undef-~:~}; echo "$x"
y=${u-~:~}; echo "$y"
y="${u-~:~}"; echo "$y"
y=${u-"~":~}; echo "$y"
echo ${u-a:~} "${u-~}"
