# SPDX-License-Identifier: GPL-2.0-only
#
# ringbus - top-level Makefile.
#
#   make                  build the modules for the running kernel
#   make KVER=6.1.0-xx-amd64   build them for an installed headers tree
#   make install          install them (then depmod) - for a hand build
#   make check            the whole test suite (static checks, VM end to end)
#   make demo             boot a throwaway VM with the suite and show it work
#   make bench            benchmark against pipe, seqpacket and mq in a VM (build/bench/)
#   make deb              build the ringbus-dkms and ringbus-utils packages
#   make repo             the same as a local apt repository in build/repo/
#   make docs-capture     rerun the commands docs/concepts.md shows, in a guest,
#                         and update docs/captured/ and both languages' tours
#
# The kernel build itself is described by ./Kbuild; DKMS calls
# "make KVER=<version> modules" here (see dkms.conf).

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
# Extra kbuild arguments, e.g. W=1 or C=2.
KBUILD_ARGS ?=

.PHONY: all modules install clean check demo bench deb lintian repo docs-capture

all: modules

modules:
	@if [ ! -f "$(KDIR)/Makefile" ]; then \
		echo "ringbus: no kernel headers for $(KVER) in $(KDIR): install the Debian package linux-headers-$(KVER)" >&2; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates/ringbus modules_install
	depmod -a $(KVER)

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f utils/ringbusctl

check:
	tests/run-check.sh

demo:
	demo/host.sh

# docs/captured/*.txt and their copies in docs/concepts.md and
# docs/ru/concepts.md, from a guest (docs/capture/host.sh --check verifies
# both without a guest).
docs-capture:
	docs/capture/host.sh

# Not part of check (it takes several minutes); its smoke test is.
bench:
	bench/host.sh

# ringbus-dkms and ringbus-utils .debs in build/deb/ (dpkg-buildpackage).
deb:
	debian/build-deb.sh

lintian: deb
	debian/lintian.sh

# A local apt repository in build/repo/ from the packages:
#   echo "deb [trusted=yes] file:$(CURDIR)/build/repo ./" > /etc/apt/sources.list.d/ringbus.list
#   apt update && apt install ringbus-dkms ringbus-utils
repo: deb
	rm -rf build/repo && mkdir -p build/repo
	cp build/deb/ringbus-dkms_*.deb build/deb/ringbus-utils_*.deb \
		build/deb/libringbus0_*.deb build/deb/libringbus-dev_*.deb build/repo/
	cd build/repo && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release
	@echo "apt repository: deb [trusted=yes] file:$(CURDIR)/build/repo ./"
