# Words, expansions, redirections, globbing, loops, arithmetic and cd's path logic.

### cd_bad_component_dotdot
cd nonexistent_zz/..
echo "status=$?"

### cd_physical_and_logical
mkdir -p target/sub
ln -s target link
cd -L link/sub
echo "${PWD#$HOME/}"
cd ..
echo "${PWD#$HOME/}"
cd -P ../link/sub
echo "${PWD#$HOME/}"
cd -- ..
echo "${PWD#$HOME/}"
cd -L "$HOME/link"
pwd | sed "s|^$HOME/||"
pwd -P | sed "s|^$HOME/||"

### cd_bad_option
cd -x /
echo "status=$?"

### cd_cdpath
mkdir -p spam/foo eggs/foo eggs/bar here
CDPATH="$HOME/spam:$HOME/eggs"
cd foo | sed "s|^$HOME/||"
cd bar > out; echo "status=$? ${PWD#$HOME/}"; sed "s|^$HOME/||" out
cd "$HOME"; CDPATH=:$HOME/eggs cd here; echo "status=$? ${PWD#$HOME/}"
cd ./nope; echo "status=$?"

### cd_exports_pwd_oldpwd
env | grep -c '^PWD='
cd /
env | grep '^OLDPWD=' | sed "s|$HOME|HOME|"
cd - | sed "s|$HOME|HOME|"

### nul_ansi_c_string_ends
x=$'ab\0cd'
echo "${#x} $x"
y=$'\x00z'
echo "${#y}"
touch foo
test -f $'foo\0bar' && echo found

### nul_command_substitution_dropped
s=$(printf 'a\0b')
echo "${#s} $s"
echo $(printf '\0') | od -An -c
t=$(printf '\001x')
echo "${#t}"

### nul_read_dropped
printf 'a\0b\n' | { read -r x; echo "${#x} $x"; }
printf 'ab\0cd' | { read -r -n 3 x; echo "$x"; }
printf 'a\0b\0' | { read -r -d '' x; echo "$x"; }

### nul_mapfile_line_ends
printf 'a\0b\nc\n' | { mapfile lines; printf '[%s]' "${lines[@]}"; echo; }
