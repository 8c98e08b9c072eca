cat <<EOF
unterminated