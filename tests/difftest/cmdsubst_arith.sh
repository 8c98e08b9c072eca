# Command substitution ($(…) and backquotes) and arithmetic ($((…)) and ((…))).

### dollar_paren
echo "[$(echo hi)]"

### backquote
echo "[`echo hi`]"

### trailing_newlines_stripped
x=$(printf 'a\n\n\n')
echo "[$x]"

### inner_newlines_kept
x=$(printf 'a\nb')
echo "$x"

### unquoted_is_split
echo $(printf 'a  b\nc')

### nested_dollar_paren
echo $(echo $(echo $(echo deep)))

### nested_backquote_escaped
echo `echo \`echo inner\``

### backquote_in_dollar_paren
echo $(echo `echo mixed`)

### status_of_substitution
x=$(exit 3)
echo $?

### assignment_only_status
false
x=$(true)
echo $?

### substitution_subshell_vars
x=1
y=$(x=2; echo $x)
echo $x $y

### substitution_with_quotes_inside
echo "$(echo "inner quoted")"

### substitution_case_inside
echo $(case a in a) echo paren-in-case;; esac)

### substitution_stderr_not_captured
x=$(echo out; echo err >&2)
echo "x=$x"

### substitution_reads_file
echo content > f
echo "$(< f)"

### substitution_in_word
echo pre$(echo mid)post

### arith_basic
echo $((1 + 2 * 3))

### arith_parens_precedence
echo $(( (1 + 2) * 3 ))

### arith_division_modulo
echo $((17 / 5)) $((17 % 5)) $((-17 / 5)) $((-17 % 5))

### arith_power
echo $((2 ** 10))

### arith_variables
a=5 b=3
echo $((a * b)) $(($a - $b))

### arith_unset_is_zero
echo $((nosuch + 1))

### arith_assign_ops
x=1
echo $((x += 4)) $((x *= 2)) $((x -= 1)) $((x /= 3)) $((x %= 2))
echo $x

### arith_increment
x=5
echo $((x++)) $x $((++x)) $((x--)) $((--x))

### arith_comparisons
echo $((3 < 4)) $((3 > 4)) $((3 <= 3)) $((3 >= 4)) $((3 == 3)) $((3 != 3))

### arith_logical
echo $((1 && 0)) $((1 || 0)) $((!5)) $((!0))

### arith_bitwise
echo $((6 & 3)) $((6 | 3)) $((6 ^ 3)) $((~0)) $((1 << 4)) $((256 >> 2))

### arith_ternary
x=7
echo $((x > 5 ? 1 : 0))

### arith_comma
echo $((a=1, b=2, a+b))

### arith_bases
echo $((0x1f)) $((010)) $((2#101)) $((36#z))

### arith_negative_and_unary
echo $((-5 + +3)) $((- -2))

### arith_nested_var_expression
e='2 + 3'
echo $((e * 2))

### arith_overflow_wraps
echo $((9223372036854775807 + 1))

### arith_nested_substitution
echo $(( $(echo 4) + $((1+1)) ))

### arith_command_true
((3 > 2)) && echo yes

### arith_command_status_zero
((0))
echo $?

### arith_command_assign
((x = 4 * 5))
echo $x

### arith_command_in_if
i=3
if ((i % 2)); then echo odd; else echo even; fi

### arith_command_in_while
i=0
while ((i < 3)); do echo $i; ((i++)); done

### let_builtin
let x=2+3 y=x*2
echo $x $y

### let_status
let 0
echo $?
let 1
echo $?

### arith_string_var_recursive
a=b b=c c=9
echo $((a))

### substitution_case_patterns_without_paren
x=$(case abc in a*) echo A ;; *) echo B ;; esac)
echo "[$x]"
n=$(case "$x" in ''|*[!0-9]*) echo no ;; *) echo yes ;; esac)
echo "$n"
echo "$(case a in
  b) echo b
     ;;
  a) echo a; echo $(case q in q) echo nested;; esac)
     ;;
esac
)"
cat <(case z in z) echo procsub;; esac)
f() { echo $(case $1 in (x) echo px;; y) echo py;& z) echo pz;; esac); }
f x; f y
echo $( (case a in a) echo ')';; esac); echo $((1+(2))) )

### substitution_case_with_heredoc_elsewhere
cat <<EOF2
doc
EOF2
echo $(case x in (x) echo paren-form;; esac)

### subshell_ending_in_case
(case a in a) echo sub;; esac)
( case b in (b) echo spaced;; esac )
f() ( case $1 in x) echo fx;; *) echo other;; esac )
f x; f y
x=$( (case q in q) echo inner;; esac) ); echo "$x"
