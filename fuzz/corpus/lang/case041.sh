while read -r line; do echo "$line"; done <<'EOF'
a
b
EOF
