(sleep 1
sleep 2)