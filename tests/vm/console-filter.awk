# console-filter.awk: reads the VM's serial console (qemu's stdout).
# Between guest-init's START and EXIT markers it copies the command's output
# to stdout, line by line; the EXIT marker's status goes to the file `rcfile`.
# Everything else (firmware, kernel, init noise) goes to the file `logfile`,
# and also to stderr when `verbose` is set.
# Markers are \036-delimited so no ordinary output line looks like them.
BEGIN {
	START = "\036TINYRUN-VM-START\036"
	EXIT = "\036TINYRUN-VM-EXIT "
	state = "boot"
}

state == "run" {
	i = index($0, EXIT)
	if (i == 0) {
		print
		fflush()
		next
	}
	# The command's last line may lack its newline: keep it exactly.
	printf "%s", substr($0, 1, i - 1)
	fflush()
	rc = substr($0, i + length(EXIT))
	sub(/\036.*/, "", rc)
	print rc >rcfile
	close(rcfile)
	state = "done"
	next
}

{
	print >logfile
	fflush(logfile)
	if (verbose)
		print >"/dev/stderr"
	if (state == "boot" && index($0, START))
		state = "run"
}
