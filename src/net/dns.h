/* The container's resolv.conf, without writing into the image: the hook
 * writes /run/tinyrun-net/<bridge>/resolv-<id> (the --dns servers, or
 * the host's non-local ones) and binds it read-only over the rootfs's
 * /etc/resolv.conf inside the container's mount namespace, where the
 * runtime has mounted the rootfs but not yet pivoted into it (the
 * createRuntime point of the OCI lifecycle). */
#ifndef TINYRUN_NET_DNS_H
#define TINYRUN_NET_DNS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/* The text of the resolv.conf (caller frees); *warning tells, when not
 * NULL, why it names no server. */
char *dns_resolv_conf (const char *const *servers, size_t n, const char *host_file, const char **warning,
                       tr_error_t *err);

/* Bind file over <rootfs>/etc/resolv.conf in pid's mount namespace.  1
 * (nothing done) when the container shares the host's mount namespace or
 * its rootfs has no /etc/resolv.conf to bind over; why in *skipped. */
int dns_bind (pid_t pid, const char *rootfs, const char *file, const char **skipped, tr_error_t *err);

#endif
