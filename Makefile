# systempay.odoo — developer and CI entry points.
#
#   make test                 lint + sanity + build-check + unit + every molecule scenario (what CI runs)
#   make unit                 pytest: collection unit tests, stand-in and fixture tests
#   make molecule S=default   one scenario (`molecule test`); M=converge|verify|destroy|login… for one step
#   make demo / demo-clean    one local test host with the collection applied, published on 127.0.0.1:18069
#   make bench                site.yml on 1, 4 and 8 hosts: ratios to bench/results.json, docs/performance.md
#
# Every target installs what it needs (host packages, .venv, test-host image,
# collection link) and skips what is already done. Wall times are printed as
# "==> <target>: ok in N s". See docs/testing.md.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT      := $(CURDIR)
PYTHON    ?= $(shell command -v python3.11 || command -v python3)
VENV      := $(ROOT)/.venv
BIN       := $(VENV)/bin
STAMPS    := $(ROOT)/build/stamps
PYVER     := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
SITE      := $(VENV)/lib/python$(PYVER)/site-packages
COLL_LINK := $(ROOT)/build/collections/ansible_collections/systempay/odoo
FIXTURES  := $(ROOT)/build/fixtures
TIMED     := $(ROOT)/tests/scripts/timed.sh
IMAGE     := localhost/systempay-odoo-testhost:bookworm

# Environment of every tool started from here.
export PATH                     := $(BIN):$(PATH)
export CONTAINERS_CONF          := $(ROOT)/tests/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(ROOT)/build/collections:$(SITE)
export MOLECULE_GLOB            := molecule/*/molecule.yml
export SYSTEMPAY_TESTHOST_IMAGE := $(IMAGE)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

SCENARIOS := $(sort $(patsubst molecule/%/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
# `default` first: it is the foundation the other scenarios build on.
SCENARIOS := $(filter default,$(SCENARIOS)) $(filter-out default,$(SCENARIOS))
S ?=
M ?= test
# Named explicitly: molecule only finds it by itself inside a git work tree.
MOLECULE_BASE := --base-config $(ROOT)/.config/molecule/config.yml

.PHONY: help bootstrap venv image collections-link fixtures lint sanity build-check unit molecule molecule-all \
        test demo demo-clean demo-probe-fail bench clean distclean

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'
	@echo "scenarios: $(SCENARIOS)"

# --- bootstrap pieces ---------------------------------------------------------

bootstrap:  ## host packages (podman, runc, debootstrap, …) when missing
	@$(ROOT)/tests/scripts/bootstrap.sh

venv: $(STAMPS)/venv

$(STAMPS)/venv: tests/requirements.txt
	@$(TIMED) venv bash -c '\
	  [ -x "$(BIN)/python" ] || "$(PYTHON)" -m venv "$(VENV)"; \
	  "$(BIN)/python" -m pip install -q --upgrade pip; \
	  "$(BIN)/python" -m pip install -q -r tests/requirements.txt'
	@mkdir -p $(STAMPS) && touch $@

image: bootstrap
	@$(TIMED) image $(ROOT)/tests/image/build.sh

collections-link: $(COLL_LINK)

$(COLL_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn ../../../.. $@
	@echo "collections-link: $@ -> $(ROOT)"

# Fixture addon zips (tests/fixtures/addons/build.py, written by the fixtures owner).
fixtures:
	@if [ -f tests/fixtures/addons/build.py ]; then \
	  rm -rf $(FIXTURES) && $(TIMED) fixtures $(PYTHON) tests/fixtures/addons/build.py --brand systempay --out $(FIXTURES); \
	else echo "fixtures: tests/fixtures/addons/build.py not there yet, skipped"; fi

# --- checks -------------------------------------------------------------------

lint: venv collections-link
	@if [ -f tests/scripts/lint.sh ]; then $(TIMED) lint bash tests/scripts/lint.sh; \
	else echo "lint: WARNING tests/scripts/lint.sh missing, nothing linted"; fi

sanity: venv collections-link
	@if [ -f tests/scripts/sanity.sh ]; then $(TIMED) sanity bash tests/scripts/sanity.sh; \
	else echo "sanity: WARNING tests/scripts/sanity.sh missing, nothing checked"; fi

# The tarball builds, installs, and every module and role resolves by FQCN from the installed copy.
build-check: venv
	@$(TIMED) build-check bash tests/scripts/build_check.sh

unit: venv collections-link
	@$(TIMED) unit bash tests/scripts/unit.sh

molecule: venv image collections-link fixtures
	@if [ -z "$(S)" ]; then echo "usage: make molecule S=<scenario> [M=test|converge|verify|destroy|…] (scenarios: $(SCENARIOS))" >&2; exit 2; fi
	@$(TIMED) "molecule $(M) -s $(S)" molecule $(MOLECULE_BASE) $(M) -s $(S)

molecule-all: venv image collections-link fixtures
	@bash tests/scripts/run-steps.sh molecule $(foreach s,$(SCENARIOS),"molecule:$(s)")

test: bootstrap venv image collections-link fixtures
	@bash tests/scripts/run-steps.sh test lint sanity build-check unit $(foreach s,$(SCENARIOS),"molecule:$(s)")

# --- demo ---------------------------------------------------------------------

# DEMO_ARGS: extra ansible-playbook arguments for the demo's run of playbooks/site.yml.
DEMO_ARGS ?=
export DEMO_ARGS
demo: bootstrap venv image collections-link fixtures
	@$(TIMED) demo bash tests/scripts/demo.sh up

# A second database on the demo host, then the probe alone: the two-database diagnosis and its fix.
demo-probe-fail: venv collections-link
	@$(TIMED) demo-probe-fail bash tests/scripts/demo.sh probe-fail

demo-clean:
	@$(TIMED) demo-clean bash tests/scripts/demo.sh down

# --- benchmark (not part of `make test`) -----------------------------------------

# 14.5 min on 2 cores at a load of 10-20 (less on a quiet machine); BENCH_ARGS="--hosts 1,2" for a quick run.
# See docs/performance.md.
BENCH_ARGS ?=
bench: venv image collections-link fixtures
	@$(TIMED) bench $(BIN)/python bench/run.py $(BENCH_ARGS)

# --- cleaning -----------------------------------------------------------------

clean: demo-clean  ## test hosts, molecule state, build/ (keeps .venv and the image)
	@if [ -x "$(BIN)/molecule" ]; then for s in $(SCENARIOS); do molecule $(MOLECULE_BASE) destroy -s $$s >/dev/null 2>&1 || true; done; fi
	@rm -rf build
	@echo "clean: done"

distclean: clean  ## also .venv and the test-host image
	@rm -rf $(VENV)
	@podman image rm -f $(IMAGE) >/dev/null 2>&1 || true
	@echo "distclean: done"
