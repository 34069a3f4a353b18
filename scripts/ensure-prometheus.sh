#!/bin/sh
# Makes sure promtool and prometheus (Debian package `prometheus`) are on this machine:
# the ops tests (test/ops/) check the alert rules with promtool and run a real Prometheus
# against a stockd cluster. Installs the package when a binary is missing and we are root;
# otherwise fails with a message saying what to install. The tests do not use the packaged
# service (where the machine starts services, it listens on :9090): they start their own
# Prometheus on a free loopback port with a temp data dir. --no-install-recommends keeps
# prometheus-node-exporter (another daemon) out.
set -eu

have_both() {
  command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1
}

if have_both; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  echo "ensure-prometheus: promtool/prometheus not found and not root: install the Debian package 'prometheus' (apt-get install prometheus)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-prometheus: promtool/prometheus not found and no apt-get here: install Prometheus 2.x so that promtool and prometheus are on PATH" >&2
  exit 1
fi

install_pkg() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=120 prometheus
}

# A fresh machine may have no package lists yet: update once and try again.
if ! install_pkg; then
  apt-get update
  install_pkg
fi

if ! have_both; then
  echo "ensure-prometheus: installed the 'prometheus' package but promtool/prometheus are still not on PATH" >&2
  exit 1
fi
