cat <<-eOF
	$HMOE
	EOF
eOF
	$HMO-eOF
	$HMOE
	EOF
eOF
	$HMOE
	EOF
