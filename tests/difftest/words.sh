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
