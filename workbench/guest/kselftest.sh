#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hook of the kselftest guest (workbench/selftest.sh): run the nvmem
# collection, or only NVMEM_KSELFTEST, through run_kselftest.sh, so that
# its settings timeout applies.

# The runner times tests out with coreutils' "timeout --foreground", an
# option busybox's timeout does not have, and reads a timeout from exit
# status 124 (busybox: 143).
rm -f /usr/bin/timeout
cat > /usr/bin/timeout <<'WRAPPER'
#!/bin/sh
[ "$1" = --foreground ] && shift
/bin/busybox timeout "$@"
rc=$?
[ $rc -eq 143 ] && exit 124
exit $rc
WRAPPER
# The runner prefixes a test's output with "# " through kselftest/prefix.pl
# if there is a perl, else through sed, which busybox buffers: when the
# kernel died in a test, what the test printed was lost.  This perl only
# does what prefix.pl does, line by line.
cat > /usr/bin/perl <<'WRAPPER'
#!/bin/sh
while IFS= read -r line || [ -n "$line" ]; do echo "# $line"; done
WRAPPER
chmod 755 /usr/bin/timeout /usr/bin/perl

if [ -n "${NVMEM_KSELFTEST:-}" ]; then
	/kselftest/run_kselftest.sh -t "nvmem:$NVMEM_KSELFTEST"
else
	/kselftest/run_kselftest.sh -c nvmem
fi
