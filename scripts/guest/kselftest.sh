#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hook of the kselftest guest (scripts/selftest.sh): run the nvmem
# collection through run_kselftest.sh, so that its settings timeout
# applies.  The runner prints the test's output prefixed with "# " when
# the test ends.

# The runner times tests out with coreutils' "timeout --foreground", an
# option busybox's timeout does not have, and reads a timeout from exit
# status 124 (busybox: 143).
rm -f /usr/bin/timeout
printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\n/bin/busybox timeout "$@"\nrc=$?\n[ $rc -eq 143 ] && exit 124\nexit $rc\n' \
	> /usr/bin/timeout
chmod 755 /usr/bin/timeout
/kselftest/run_kselftest.sh -c nvmem
