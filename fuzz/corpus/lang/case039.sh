f() { local x=1; return $x; }
f; echo $FUNCNAME