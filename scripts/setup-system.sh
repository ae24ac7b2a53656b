#!/usr/bin/env bash
# Installs the Debian packages Watchpost's tests and demo need (ffmpeg, Chromium, GStreamer's RTSP
# server, PostgreSQL, Mosquitto (MQTT), iproute2, a CJK font for the Chinese pages). Run as root; otherwise it prints the apt-get line to run.
set -euo pipefail
pkgs=(ffmpeg chromium fonts-dejavu-core fonts-wqy-microhei iproute2 xvfb
  gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  postgresql mosquitto)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "setup-system: all packages present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: installed ${missing[*]}"
