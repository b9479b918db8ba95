# SPDX-License-Identifier: MIT
# Bulkhead: `make` builds every program into build/bin, `make run` boots the default image in QEMU,
# `make test` runs every test. See README.md.

VARIANT ?= qemu
BUILD := $(CURDIR)/build
MESON_BUILD := $(BUILD)/meson
ASAN_BUILD := $(BUILD)/meson-asan
IMAGE := $(BUILD)/images/bulkhead-$(VARIANT)-x86_64.img
# Tests sign the boot chain with Debian's OVMF snakeoil key, which the test firmware trusts.
SNAKEOIL_KEY := $(BUILD)/keys/snakeoil.key
SNAKEOIL_CERT := /usr/share/ovmf/PkKek-1-snakeoil.pem

.PHONY: all deps programs image repo run test test-unit test-asan test-integration test-long lock bench-boot bench-api bench-update clean

all: programs

deps:
	@tools/install-deps.sh packages/build-deps.list

$(MESON_BUILD)/build.ninja:
	meson setup $(MESON_BUILD) --prefix=/ --bindir=bin --libexecdir=bin

programs: deps $(MESON_BUILD)/build.ninja
	ninja -C $(MESON_BUILD)
	meson install -C $(MESON_BUILD) --no-rebuild --quiet --destdir $(BUILD)

image: programs
	tools/build-image.sh $(VARIANT)

# The development update repository (TUF) of the image, signed with keys made once into build/repo-keys.
repo: programs image
	tools/build-repo.sh $(VARIANT)

run: image
	tools/run-vm.sh $(IMAGE)

lock: deps
	tools/lock-packages.sh $(VARIANT)

$(SNAKEOIL_KEY):
	mkdir -p $(BUILD)/keys
	openssl rsa -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil -out $@ 2>/dev/null

test: programs test-unit test-asan test-integration

test-unit: programs
	meson test -C $(MESON_BUILD) --print-errorlogs
	@grep -hE '^(toml-test|mustache-spec|settings-crash|api-crash|api):' $(MESON_BUILD)/meson-logs/testlog.txt || true

test-asan: deps
	[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --print-errorlogs

# LOCK_FALLBACK: when Debian's archive has moved past packages/<variant>.lock, test with a fresh resolution
# (and say so) rather than not at all; `make image` and `make lock` keep the lock strict.
test-integration: programs $(SNAKEOIL_KEY)
	SB_KEY=$(SNAKEOIL_KEY) SB_CERT=$(SNAKEOIL_CERT) LOCK_FALLBACK=1 tools/build-image.sh $(VARIANT)
	LOCK_FALLBACK=1 tests/integration/run.sh $(VARIANT)

test-long: test
	LONG=1 tests/integration/run.sh $(VARIANT)

bench-boot: programs $(SNAKEOIL_KEY)
	SB_KEY=$(SNAKEOIL_KEY) SB_CERT=$(SNAKEOIL_CERT) tools/build-image.sh $(VARIANT)
	bench/boot.sh $(VARIANT)

bench-api: programs
	bench/api.sh

# On the host: QEMU here is TCG only. Uses build/images/$(VARIANT) (IMAGES_DIR=dir for another), built if missing.
bench-update: programs
	bench/update.sh $(VARIANT)

clean:
	rm -rf $(BUILD)
