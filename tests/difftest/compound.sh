# Compound commands: if, loops, case, groups, subshells, negation, break/continue.

### if_true
if true; then echo yes; fi

### if_false_no_else
if false; then echo yes; fi
echo "status $?"

### if_else
if false; then echo a; else echo b; fi

### if_elif
x=2
if [ $x = 1 ]; then echo one; elif [ $x = 2 ]; then echo two; else echo other; fi

### if_elif_else_chain
for x in 1 2 3 4; do
  if [ $x = 1 ]; then echo one
  elif [ $x = 2 ]; then echo two
  elif [ $x = 3 ]; then echo three
  else echo many
  fi
done

### if_status_of_condition_list
if false; true; then echo last-wins; fi

### if_status_after
if false; then :; else (exit 3); fi
echo $?

### if_multiline
if true
then
  echo multi
fi

### if_nested
if true; then if false; then echo no; else echo inner; fi; fi

### if_negated_condition
if ! false; then echo negated; fi

### for_words
for w in a b c; do echo "$w"; done

### for_no_words
for w in; do echo never; done
echo done

### for_positional_default
#@ args: x 'y z'
for a; do echo "[$a]"; done

### for_positional_in_do_newline
#@ args: 1 2
for a
do
  echo $a
done

### for_var_after_loop
for i in 1 2 3; do :; done
echo $i

### for_expanded_words
set -- p q
v="r s"
for w in "$@" $v "t u"; do echo "<$w>"; done

### for_status_empty_body_loop
false
for i in; do :; done
echo $?

### for_arith
for ((i=0; i<3; i++)); do echo $i; done

### for_arith_empty_parts
i=0
for ((;;)); do i=$((i+1)); [ $i -ge 3 ] && break; done
echo $i

### for_arith_comma
for ((i=0, j=10; i<3; i++, j--)); do echo $i $j; done

### for_arith_multiline
for (( i = 5 ; i > 0 ; i -= 2 ))
do
  echo $i
done

### while_count
i=0
while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done

### while_false_status
while false; do :; done
echo $?

### while_read_lines
printf 'a\nb\nc\n' > f
while read l; do echo "got $l"; done < f

### while_pipe_subshell
x=0
printf '1\n2\n' | while read n; do x=$n; done
echo "x=$x"

### until_loop
i=0
until [ $i -ge 3 ]; do echo $i; i=$((i+1)); done

### until_true_never
until true; do echo never; done; echo after

### case_simple
case foo in foo) echo matched;; bar) echo no;; esac

### case_patterns
for w in apple banana cherry 42 ''; do
  case $w in
    a*) echo "$w: starts with a";;
    *an*) echo "$w: has an";;
    [0-9]*) echo "$w: digit";;
    '') echo "empty";;
    *) echo "$w: other";;
  esac
done

### case_alternatives
case b in a|b|c) echo abc;; esac

### case_no_match_status
false
case x in y) echo y;; esac
echo $?

### case_fallthrough
case a in a) echo one;& b) echo two;& c) echo three;; d) echo four;; esac

### case_continue_matching
case abc in a*) echo first;;& *b*) echo second;;& *z*) echo no;;& *) echo last;; esac

### case_quoted_pattern
x='*'
case hello in "$x") echo literal;; $x) echo glob;; esac

### case_paren_pattern
case z in (z) echo paren;; esac

### case_char_class
case B in [[:upper:]]) echo upper;; *) echo other;; esac

### case_empty_body
case x in x) ;; esac
echo "st $?"

### case_multiline
case "two words" in
  "two words")
    echo exact
    ;;
esac

### brace_group
{ echo a; echo b; } > out
cat out

### brace_group_shares_vars
x=1
{ x=2; }
echo $x

### brace_group_status
{ false; }
echo $?

### subshell_isolates_vars
x=1
(x=2; echo "in $x")
echo "out $x"

### subshell_isolates_cwd
mkdir d
(cd d && pwd | sed 's|.*/||')
pwd | sed 's|.*/||' | grep -c '^d$'

### subshell_exit_status
(exit 7)
echo $?

### subshell_exit_only_leaves_subshell
(echo in; exit 1; echo not)
echo after

### subshell_nested
( ( echo deep ) )

### bang_pipeline
! true
echo $?
! false
echo $?

### bang_pipeline_multi
! echo x | grep -q y
echo $?

### break_simple
for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done

### continue_simple
for i in 1 2 3 4; do [ $i = 2 ] && continue; echo $i; done

### break_n
for i in 1 2; do for j in a b c; do [ $j = b ] && break 2; echo $i$j; done; done
echo end

### continue_n
for i in 1 2; do for j in a b; do [ $j = b ] && continue 2; echo $i$j; done; echo never; done

### break_in_while
i=0
while true; do i=$((i+1)); [ $i -eq 5 ] && break; done
echo $i

### break_too_large
for i in 1 2; do for j in a b; do break 5; done; echo no; done
echo ok

### break_outside_loop
break
echo after $?

### continue_in_until
i=0
until [ $i -ge 4 ]; do i=$((i+1)); [ $i = 2 ] && continue; echo $i; done

### loop_redirect_output
for i in 1 2; do echo $i; done > out
cat out

### loop_in_pipeline
for i in c a b; do echo $i; done | sort

### and_or_lists
true && echo a || echo b
false && echo c || echo d
false || false || echo e

### and_or_with_groups
false || { echo x; echo y; }

### compound_with_background_wait
{ echo bg; } &
wait
echo fg

### while_with_break_status
while true; do break; done
echo $?

### nested_loops_status
for i in 1; do while false; do :; done; done
echo $?

### nested_subshells_spaced_parens
( (echo a) )
((echo b) )
( ( echo c; exit 3 ); echo "inner $?" )
((x = 2 + 3)); echo "arith $x"
