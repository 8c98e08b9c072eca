# Indexed arrays.

### array_literal
a=(one two three)
echo ${a[0]} ${a[2]}

### array_all_quoted_at
a=("x y" z)
for e in "${a[@]}"; do echo "<$e>"; done

### array_all_quoted_star
a=("x y" z)
for e in "${a[*]}"; do echo "<$e>"; done

### array_count
a=(a b c d)
echo ${#a[@]} ${#a[*]}

### array_element_length
a=(abc defgh)
echo ${#a[1]}

### array_plain_name_is_first
a=(first second)
echo $a

### array_assign_index
a[3]=x
a[0]=y
echo ${#a[@]} "${a[@]}"

### array_indices
a=([2]=b [5]=e)
echo ${!a[@]}

### array_append
a=(1 2)
a+=(3 4)
echo "${a[@]}"

### array_append_element_string
a=(ab)
a[0]+=cd
echo ${a[0]}

### array_unset_element
a=(a b c)
unset 'a[1]'
echo ${#a[@]} "${a[@]}" ${!a[@]}

### array_unset_whole
a=(a b)
unset a
echo "[${a[@]}]" ${#a[@]}

### array_negative_index
a=(1 2 3)
echo ${a[-1]} ${a[-2]}

### array_slice
a=(a b c d e)
echo ${a[@]:1:3}

### array_arith_index
a=(10 20 30)
i=1
echo ${a[i+1]} ${a[$i]}

### array_declare_a
declare -a arr
arr[1]=x
echo ${arr[1]} ${#arr[@]}

### array_pattern_ops_each
a=(file1.txt file2.txt)
echo ${a[@]%.txt} ${a[@]/file/F}

### array_from_split
s="a:b:c"
IFS=: read -ra parts <<< "$s"
echo ${#parts[@]} ${parts[1]}

### array_from_command_substitution
a=($(printf '1 2\n3'))
echo ${#a[@]}

### array_empty
a=()
echo ${#a[@]} "[${a[@]}]"

### array_loop_with_index
a=(x y z)
for i in "${!a[@]}"; do echo "$i=${a[$i]}"; done

### array_join_ifs
a=(1 2 3)
IFS=,
echo "${a[*]}"

### array_copy
a=("p q" r)
b=("${a[@]}")
echo ${#b[@]} "${b[0]}"

### array_sparse_count
a[10]=x
a[20]=y
echo ${#a[@]}

### array_out_of_range_empty
a=(1)
echo "[${a[5]}]"

### array_declare_p
a=(x 'y z')
declare -p a

### array_in_arith
a=(5 7)
echo $(( a[0] + a[1] ))

### array_bad_subscript
a=(1)
echo ${a[-5]}
echo after

### assoc_basic
declare -A a=([x]=1 [y]=2)
a[w]=3
k=x
echo "${a[x]} ${a[$k]} ${a[w]} ${#a[@]}"
unset 'a[y]'
echo "${!a[@]}" | tr ' ' '\n' | sort
[[ -v a[w] ]] && echo set
echo ${a[@]@a}

### assoc_declare_p_and_append
declare -A e
e[k]=v
e[k]+=w
declare -p e
f() { local -A m=([a]=b); echo ${m[a]}; }
f

### declare_array_literal
declare -a b=(1 "2 3" [5]=x)
declare -p b
typeset c[3]=4
declare -p c
x='p q'
local_test() { local -a d=($x "$x"); echo ${#d[@]}; }
local_test

### negative_subscripts_count_from_the_end
a=(0 1 2 3 4)
unset 'a[1]' 'a[4]'
a[-1]+=0
(( a[-1] += 42 ))
echo "${a[@]}" "$(( a[-2] ))"
unset 'a[-1]'
echo "${#a[@]} ${a[-1]}"
[[ -v a[-1] ]] && echo has -1
[[ -v a[-3] ]] || echo no -3
unset 'a[-9]'
echo "st $?"
b=x
echo "${b[-1]}|"

### v_test_evaluates_the_subscript
array=(1 2 3 '')
test -v 'array[1+1]'; echo $?
test -v 'array[4+1]'; echo $?
i=0+1
[[ -v array[i] ]]; echo $?
[[ -v array[$i] ]]; echo $?
typeset -a e
test -v e; echo e=$?
e[0]=1
test -v e; echo e=$?
test -v 'e[x]'; echo "e[x]=$?"
declare -A A=([k]=v)
test -v 'A[k]'; echo "A[k]=$?"
test -v A; echo A=$?

### list_to_element_fails
a=(1 2)
a[0]=(3 4); echo not reached
echo "st $?"
declare -p a

### array_prefix_assignment_reaches_the_environment
A=a B=(b b) C=([k]=v) sh -c 'echo "$A $B $C"'
x=1
x+=2 sh -c 'echo $x'
echo $x

### declare_keeps_the_array_kind
declare -a a=(1 2)
declare -A a=([x]=1)
echo "st $?"
declare -p a
declare -A h=([k]=v)
declare -a h=(1)
echo "st $?"
declare a=new
declare -p a
declare +a 's=(2 3)'
echo "$s"

### literal_subscripts_in_order
i=1
a=([100+i++]=$((i++)) [200+i++]=$((i++)))
declare -p a
a=([0]=1+2+3 [a[0]]=10 [a[6]]=hello)
declare -p a
a=(old1 old2)
a+=([0]=new1 x [a[0]]=q [-1]+=!)
declare -p a
i=1
declare -A B=([k$((i++))]=$((i++)) [k$((i++))]=$((i++)))
declare -p B

### literal_element_append
hello=100
a=([hello]=1 [hello]+=2)
a+=([hello]+=:34)
declare -p a
declare -A h=([k]=old)
h=([k]+=1 [k]+=2)
declare -p h
h+=([k]+=:3 [n]+=x)
declare -p h
h=([k]=v loose)
declare -p h
declare -a d=(1 [0]+=x [a[0]]=z "[q]=r")
declare -p d

### assoc_subscripts_are_expanded_words
declare -A assoc=([K]=val)
unset -v 'assoc["K"]'; echo len=${#assoc[@]}
assoc[K]=v
key=K
unset -v 'assoc[$(echo K)]'; echo len=${#assoc[@]}
printf -v 'assoc[$key]' '/%s/' val3
echo "${assoc[@]}"
declare -a array=(1 2 3)
declare -A h
h["${array[@]}"]=foo
h["$key"]+=x
h[$key]+=y
echo "${h["${array[@]}"]}" "${h[K]}"

### indexed_subscript_quotes
a["1"]=2
echo "st=$? ${#a[@]}"
{ a['2']=3; } 2>/dev/null
echo "st=$? ${#a[@]}"
i=2
a[i]=1 a[$i+1]=2 a[ 5 ]=4 a[$(echo 6)]=5 a[i++]=6
echo "${!a[@]} $i"

### subscript_with_metacharacters_in_command_position
a[5&3]=x
a[(1+2)*3]=y b[1|2]=z
x=1; a[x<2?7:8]=w
declare -A A
A[a&b]=1 A[x(y)]=2 A[s;t]=4
declare -p a b A
f() { a[3&1]+=q; }; f
echo "${a[1]}"
a[1&2]=v echo hi
echo a[1&2]=q

### eval_and_let_get_array_arguments_joined
x=1
eval a=(1 "x y" [5]="p q")
declare -p a
let n=( 1 ) m=( n + 2 )
echo "$n $m"

### largest_index_and_negative_offsets
a=(1 2 3)
a[0x7FFFFFFFFFFFFFFF]=x
a[0x7FFFFFFFFFFFFFFE]=y
echo "[${a[@]: -1}][${a[*]: -2}][${a[@]: -5}]"
echo "${a[-1]} ${a[-9223372036854775807]}"

### negative_index_before_first_element_warns
# bash says `NAME: bad array subscript` and goes on (the value is empty or 0).
e=(); [[ -v e[-1] ]]; echo $?
a=(x); [[ -v a[-1] ]]; echo $?
[[ -v a[-2] ]]; echo $?
test -v "a[-2]"; echo $?
echo $((a[-2])); echo $(( a[-2] + 1 ))
((a[-2]=3)); echo $?
let "a[-5]"; echo $?
b=(1 2 3); unset "b[1]"; echo $((b[-3]))
echo $((a[-2]=4)); echo next $?
((a[-2]=0)); echo $?
readonly r=1; ((r=3)); echo st=$?

### declare_array_attribute_keeps_a_scalar_as_element_zero
s1=hello; declare -A s1; declare -p s1
s2=w; declare -A s2+=([a]=x); declare -p s2
s3=q; declare -a s3; declare -p s3
s4=r; declare -a s4+=(z); declare -p s4
s5=t; declare -A s5=([k]=v); declare -p s5
s6=u; declare -a s6=(m); declare -p s6
s7=v; declare -a s7=w; declare -p s7
f() { local -a s8; declare -p s8; }; s8=x; f
