cat <<-EOF
	$HOME
	EOF
