cat <<-'EOF'
	lit $x
	EOF
