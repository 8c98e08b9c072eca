{ sleep 1
echo a &
sleep 2; }