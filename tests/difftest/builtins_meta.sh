# type, command, builtin, eval/source flags, xtrace, set/shopt options, invocation

### type_function_shows_plain_header
f () { echo hi; }
function g { echo g; }
type f g
declare -f f

### type_all_lists_every_meaning
mkdir bin && touch bin/pwd && chmod +x bin/pwd
PATH=/bin:bin
pwd () { echo function-too; }
type -a pwd
echo ---
type -af pwd
echo ---
type -ap pwd
echo ---
type -a -P pwd

### type_path_flags
mkdir bin && touch bin/mv && chmod +x bin/mv
PATH=bin:$PATH
mv () { ls; }
type -P mv cd
echo "status $?"
type -p cd
echo "status $?"
type -f mv
type -t mv cd if
type -x
echo "status $?"

### type_relative_path_needs_exec_bit
touch file ex && chmod +x ex
type ./file ./ex
echo "status $?"
command -v ./file
echo "status $?"
command -v ./ex

### command_p_uses_default_path
mkdir bin
printf '#!/bin/sh\necho wrong\n' > bin/tr
chmod +x bin/tr
PATH=$PWD/bin
echo aaa | command -p tr a b
command -p nosuch
echo "status $?"

### builtin_eval_source_double_dash
builtin -- echo hi
builtin
echo "status $?"
eval -- echo evaluated
eval -z
echo "status $?"
echo 'echo sourced' > lib.sh
source -- ./lib.sh

### source_searches_path_first
mkdir dir dir2 && mkdir dir/lib.sh
echo 'echo from-path' > dir2/lib.sh
echo 'echo from-cwd' > lib.sh
PATH=dir:dir2:$PATH . lib.sh
echo "status $?"
