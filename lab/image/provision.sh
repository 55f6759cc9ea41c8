#!/bin/sh
# Install the lab image's packages into a Debian 12 root file system.
# Runs as root inside the image being built: in a chroot made by
# debootstrap, or in a Dockerfile RUN step when a base image is at hand.
# Usage: provision.sh PACKAGES_FILE
set -eu

packages_file=$1
export DEBIAN_FRONTEND=noninteractive

# Keep package scripts from starting daemons while the image is built.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d

# Postfix must not pick a configuration of its own: the roles write it.
echo 'postfix postfix/main_mailer_type select No configuration' \
  | debconf-set-selections
echo 'postfix postfix/mailname string localhost' | debconf-set-selections

apt-get update -qq
# shellcheck disable=SC2046  # one package name per word is intended
apt-get install -y -qq --no-install-recommends \
  $(sed -e 's/#.*//' "$packages_file" | tr -s ' \n' '  ')
apt-get clean
rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d

# Daemons the roles manage stay off until a role enables them.
for unit in postfix opendkim dovecot rspamd redis-server knot; do
  systemctl disable "$unit" >/dev/null 2>&1 || true
done

# Units that make no sense in a container.
for unit in getty@tty1.service console-getty.service \
  systemd-udevd.service systemd-udev-trigger.service \
  systemd-remount-fs.service sys-kernel-debug.mount; do
  systemctl mask "$unit" >/dev/null 2>&1 || true
done

# Each container gets its own machine id at first boot.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
